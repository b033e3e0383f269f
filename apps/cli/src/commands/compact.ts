/** `savepoint compact`: pack loose objects (deltas between versions of the same file), verify, drop loose copies. */
import type { Registrar } from '../context.js';
import { msg, usageMsg } from '../messages.js';

export function registerCompact({ program, action }: Registrar): void {
  program
    .command('compact')
    .description('pack saved versions into compressed git packs with deltas between versions (verified before loose copies are removed)')
    .option('--if-over <MB>', 'only compact when loose objects take more than this many MB')
    .action(
      action(async (ctx, opts: { ifOver?: string }) => {
        const vault = await ctx.vault();
        const threshold = opts.ifOver === undefined ? undefined : Number(opts.ifOver);
        if (threshold !== undefined && !(threshold >= 0)) {
          throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', usageMsg.ifOver(String(opts.ifOver)));
        }
        const before = await ctx.core.looseObjectStats(vault.gitdir);
        const r =
          threshold === undefined
            ? await ctx.core.compactObjects({ gitdir: vault.gitdir, onProgress: ctx.onProgress })
            : await ctx.core.autoCompact({ gitdir: vault.gitdir, onProgress: ctx.onProgress, maxLooseBytes: threshold * 1e6, maxLooseCount: Number.MAX_SAFE_INTEGER });
        ctx.out.endProgress();
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, compacted: r !== null && r.packedObjects > 0, before, ...(r ?? {}) });
        ctx.out.line(msg.compact(before, r, threshold === undefined ? undefined : threshold * 1e6));
      }),
    );
}
