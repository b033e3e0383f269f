/** `savepoint doctor` (find and fix leftovers of interrupted runs) and `savepoint audit` (read the audit log). */
import type { Registrar } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { auditMsg, doctorMsg } from '../messages.js';

const DURATION_RE = /^(\d{1,6})(m|h|d|w)$/;

/** `--since`: an ISO date/time or a duration back from now (30m, 12h, 7d, 2w); null when neither. */
export function parseSince(s: string, now: Date): Date | null {
  const m = DURATION_RE.exec(s);
  if (m) return new Date(now.getTime() - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w']);
  const t = Date.parse(s);
  return /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(t) ? new Date(t) : null;
}

export function registerDoctor({ program, action }: Registrar): void {
  program
    .command('doctor')
    .description('look for stale locks, leftover temp files, orphan archives, missing notes, cache and export drift, permission problems; non-zero exit when problems remain')
    .option('--fix', 'fix what can be fixed safely, and say what changed')
    .action(
      action(async (ctx, opts: { fix?: boolean }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.doctor(vault, { fix: !!opts.fix });
        if (ctx.out.json) ctx.out.emitJson(r);
        else doctorMsg.lines(r, ctx.out).forEach((l) => ctx.out.line(l));
        return r.ok ? EXIT.ok : EXIT.problems;
      }),
    );

  program
    .command('audit')
    .description('show the audit log: who changed the vault or exported from it, when, and with what result')
    .option('--since <when>', 'only entries at or after a date (2026-05-01) or a duration ago (7d, 12h, 30m)')
    .action(
      action(async (ctx, opts: { since?: string }) => {
        const vault = await ctx.vault();
        let since: Date | undefined;
        if (opts.since !== undefined) {
          const d = parseSince(opts.since, new Date());
          if (!d) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', auditMsg.badSince(opts.since), { since: opts.since });
          since = d;
        }
        const entries = await ctx.core.readAudit(vault.gitdir, since);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, file: ctx.core.auditFile(vault.gitdir), entries });
        if (entries.length === 0) ctx.out.line(auditMsg.empty);
        for (const e of entries) ctx.out.line(auditMsg.line(e));
      }),
    );
}
