/** `savepoint watch`: save tracked data files automatically when they change (chokidar). */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Registrar } from '../context.js';
import { msg, pipeMsg, usageMsg } from '../messages.js';
import { remoteAuthFromEnv } from './remote.js';

export function registerWatch({ program, action }: Registrar): void {
  program
    .command('watch [paths...]')
    .description('save tracked data files automatically when they change (debounced; failures retried with backoff, never blocking your work)')
    .option('--debounce <ms>', 'quiet time after a change before saving', '1000')
    .action(
      action(async (ctx, paths: string[] | undefined, opts: { debounce: string }) => {
        const vault = await ctx.vault();
        // "enabled": false pauses automatic saves; say so and stop (manual `savepoint save` still works)
        if (!vault.config.enabled) {
          if (ctx.out.json) ctx.io.stdout.write(JSON.stringify({ type: 'paused', reason: 'savepoint.json has "enabled": false' }) + '\n');
          else ctx.out.line(pipeMsg.paused);
          return 0;
        }
        const { watch } = await import('chokidar');
        const debounceMs = Number(opts.debounce);
        if (!Number.isFinite(debounceMs) || debounceMs < 0) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', usageMsg.debounce(String(opts.debounce)));
        const tracked = await ctx.core.trackedMatcher(vault);
        const archive = path.resolve(vault.dir, vault.config.archiveLocation);
        // exportDir is rewritten after every save: watching it would save our own exports
        const exportsDir = vault.config.exportDir !== undefined ? path.resolve(vault.dir, vault.config.exportDir) : null;
        const roots = paths?.length ? await Promise.all(paths.map(async (p) => path.join(vault.dir, await ctx.core.resolveVaultPath(vault.dir, ctx.cwd, p)))) : [vault.dir];
        for (const r of roots) {
          if (!(await stat(r).catch(() => null))) ctx.out.warn(msg.watchMissing(path.relative(vault.dir, r) || '.'));
        }
        const saver = ctx.core.createAutoSaver(vault, {
          debounceMs,
          // exports, retention, push (with the same credentials as `savepoint push`), compact after saves
          afterSave: { ...remoteAuthFromEnv(ctx.io.env) },
          onEvent: (e) => {
            if (ctx.out.json) ctx.io.stdout.write(JSON.stringify(e) + '\n');
            else if (e.type === 'failed' || e.type === 'retry' || (e.type === 'after-save' && !e.report.ok)) ctx.out.warn(msg.watchEvent(e, ctx.out));
            else ctx.out.line(msg.watchEvent(e, ctx.out));
          },
        });
        const watcher = watch(roots, {
          ignoreInitial: true,
          // the debounce already waits for quiet; this only holds back an event until the size stops changing
          awaitWriteFinish: { stabilityThreshold: Math.min(200, debounceMs || 1), pollInterval: 50 },
          ignored: (p: string) => p.includes(`${path.sep}.git`) || p.startsWith(archive) || (!!exportsDir && (p === exportsDir || p.startsWith(exportsDir + path.sep))) || p.includes(`${path.sep}node_modules`) || path.basename(p).includes('.savepoint-tmp-'),
        });
        const onChange = (abs: string) => {
          const rel = path.relative(vault.dir, abs).split(path.sep).join('/');
          if (tracked(rel)) saver.notify(rel);
        };
        watcher.on('add', onChange).on('change', onChange);
        await new Promise<void>((resolve) => watcher.on('ready', () => resolve()));
        if (ctx.out.json) ctx.io.stdout.write(JSON.stringify({ type: 'ready', dir: vault.dir, patterns: vault.config.trackedPatterns }) + '\n');
        else ctx.out.line(msg.watchReady(roots.map((r) => path.relative(vault.dir, r) || vault.dir)));
        // run until Ctrl-C / SIGTERM; pending saves are flushed first
        await new Promise<void>((resolve) => ctx.onInterrupt(resolve));
        await watcher.close();
        await saver.close();
        return 0;
      }),
    );
}
