/** Renders the after-save pipeline's report (core decides and runs every step; this file only prints). */
import type { AfterSaveReport } from '@savepoint/core';
import type { CommandContext } from '../context.js';
import { msg, pipeMsg, retentionMsg } from '../messages.js';
import { reportPushOutcomes } from './remote.js';

/** The keys `save --json` always had (push, retention, compacted), derived from the report, plus the report. */
export function afterSaveJson(r: AfterSaveReport): Record<string, unknown> {
  const out: Record<string, unknown> = { afterSave: r };
  if (r.push.status === 'ok' && r.push.result.length) out.push = r.push.result;
  if (r.push.status === 'failed') out.push = [{ remote: '*', ok: false, queued: false, error: r.push.error }];
  if (r.retention.status === 'ok') out.retention = { ok: true, archived: r.retention.result.archived, archives: r.retention.result.archives };
  if (r.retention.status === 'failed') out.retention = { ok: false, error: r.retention.error };
  if (r.compact.status === 'ok' && r.compact.result) out.compacted = r.compact.result;
  return out;
}

/** Human lines: what the steps did, and a warning per failed step (never an error: the save succeeded). */
export function renderAfterSave(ctx: CommandContext, r: AfterSaveReport): void {
  const { out } = ctx;
  if (r.retention.status === 'ok' && r.retention.result.archived) out.line(out.c.dim(retentionMsg.autoApplied(r.retention.result.archived, r.retention.result.archives)));
  if (r.push.status === 'ok') reportPushOutcomes(ctx, r.push.result, { warnOnly: true });
  if (r.compact.status === 'ok' && r.compact.result?.packedObjects) out.line(out.c.dim(msg.compact({ count: 0, bytes: 0 }, r.compact.result)));
  for (const step of ['exports', 'retention', 'push', 'compact'] as const) {
    const s = r[step];
    if (s.status === 'failed') out.warn(pipeMsg.stepFailed(step, s.error.code, s.error.message));
  }
}
