import type { Registrar } from '../context.js';
import { msg } from '../messages.js';
import { afterSaveJson, renderAfterSave } from './after-save.js';
import { remoteAuthFromEnv } from './remote.js';

export function registerRestore({ program, action }: Registrar): void {
  program
    .command('restore <address>')
    .description('restore a version (e.g. data.csv@3, data.csv@-1, data.csv@2026-05-01); the current file is saved first if it matches no version. With --all: every tracked file as it was at a moment (@2026-05-01, a tag or a commit)')
    .option('--to <file>', 'write to another file inside the vault (with --all: into this new or empty folder, anywhere)')
    .option('--all', 'whole-vault time travel: <address> is a moment (@DATE, @TAG, @COMMIT); files that had no version then are left alone and listed')
    .option('--pg <url>', 'restore a Postgres dump version into this (empty) database with pg_restore; the password comes from PGPASSWORD or ~/.pgpass')
    .option('--clean', 'with --pg: drop and recreate the dump\'s objects in a database that is not empty')
    .action(
      action(async (ctx, address: string, opts: { to?: string; all?: boolean; pg?: string; clean?: boolean }) => {
        const vault = await ctx.vault();
        const afterSave = { ...remoteAuthFromEnv(ctx.io.env), onProgress: ctx.onProgress };
        // --- issue 14: whole-vault time travel and Postgres restores
        if (opts.all) {
          if (opts.pg !== undefined) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', msg.allWithPg, {});
          const r = await ctx.core.restoreAll(vault, { at: address, cwd: ctx.cwd, onProgress: ctx.onProgress, afterSave, ...(opts.to !== undefined ? { to: opts.to } : {}) });
          ctx.out.endProgress();
          if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r, ...(r.afterSave ? afterSaveJson(r.afterSave) : {}) });
          msg.restoreAll(r, ctx.out).forEach((l) => ctx.out.line(l));
          if (r.afterSave) renderAfterSave(ctx, r.afterSave);
          return;
        }
        if (opts.pg !== undefined) {
          const r = await ctx.core.restorePg(vault, { address, url: opts.pg, cwd: ctx.cwd, env: ctx.io.env, ...(opts.clean ? { clean: true } : {}) });
          if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
          msg.restorePg(r).forEach((l) => ctx.out.line(l));
          return;
        }
        // ---
        // a pre-restore snapshot is a save: core runs the after-save pipeline for it (credentials as for push)
        const r = await ctx.core.restore(vault, { address, cwd: ctx.cwd, onProgress: ctx.onProgress, afterSave, ...(opts.to !== undefined ? { to: opts.to } : {}) });
        ctx.out.endProgress();
        ctx.auditVersions(`${r.path}@${r.version}`);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r, ...(r.afterSave ? afterSaveJson(r.afterSave) : {}) });
        msg.restore(r, ctx.out).forEach((l) => ctx.out.line(l));
        if (r.afterSave) renderAfterSave(ctx, r.afterSave);
      }),
    );
}
