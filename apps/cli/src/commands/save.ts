import type { Registrar } from '../context.js';
import { msg } from '../messages.js';

export function registerSave({ program, action }: Registrar): void {
  program
    .command('save <files...>')
    .description('save new versions of data files (several files = one save)')
    .option('-m, --message <text>', 'what changed (first line = summary)')
    .option('-e, --experiment <id>', 'link the save to an experiment id')
    .option('-t, --tag <name>', 'also tag this save (annotated tag)')
    .option('-f, --force', 'save even when the content equals the latest version')
    .option('--keep <rule>', 'retention hint: permanent, pre-change or days:N')
    .action(
      action(async (ctx, files: string[], opts: { message?: string; experiment?: string; tag?: string; force?: boolean; keep?: string }) => {
        const vault = await ctx.vault();
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
        });
        ctx.out.endProgress();
        if (ctx.out.json) ctx.out.emitJson({ ok: true, ...r });
        else msg.save(r, ctx.out).forEach((l) => ctx.out.line(l));
      }),
    );
}
