import { stat } from 'node:fs/promises';
import type { Registrar } from '../context.js';
import type { Core } from '../context.js';
import { checkMsg, msg } from '../messages.js';
import { afterSaveJson, renderAfterSave } from './after-save.js';
import { remoteAuthFromEnv } from './remote.js';

/** The same validators the pre-commit hook uses (one parser per format, from @savepoint/diff). */
function validateWithDiff(core: Core) {
  return async (abs: string, rel: string): Promise<void> => {
    if ((await stat(abs)).size === 0) {
      throw new core.SavepointError('E_VALIDATION_FAILED', checkMsg.empty(rel), { path: rel, format: 'empty', problems: [] });
    }
    const { validateDataFile } = await import('@savepoint/diff');
    const r = await validateDataFile(abs, { name: rel });
    if (!r.ok) {
      const first = r.problems[0];
      throw new core.SavepointError('E_VALIDATION_FAILED', checkMsg.invalid(rel, r.format, first), { path: rel, format: r.format, problems: r.problems });
    }
  };
}

export function registerSave({ program, action }: Registrar): void {
  program
    .command('save <files...>')
    .description('save new versions of data files (several files = one save)')
    .option('-m, --message <text>', 'what changed (first line = summary)')
    .option('-e, --experiment <id>', 'link the save to an experiment id')
    .option('-t, --tag <name>', 'also tag this save (annotated tag)')
    .option('-f, --force', 'save even when the content equals the latest version')
    .option('--keep <rule>', 'retention hint: permanent, pre-change or days:N')
    .option('--pg <url>', 'dump this PostgreSQL database with pg_dump -Fc into the one file named and save it (password: PGPASSWORD or ~/.pgpass, never stored)')
    .option('--check', 'refuse files that do not parse (CSV column counts, JSON, XLSX, SQLite integrity) before saving')
    .action(
      action(async (ctx, files: string[], opts: { message?: string; experiment?: string; tag?: string; force?: boolean; keep?: string; check?: boolean; pg?: string }) => {
        const vault = await ctx.vault();
        // --- issue 14 item 2: Postgres dumps
        if (opts.pg !== undefined) {
          if (files.length !== 1) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', msg.pgOneFile, { files });
          const r = await ctx.core.savePg(vault, {
            url: opts.pg,
            file: files[0]!,
            cwd: ctx.cwd,
            env: ctx.io.env,
            source: 'cli',
            ...(opts.message !== undefined ? { message: opts.message } : {}),
            ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
            ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
            ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
          });
          const report = await ctx.core.afterSave(vault, r, { ...remoteAuthFromEnv(ctx.io.env), onProgress: ctx.onProgress });
          ctx.out.endProgress();
          if (ctx.out.json) ctx.out.emitJson({ ok: true, ...r, ...afterSaveJson(report) });
          else {
            msg.savePg(r, ctx.out).forEach((l) => ctx.out.line(l));
            renderAfterSave(ctx, report);
          }
          return;
        }
        // ---
        const r = await ctx.core.save(vault, {
          files,
          cwd: ctx.cwd,
          source: 'cli',
          onProgress: ctx.onProgress,
          ...(opts.message !== undefined ? { message: opts.message } : {}),
          ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
          ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
          ...(opts.force ? { force: true } : {}),
          ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
          ...(opts.check ? { validate: validateWithDiff(ctx.core) } : {}),
        });
        ctx.out.endProgress();
        // exports → retention → push → compact: core's after-save pipeline; a failing step never fails the save
        const report = await ctx.core.afterSave(vault, r, { ...remoteAuthFromEnv(ctx.io.env), onProgress: ctx.onProgress });
        ctx.out.endProgress();
        if (ctx.out.json) ctx.out.emitJson({ ok: true, ...r, ...afterSaveJson(report) });
        else {
          msg.save(r, ctx.out).forEach((l) => ctx.out.line(l));
          for (const f of r.files) if (f.status === 'saved' && f.size === 0) ctx.out.warn(msg.emptySaved(f.path, f.version));
          renderAfterSave(ctx, report);
        }
      }),
    );
}
