import { isBackupFailure } from './alerts.js';
import type { Condition } from './alerts.js';

/**
 * The health record (.git/savepoint/health.json): what the last save / verify / push / maintain / restore did,
 * counters for metrics, and the alert incidents. Pure: folding one operation into the state, bounded by
 * construction (capped error lists, fixed histogram buckets), apart from the file I/O in store.ts.
 */

export type HealthOp = 'save' | 'verify' | 'push' | 'maintain' | 'restore' | 'retention' | 'compact' | (string & {});

export interface OpError {
  code: string;
  message: string;
}

/** One finished operation, as a caller reports it. */
export interface OperationRecord {
  op: HealthOp;
  ok: boolean;
  /** when the operation started (ISO text or a Date; stored as ISO) */
  startedAt: string | Date;
  durationMs: number;
  error?: OpError;
  /**
   * Small facts about the run. Understood keys: `files` (save: vault paths), `remote` (push),
   * `scope` + `bad` (verify: the path checked, or none for all, and the damaged versions found),
   * `corrupt` (restore: the version that failed its checksum).
   */
  details?: Record<string, unknown>;
}

/** A record as stored: startedAt always ISO text. */
export type StoredRecord = OperationRecord & { startedAt: string };

export interface OpSummary {
  last: StoredRecord;
  lastSuccess?: StoredRecord;
  lastFailure?: StoredRecord;
  total: number;
  failures: number;
  /** failures since the last success (0 after a success) */
  failuresSinceSuccess: number;
  /** the errors since the last success, newest last (at most MAX_RECENT_ERRORS) */
  recentErrors: (OpError & { at: string })[];
}

export interface BadVersion {
  path: string;
  version: number;
  status: string;
  foundAt: string;
  by: string;
}

export interface FailingFile {
  since: string;
  attempts: number;
  error: OpError;
}

export interface RemoteHealth {
  lastAttempt: string;
  ok: boolean;
  /** first failure of the current run of failures */
  since?: string;
  error?: OpError;
}

export interface DurationHistogram {
  /** upper bounds in seconds; counts has one more slot (+Inf) */
  bounds: number[];
  counts: number[];
  sum: number;
  count: number;
}

export type AlertName = 'save_failed' | 'corrupt_version' | 'stale' | 'disk_full' | 'remote_failing';

export interface Incident extends Condition {
  /** the firing event was handed to every configured channel (false: resend on the next evaluation) */
  notified: boolean;
}

export interface AlertState {
  incidents: Record<string, Incident>;
  lastEvaluated?: string;
  lastDeliveryError?: { at: string; channel: string; message: string };
}

export interface HealthState {
  version: 1;
  ops: Record<string, OpSummary>;
  saveDurations: DurationHistogram;
  /** files whose last save attempt failed */
  failingFiles: Record<string, FailingFile>;
  /** versions found damaged by the last verify (per scope) or a restore */
  badVersions: BadVersion[];
  remotes: Record<string, RemoteHealth>;
  /** verify runs that found damaged or missing versions (a counter) */
  verifyFailures: number;
  alerts: AlertState;
}

export const SAVE_DURATION_BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
export const MAX_RECENT_ERRORS = 10;
const MAX_BAD_VERSIONS = 200;
const MAX_DETAILS_CHARS = 4000;
const MAX_MESSAGE_CHARS = 1000;

export function emptyHealth(): HealthState {
  return {
    version: 1,
    ops: {},
    saveDurations: { bounds: [...SAVE_DURATION_BOUNDS], counts: new Array(SAVE_DURATION_BOUNDS.length + 1).fill(0), sum: 0, count: 0 },
    failingFiles: {},
    badVersions: [],
    remotes: {},
    verifyFailures: 0,
    alerts: { incidents: {} },
  };
}

/** Accept what a (possibly older or damaged) file holds; anything unexpected starts that part afresh. */
export function normalizeHealth(raw: unknown): HealthState {
  const base = emptyHealth();
  if (!raw || typeof raw !== 'object' || (raw as { version?: unknown }).version !== 1) return base;
  const r = raw as Partial<HealthState>;
  const obj = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  const h = r.saveDurations;
  const histOk = !!h && Array.isArray(h.bounds) && Array.isArray(h.counts) && h.bounds.join() === SAVE_DURATION_BOUNDS.join() && h.counts.length === h.bounds.length + 1;
  return {
    version: 1,
    ops: obj(r.ops) ? (r.ops as HealthState['ops']) : {},
    saveDurations: histOk ? h! : base.saveDurations,
    failingFiles: obj(r.failingFiles) ? (r.failingFiles as HealthState['failingFiles']) : {},
    badVersions: Array.isArray(r.badVersions) ? r.badVersions : [],
    remotes: obj(r.remotes) ? (r.remotes as HealthState['remotes']) : {},
    verifyFailures: typeof r.verifyFailures === 'number' ? r.verifyFailures : 0,
    alerts: obj(r.alerts) && obj(r.alerts!.incidents) ? r.alerts! : { incidents: {} },
  };
}

function clip(text: string, n = MAX_MESSAGE_CHARS): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/** Keep a record small: long messages clipped, oversized details dropped (named so nobody wonders). */
export function boundRecord(rec: OperationRecord): StoredRecord {
  const startedAt = rec.startedAt instanceof Date ? rec.startedAt.toISOString() : rec.startedAt;
  const out: StoredRecord = { op: rec.op, ok: rec.ok, startedAt, durationMs: Math.max(0, Math.round(rec.durationMs * 1000) / 1000) };
  if (rec.error) out.error = { code: rec.error.code, message: clip(rec.error.message) };
  if (rec.details) {
    const text = JSON.stringify(rec.details);
    out.details = text.length <= MAX_DETAILS_CHARS ? rec.details : { truncated: true, keys: Object.keys(rec.details) };
  }
  return out;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function badList(v: unknown): { path: string; version: number; status: string }[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is { path: string; version: number; status?: string } => !!x && typeof x.path === 'string' && typeof x.version === 'number').map((x) => ({ path: x.path, version: x.version, status: typeof x.status === 'string' ? x.status : 'corrupted' }));
}

export function observeDuration(h: DurationHistogram, seconds: number): DurationHistogram {
  const i = h.bounds.findIndex((b) => seconds <= b);
  const counts = [...h.counts];
  counts[i < 0 ? h.bounds.length : i]! += 1;
  return { bounds: h.bounds, counts, sum: h.sum + seconds, count: h.count + 1 };
}

/** Fold one finished operation into the state. */
export function applyRecord(state: HealthState, input: OperationRecord): HealthState {
  const rec = boundRecord(input);
  const prev = state.ops[rec.op];
  const summary: OpSummary = {
    last: rec,
    ...(prev?.lastSuccess ? { lastSuccess: prev.lastSuccess } : {}),
    ...(prev?.lastFailure ? { lastFailure: prev.lastFailure } : {}),
    total: (prev?.total ?? 0) + 1,
    failures: (prev?.failures ?? 0) + (rec.ok ? 0 : 1),
    failuresSinceSuccess: rec.ok ? 0 : (prev?.failuresSinceSuccess ?? 0) + 1,
    recentErrors: rec.ok ? [] : [...(prev?.recentErrors ?? []), { at: rec.startedAt, code: rec.error?.code ?? 'E_INTERNAL', message: rec.error?.message ?? '' }].slice(-MAX_RECENT_ERRORS),
  };
  if (rec.ok) summary.lastSuccess = rec;
  else summary.lastFailure = rec;
  const next: HealthState = { ...state, ops: { ...state.ops, [rec.op]: summary } };

  if (rec.op === 'save') {
    if (rec.ok) next.saveDurations = observeDuration(state.saveDurations, rec.durationMs / 1000);
    const failing = { ...state.failingFiles };
    for (const f of stringList(input.details?.files)) {
      if (rec.ok) delete failing[f];
      // a caller's mistake (a typo, a refused --check) is in the op summary, not a file failing to back up
      else if (isBackupFailure(rec.error?.code ?? 'E_INTERNAL')) failing[f] = { since: failing[f]?.since ?? rec.startedAt, attempts: (failing[f]?.attempts ?? 0) + 1, error: rec.error ?? { code: 'E_INTERNAL', message: '' } };
    }
    next.failingFiles = failing;
  }
  // a verify that did not finish (bad argument, unreadable vault) leaves what was known before
  if (rec.op === 'verify' && (rec.ok || rec.error?.code === 'E_VERIFY_FAILED')) {
    const scope = typeof input.details?.scope === 'string' ? input.details.scope : undefined;
    const found = badList(input.details?.bad).map((b) => ({ ...b, foundAt: rec.startedAt, by: 'verify' }));
    const kept = state.badVersions.filter((b) => scope !== undefined && b.path !== scope);
    next.badVersions = [...kept, ...found].slice(0, MAX_BAD_VERSIONS);
    if (!rec.ok) next.verifyFailures = state.verifyFailures + 1;
  }
  // a restore, or maintain's restoration test, that found a version failing its checksum
  if ((rec.op === 'restore' || rec.op === 'maintain') && !rec.ok) {
    const found = badList(input.details?.corrupt).map((b) => ({ ...b, foundAt: rec.startedAt, by: rec.op }));
    const known = new Set(state.badVersions.map((b) => `${b.path}@${b.version}`));
    next.badVersions = [...state.badVersions, ...found.filter((b) => !known.has(`${b.path}@${b.version}`))].slice(0, MAX_BAD_VERSIONS);
  }
  if (rec.op === 'push' && typeof input.details?.remote === 'string') {
    const name = input.details.remote;
    const was = state.remotes[name];
    next.remotes = {
      ...state.remotes,
      [name]: rec.ok
        ? { lastAttempt: rec.startedAt, ok: true }
        : { lastAttempt: rec.startedAt, ok: false, since: was && !was.ok && was.since ? was.since : rec.startedAt, error: rec.error ?? { code: 'E_INTERNAL', message: '' } },
    };
  }
  return next;
}

/** Remove what no longer exists (a remote that was removed) so it cannot keep an alert open. */
export function forgetRemotes(state: HealthState, configured: readonly string[]): HealthState {
  const keep = new Set(configured);
  const remotes = Object.fromEntries(Object.entries(state.remotes).filter(([n]) => keep.has(n)));
  return Object.keys(remotes).length === Object.keys(state.remotes).length ? state : { ...state, remotes };
}
