import type { Registrar } from '../context.js';
import { msg } from '../messages.js';
import { afterSaveJson, renderAfterSave } from './after-save.js';
import { remoteAuthFromEnv } from './remote.js';

export function registerRestore({ program, action }: Registrar): void {
  program
    .command('restore <address>')
    .description('restore a version (e.g. data.csv@3, data.csv@-1, data.csv@2026-05-01); the current file is saved first if it matches no version')
    .option('--to <file>', 'write to another file inside the vault')
    .action(
      action(async (ctx, address: string, opts: { to?: string }) => {
        const vault = await ctx.vault();
        // a pre-restore snapshot is a save: core runs the after-save pipeline for it (credentials as for push)
        const r = await ctx.core.restore(vault, { address, cwd: ctx.cwd, onProgress: ctx.onProgress, afterSave: { ...remoteAuthFromEnv(ctx.io.env), onProgress: ctx.onProgress }, ...(opts.to !== undefined ? { to: opts.to } : {}) });
        ctx.out.endProgress();
        ctx.auditVersions(`${r.path}@${r.version}`);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r, ...(r.afterSave ? afterSaveJson(r.afterSave) : {}) });
        msg.restore(r, ctx.out).forEach((l) => ctx.out.line(l));
        if (r.afterSave) renderAfterSave(ctx, r.afterSave);
      }),
    );
}
