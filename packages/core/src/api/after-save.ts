/**
 * The after-save pipeline: what happens after a save, wherever the save came from (CLI `save`, `watch`,
 * `createAutoSaver`, `saveAndProcess`, the pre-restore snapshot of `restore`, the TUI through restore).
 *
 *   exports refresh (exportDir) → retention (retention.auto) → push (autoPush + queued retries) → compact
 *   (autoCompactBytes); exports again when retention changed what they list.
 *
 * A failing step never fails the save and never throws: its outcome says `failed` with the error. What is
 * retried and how: exports and retention run again after the next save (and in `savepoint maintain`); a
 * failed push is queued with backoff (remote/queue.ts) and retried by the next save, `savepoint push` or
 * `savepoint maintain`; compaction runs again when loose objects are still over the threshold.
 */
import { fromNodeError, isSavepointError } from '../errors.js';
import { applyRetention, planVaultRetention } from '../retention/apply.js';
import { autoPush } from './push-many.js';
import type { PushOutcome } from './push-many.js';
import type { TransportOptions } from '../remote/transport.js';
import { redactText } from '../remote/url.js';
import { autoCompact } from '../store/compact.js';
import type { CompactResult } from '../store/compact.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import { refreshExports } from './export.js';
import { loadVersionHistory } from '../history/versions.js';
import type { VersionHistory } from '../history/versions.js';
import { recordOperations } from '../health/record.js';
import type { ExportResult } from './export.js';

export type AfterSaveStepName = 'exports' | 'retention' | 'push' | 'compact';

export interface StepError {
  code: string;
  message: string;
}

/** One step's outcome. `skipped` carries why (not configured, nothing saved, nothing to do). */
export type StepOutcome<T> =
  | { status: 'ok'; result: T; durationMs: number }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: StepError; durationMs: number };

export interface AfterSaveReport {
  /** false when any step failed (the save itself still succeeded) */
  ok: boolean;
  exports: StepOutcome<ExportResult>;
  retention: StepOutcome<{ archived: number; deleted: number; archives: string[] }>;
  /** per remote; a failed push is queued (see PushOutcome.queued) */
  push: StepOutcome<PushOutcome[]>;
  compact: StepOutcome<CompactResult | null>;
}

export interface AfterSaveOptions extends TransportOptions {
  onProgress?: ProgressCallback;
}

/** What afterSave needs from a save: whether it wrote a commit (unchanged saves skip the data steps). */
export interface SaveLike {
  commit: string | null;
}

export function stepError(e: unknown, what: string): StepError {
  const err = isSavepointError(e) ? e : fromNodeError(e, what);
  return { code: err.code, message: redactText(err.message) };
}

async function step<T>(what: string, fn: () => Promise<T>): Promise<StepOutcome<T>> {
  const started = Date.now();
  try {
    const result = await fn();
    return { status: 'ok', result, durationMs: Date.now() - started };
  } catch (e) {
    return { status: 'failed', error: stepError(e, what), durationMs: Date.now() - started };
  }
}

/** retention.auto: apply the vault's configured policy (archives; deletes only expired archives). */
export async function runRetention(vault: Vault, onProgress?: ProgressCallback, history?: VersionHistory): Promise<{ archived: number; deleted: number; archives: string[] }> {
  const plan = await planVaultRetention(vault, history ? { history } : {});
  if (plan.counts.archive + plan.counts.delete === 0) return { archived: 0, deleted: 0, archives: [] };
  const r = await applyRetention(vault, plan, onProgress ? { onProgress } : {});
  return { archived: r.archived, deleted: plan.counts.delete, archives: r.archives.map((a) => a.file) };
}

/** Run every configured after-save step for `saved`. Never throws. */
export async function afterSave(vault: Vault, saved: SaveLike, opts: AfterSaveOptions = {}): Promise<AfterSaveReport> {
  const wrote = saved.commit !== null;
  const cfg = vault.config;

  // exports and retention both start from the whole history: read it once for both (issue 17, a 1,000-save
  // vault reads ~1,000 version records per read); a failed read fails the step that asked and is not kept
  let shared: Promise<VersionHistory> | null = null;
  const history = () =>
    (shared ??= loadVersionHistory(vault).catch((e: unknown) => {
      shared = null;
      throw e;
    }));
  const exportsStep = async (fresh: boolean): Promise<StepOutcome<ExportResult>> => {
    if (cfg.exportDir === undefined) return { status: 'skipped', reason: 'exportDir is not set' };
    return step('refreshing exports', async () => (await refreshExports(vault, fresh ? undefined : await history()))!);
  };
  let exports = wrote ? await exportsStep(false) : ({ status: 'skipped', reason: 'nothing new was saved' } as const);

  let retention: AfterSaveReport['retention'];
  if (!cfg.retention.auto) retention = { status: 'skipped', reason: 'retention.auto is false' };
  else if (!wrote) retention = { status: 'skipped', reason: 'nothing new was saved' };
  else retention = await step('applying retention', async () => runRetention(vault, opts.onProgress, await history()));
  if (retention.status === 'ok' && retention.result.archived + retention.result.deleted > 0) {
    // archived versions change their status in manifest.json: list them as they are now (read again)
    exports = await exportsStep(true);
  }

  // pushes also run for an unchanged save: that is when queued pushes get their retry
  const push: AfterSaveReport['push'] = await step('pushing', async () => autoPush(vault, { ...opts }));
  const pushOutcome: AfterSaveReport['push'] =
    push.status === 'ok' && push.result.length === 0 ? { status: 'skipped', reason: 'no remote has autoPush and none is queued' } : push;

  let compact: AfterSaveReport['compact'];
  if (cfg.autoCompactBytes <= 0) compact = { status: 'skipped', reason: 'autoCompactBytes is 0' };
  else if (!wrote) compact = { status: 'skipped', reason: 'nothing new was saved' };
  else {
    compact = await step('compacting', () =>
      autoCompact({ gitdir: vault.gitdir, maxLooseBytes: cfg.autoCompactBytes, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }),
    );
  }

  const pushFailed = pushOutcome.status === 'ok' && pushOutcome.result.some((o) => !o.ok && !o.skipped);
  const ok = [exports, retention, pushOutcome, compact].every((s) => s.status !== 'failed') && !pushFailed;
  const report: AfterSaveReport = { ok, exports, retention, push: pushOutcome, compact };
  // health: pushes record themselves (api/push-many.ts); the other steps that ran are recorded here, the
  // one place every save path goes through. Bookkeeping never throws, so a failing step never fails the save.
  const ran = (['exports', 'retention', 'compact'] as const).filter((k) => report[k].status !== 'skipped');
  if (ran.length) {
    await recordOperations(
      vault,
      ran.map((k) => {
        const s = report[k] as Exclude<StepOutcome<unknown>, { status: 'skipped' }>;
        return { op: k, ok: s.status === 'ok', startedAt: new Date(Date.now() - s.durationMs), durationMs: s.durationMs, ...(s.status === 'failed' ? { error: s.error } : {}), details: { after: 'save' } };
      }),
    );
  }
  return report;
}
