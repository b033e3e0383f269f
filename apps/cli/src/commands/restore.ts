import type { Registrar } from '../context.js';
import { msg } from '../messages.js';

export function registerRestore({ program, action }: Registrar): void {
  program
    .command('restore <address>')
    .description('restore a version (e.g. data.csv@3, data.csv@-1, data.csv@2026-05-01); the current file is saved first if it matches no version')
    .option('--to <file>', 'write to another file inside the vault')
    .action(
      action(async (ctx, address: string, opts: { to?: string }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.restore(vault, { address, cwd: ctx.cwd, onProgress: ctx.onProgress, ...(opts.to !== undefined ? { to: opts.to } : {}) });
        ctx.out.endProgress();
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
        msg.restore(r, ctx.out).forEach((l) => ctx.out.line(l));
      }),
    );
}
