/** `savepoint maintain`: what a scheduler runs (core decides and does the work; this prints and sets the exit code). */
import type { Registrar } from '../context.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { pipeMsg, usageMsg } from '../messages.js';
import { remoteAuthFromEnv } from './remote.js';

const WAIT_RE = /^(\d{1,6})(s|m|h)$/;

export function registerMaintain({ program, action }: Registrar): void {
  program
    .command('maintain')
    .description('retention, compact, retry queued pushes, refresh exports and a restoration test (newest, oldest, one random version); for schedulers')
    .option('--dry-run', 'show what would be done; change nothing')
    .option('--full', 'restoration test of every version instead of a sample')
    .option('--wait <duration>', 'how long to wait for another maintain of this vault, e.g. 30s, 10m, 2h', '2h')
    .action(
      action(async (ctx, opts: { dryRun?: boolean; full?: boolean; wait: string }) => {
        const m = WAIT_RE.exec(opts.wait);
        if (!m) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', usageMsg.wait(String(opts.wait)), { wait: opts.wait });
        const waitMs = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 3_600_000);
        const vault = await ctx.vault();
        const r = await ctx.core.maintain(vault, {
          ...remoteAuthFromEnv(ctx.io.env),
          onProgress: ctx.onProgress,
          waitMs,
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.full ? { full: true } : {}),
          onWait: (h) => {
            ctx.out.warn(pipeMsg.maintainWaiting(h.pid));
          },
        });
        ctx.out.endProgress();
        if (ctx.out.json) ctx.out.emitJson(r);
        else pipeMsg.maintain(r, ctx.out).forEach((l) => ctx.out.line(l));
        if (r.ok) return EXIT.ok;
        return r.steps.some((s) => s.step === 'restore-test' && s.status === 'failed') ? exitCodeFor('E_VERIFY_FAILED') : EXIT.problems;
      }),
    );
}
