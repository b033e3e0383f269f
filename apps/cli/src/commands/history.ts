/** Read-only history commands: log, show, status, tag, export, cat. */
import type { Registrar } from '../context.js';
import { healthMsg, msg, remoteMsg } from '../messages.js';
import { remoteAuthFromEnv } from './remote.js';

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw Object.assign(new Error(`--limit must be a whole number ≥ 1 (got "${text}").`), { code: 'E_INVALID_ARGUMENT' });
  return n;
}

export function registerHistory({ program, action }: Registrar): void {
  program
    .command('log [path]')
    .description('list saved versions, newest first')
    .option('-n, --limit <n>', 'show at most n versions')
    .action(
      action(async (ctx, file: string | undefined, opts: { limit?: string }) => {
        const vault = await ctx.vault();
        const limit = parseLimit(opts.limit);
        const versions = await ctx.core.log(vault, { cwd: ctx.cwd, ...(file !== undefined ? { path: file } : {}), ...(limit ? { limit } : {}) });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, versions });
        if (versions.length === 0) ctx.out.line(msg.noHistory);
        for (const v of versions) ctx.out.line(msg.logLine(v, ctx.out));
      }),
    );

  program
    .command('show <address>')
    .description('details of one version: size, sha256, md5, commit, date, tags, experiment, status (e.g. data.csv@3)')
    .action(
      action(async (ctx, address: string) => {
        const vault = await ctx.vault();
        const v = await ctx.core.resolveVersion(vault, address, ctx.cwd);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, version: v });
        msg.show(v).forEach((l) => ctx.out.line(l));
      }),
    );

  program
    .command('status')
    .description('tracked files: new, modified since the last save, unchanged, missing')
    .option('--copies', 'per version: copies (vault, archives, remotes as of the last push/fetch), media, off-site — the 3-2-1 check')
    .option('--refresh', 'with --copies: ask every remote for its current state first (network)')
    .action(
      action(async (ctx, opts: { copies?: boolean; refresh?: boolean }) => {
        const vault = await ctx.vault();
        const files = await ctx.core.status(vault);
        const pushQueue = await ctx.core.pushQueue(vault);
        const copies = opts.copies ? await ctx.core.copiesStatus(vault, { ...(opts.refresh ? { refresh: true, ...remoteAuthFromEnv(ctx.io.env) } : {}) }) : undefined;
        // health (health/): alerts are evaluated first, so a stale vault is reported by looking at it
        await ctx.core.evaluateAlerts(vault);
        const health = await ctx.core.readHealth(vault, { sizes: ctx.out.json });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, files, pushQueue, ...(copies ? { copies } : {}), health });
        if (files.length === 0) ctx.out.line(msg.statusEmpty);
        for (const f of files) ctx.out.line(msg.statusLine(f, ctx.out));
        remoteMsg.queueLines(pushQueue, ctx.out).forEach((l) => ctx.out.line(l));
        healthMsg.lines(health, ctx.out).forEach((l) => ctx.out.line(l));
        if (copies) {
          ctx.out.line();
          remoteMsg.copiesLines(copies, ctx.out).forEach((l) => ctx.out.line(l));
        }
      }),
    );

  program
    .command('tag <address> [name]')
    .description('annotated tag on a version (default name sp/<path>/v<n>); retention never removes tagged versions')
    .option('-m, --message <text>', 'tag message')
    .action(
      action(async (ctx, address: string, name: string | undefined, opts: { message?: string }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.tagVersion(vault, { address, cwd: ctx.cwd, ...(name ? { name } : {}), ...(opts.message ? { message: opts.message } : {}) });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
        ctx.out.line(msg.tag(r));
      }),
    );

  program
    .command('export')
    .description('write checksums.txt (sha256sum -c format) and manifest.json from the notes')
    .option('-o, --out <dir>', 'folder to write into (default: the vault root)')
    .option('--encrypt', 'write them encrypted (*.enc; key from SAVEPOINT_PASSPHRASE, SAVEPOINT_KEY_FILE or a prompt); read back with `savepoint decrypt`')
    .action(
      action(async (ctx, opts: { out?: string; encrypt?: boolean }) => {
        const vault = await ctx.vault();
        const path = await import('node:path');
        const r = await ctx.core.exportChecksums(vault, { ...(opts.out ? { outDir: path.resolve(ctx.cwd, opts.out) } : {}), ...(opts.encrypt ? { encrypt: true } : {}) });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
        msg.export(r, vault.dir).forEach((l) => ctx.out.line(l));
      }),
    );

  program
    .command('cat <address>')
    .description('write one version to stdout (checked against its sha256)')
    .action(
      action(async (ctx, address: string) => {
        const vault = await ctx.vault();
        await ctx.core.catVersion(vault, address, ctx.io.stdout, ctx.cwd);
      }),
    );
}
