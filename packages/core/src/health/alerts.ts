/**
 * Alert incidents, pure: observations (from the health record, the push queue, the clock and the disk) become
 * the conditions that hold now; comparing them with the previous incidents gives the events to send — one
 * `firing` event when an incident opens (resent until delivered), one `resolved` event when it clears.
 */
import type { AlertName, AlertState, BadVersion, Incident, OpError } from './state.js';

export interface AlertObservations {
  /** ISO time of this evaluation */
  now: string;
  /** files whose last save attempt failed for a reason that is not the caller's mistake */
  failingFiles: { path: string; since: string; attempts: number; error: OpError }[];
  badVersions: BadVersion[];
  /** last successful save (null: none recorded) and the configured staleAfter */
  stale?: { lastSaveAt: string | null; staleAfter: string; staleAfterMs: number };
  disk?: { freeBytes: number; minFreeBytes: number };
  failingRemotes: { remote: string; since: string; error: OpError; queued: boolean }[];
}

export interface Condition {
  key: string;
  alert: AlertName;
  subject?: string;
  since: string;
  message: string;
  details: Record<string, unknown>;
}

export interface AlertEvent {
  schema: 1;
  /** the alert's name when it fires (`save_failed`, …), `resolved` when it clears */
  event: AlertName | 'resolved';
  alert: AlertName;
  status: 'firing' | 'resolved';
  /** incident identity: the alert name, plus `:subject` for per-remote alerts */
  key: string;
  subject?: string;
  /** when the condition began */
  since: string;
  /** when this event was produced */
  at: string;
  message: string;
  details: Record<string, unknown>;
}

/**
 * Save failures that are the caller's own doing (a typo, a refused --check, a bad tag) are recorded in the
 * health record but do not raise the `save_failed` alert: they are answered on the spot, not left unnoticed.
 */
const CALLER_ERRORS = new Set(['E_FILE_NOT_FOUND', 'E_NOT_A_FILE', 'E_PATH_OUTSIDE_VAULT', 'E_INVALID_ARGUMENT', 'E_BAD_TAG_NAME', 'E_TAG_EXISTS', 'E_VALIDATION_FAILED', 'E_NOT_TRACKED']);

export function isBackupFailure(code: string): boolean {
  return !CALLER_ERRORS.has(code);
}

const minIso = (xs: string[]) => xs.reduce((a, b) => (b < a ? b : a));

/** The conditions that hold now (sorted by key). */
export function activeConditions(obs: AlertObservations): Condition[] {
  const out: Condition[] = [];
  if (obs.failingFiles.length) {
    const files = [...obs.failingFiles].sort((a, b) => a.path.localeCompare(b.path));
    const first = files[0]!;
    out.push({
      key: 'save_failed',
      alert: 'save_failed',
      since: minIso(files.map((f) => f.since)),
      message: `${files.length === 1 ? first.path : `${files.length} files`} could not be saved [${first.error.code}]: ${first.error.message}`,
      details: { files: files.map((f) => ({ path: f.path, since: f.since, attempts: f.attempts, code: f.error.code, message: f.error.message })) },
    });
  }
  if (obs.badVersions.length) {
    const bad = [...obs.badVersions].sort((a, b) => a.path.localeCompare(b.path) || a.version - b.version);
    out.push({
      key: 'corrupt_version',
      alert: 'corrupt_version',
      since: minIso(bad.map((b) => b.foundAt)),
      message: `${bad.length} stored version${bad.length === 1 ? ' is' : 's are'} damaged or missing (${bad.slice(0, 5).map((b) => `${b.path}@${b.version}`).join(', ')}${bad.length > 5 ? ', …' : ''}); restore them from a remote or an archive`,
      details: { versions: bad.map((b) => ({ path: b.path, version: b.version, status: b.status, foundBy: b.by })) },
    });
  }
  if (obs.stale && obs.stale.lastSaveAt !== null) {
    const due = Date.parse(obs.stale.lastSaveAt) + obs.stale.staleAfterMs;
    if (Date.parse(obs.now) > due) {
      out.push({
        key: 'stale',
        alert: 'stale',
        since: new Date(due).toISOString(),
        message: `no successful save since ${obs.stale.lastSaveAt} (staleAfter ${obs.stale.staleAfter})`,
        details: { lastSaveAt: obs.stale.lastSaveAt, staleAfter: obs.stale.staleAfter },
      });
    }
  }
  if (obs.disk && obs.disk.freeBytes < obs.disk.minFreeBytes) {
    out.push({
      key: 'disk_full',
      alert: 'disk_full',
      since: obs.now,
      message: `only ${obs.disk.freeBytes} bytes free on the vault's disk (minFreeBytes ${obs.disk.minFreeBytes})`,
      details: { freeBytes: obs.disk.freeBytes, minFreeBytes: obs.disk.minFreeBytes },
    });
  }
  for (const r of obs.failingRemotes) {
    out.push({
      key: `remote_failing:${r.remote}`,
      alert: 'remote_failing',
      subject: r.remote,
      since: r.since,
      message: `pushes to remote ${r.remote} fail [${r.error.code}]: ${r.error.message}`,
      details: { remote: r.remote, code: r.error.code, message: r.error.message, queued: r.queued },
    });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

function event(status: 'firing' | 'resolved', c: Pick<Incident, 'key' | 'alert' | 'subject' | 'since' | 'message' | 'details'>, at: string): AlertEvent {
  return { schema: 1, event: status === 'firing' ? c.alert : 'resolved', alert: c.alert, status, key: c.key, ...(c.subject !== undefined ? { subject: c.subject } : {}), since: c.since, at, message: c.message, details: c.details };
}

/**
 * Previous incidents + the conditions holding now → events to send and the next incidents. New conditions
 * fire once; an incident whose firing event was not delivered fires again; cleared incidents that were
 * announced get a `resolved` event (never-announced ones just close). Events count as delivered here, so a
 * concurrent evaluation cannot send them twice; markUndelivered puts back what could not be sent.
 */
export function planAlerts(prev: AlertState, conditions: Condition[], now: string): { events: AlertEvent[]; next: AlertState } {
  const events: AlertEvent[] = [];
  const incidents: Record<string, Incident> = {};
  const active = new Set<string>();
  for (const c of conditions) {
    active.add(c.key);
    const was = prev.incidents[c.key];
    if (!was || !was.notified) events.push(event('firing', { ...c, since: was?.since ?? c.since }, now));
    incidents[c.key] = { key: c.key, alert: c.alert, ...(c.subject !== undefined ? { subject: c.subject } : {}), since: was?.since ?? c.since, message: c.message, details: c.details, notified: true };
  }
  for (const [key, was] of Object.entries(prev.incidents).sort(([a], [b]) => a.localeCompare(b))) {
    if (active.has(key) || !was.notified) continue;
    events.push(event('resolved', was, now));
  }
  return { events, next: { ...prev, incidents, lastEvaluated: now } };
}

/**
 * Put back what reached no channel: a firing event's incident is marked not notified (sent again next time);
 * a resolved event's incident is reopened as notified, so the next evaluation resolves it again — or, if the
 * condition is back by then, carries on silently (the receiver never heard it had cleared).
 */
export function markUndelivered(state: AlertState, failed: readonly AlertEvent[]): AlertState {
  if (!failed.length) return state;
  const incidents = { ...state.incidents };
  for (const e of failed) {
    const cur = incidents[e.key];
    if (e.status === 'firing') {
      if (cur) incidents[e.key] = { ...cur, notified: false };
    } else if (!cur) {
      incidents[e.key] = { key: e.key, alert: e.alert, ...(e.subject !== undefined ? { subject: e.subject } : {}), since: e.since, message: e.message, details: e.details, notified: true };
    }
  }
  return { ...state, incidents };
}
