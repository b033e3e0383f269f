/**
 * recordOperation: fold a finished save / verify / push / maintain / restore into the health record, then
 * evaluate alerts. readHealth: the summary `status --json` shows. Neither throws for a vault that cannot be
 * written.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { listRemotes } from '../remote/config.js';
import { readPushQueue } from '../remote/queue.js';
import type { QueueEntry } from '../remote/queue.js';
import type { Vault } from '../vault.js';
import { evaluateAlerts } from './evaluate.js';
import type { EvaluateAlertsResult } from './evaluate.js';
import { applyRecord, forgetRemotes } from './state.js';
import type { BadVersion, DurationHistogram, FailingFile, OpError, OperationRecord, OpSummary, RemoteHealth } from './state.js';
import { readHealthState, updateHealthState } from './store.js';

export interface RecordOptions {
  /** evaluate alerts afterwards (default true) */
  alerts?: boolean;
  now?: () => Date;
}

export interface RecordResult {
  recorded: boolean;
  alerts?: EvaluateAlertsResult;
}

export async function recordOperation(vault: Vault, rec: OperationRecord, opts: RecordOptions = {}): Promise<RecordResult> {
  let recorded = false;
  try {
    const configured = listRemotes(vault).map((r) => r.name);
    recorded = (await updateHealthState(vault.gitdir, (s) => forgetRemotes(applyRecord(s, rec), configured))) !== null;
  } catch {
    // never let bookkeeping fail the operation
  }
  if (opts.alerts === false) return { recorded };
  return { recorded, alerts: await evaluateAlerts(vault, opts.now ? { now: opts.now } : {}) };
}

/** The error of a failed operation, as the health record keeps it. */
export function opErrorOf(e: unknown): OpError {
  if (e instanceof SavepointError) return { code: e.code, message: e.message };
  const err = e as NodeJS.ErrnoException | undefined;
  return { code: 'E_INTERNAL', message: err?.message ?? String(e) };
}

/** Time an operation and record it, success or failure (the error is rethrown unchanged). */
export async function recorded<T>(vault: Vault, op: OperationRecord['op'], fn: () => Promise<T>, details: (r: T | undefined, e: unknown) => { ok?: boolean; error?: OpError; details?: Record<string, unknown> } | null): Promise<T> {
  const startedAt = new Date();
  const t0 = performance.now();
  let result: T | undefined;
  let failure: unknown;
  let failed = false;
  try {
    result = await fn();
    return result;
  } catch (e) {
    failure = e;
    failed = true;
    throw e;
  } finally {
    const extra = details(result, failure);
    if (extra) {
      const ok = extra.ok ?? !failed;
      await recordOperation(vault, {
        op,
        ok,
        startedAt: startedAt.toISOString(),
        durationMs: performance.now() - t0,
        ...(failed ? { error: extra.error ?? opErrorOf(failure) } : extra.error ? { error: extra.error } : {}),
        ...(extra.details ? { details: extra.details } : {}),
      });
    }
  }
}

export interface OpHealth {
  /** when the most recent run started, whether it succeeded, how long it took */
  lastAt: string;
  ok: boolean;
  durationMs: number;
  error?: OpError;
  lastSuccessAt?: string;
  lastFailureAt?: string;
  runs: number;
  failures: number;
  /** errors since the last success (empty after a success) */
  errorsSinceSuccess: number;
  recentErrors: (OpError & { at: string })[];
}

export interface StoreSizes {
  /** bytes under .git/objects (loose objects and packs) */
  objectBytes: number;
  looseObjects: number;
  packs: number;
  /** bytes of retention archives */
  archiveBytes: number;
  archives: number;
}

export interface Health {
  /** true when no operation's last run failed, nothing is damaged, no push waits and no alert is open */
  ok: boolean;
  save: OpHealth | null;
  verify: OpHealth | null;
  push: OpHealth | null;
  maintain: OpHealth | null;
  restore: OpHealth | null;
  /** other recorded operations (retention, compact, …) */
  other: Record<string, OpHealth>;
  failingFiles: (FailingFile & { path: string })[];
  badVersions: BadVersion[];
  remotes: Record<string, RemoteHealth>;
  pushQueue: { length: number; entries: QueueEntry[] };
  verifyFailures: number;
  saveDurations: DurationHistogram;
  sizes?: StoreSizes;
  alerts: { configured: boolean; firing: { key: string; alert: string; subject?: string; since: string; message: string }[]; lastDeliveryError?: { at: string; channel: string; message: string } };
}

function opHealth(s: OpSummary | undefined): OpHealth | null {
  if (!s) return null;
  return {
    lastAt: s.last.startedAt,
    ok: s.last.ok,
    durationMs: s.last.durationMs,
    ...(s.last.error ? { error: s.last.error } : {}),
    ...(s.lastSuccess ? { lastSuccessAt: s.lastSuccess.startedAt } : {}),
    ...(s.lastFailure ? { lastFailureAt: s.lastFailure.startedAt } : {}),
    runs: s.total,
    failures: s.failures,
    errorsSinceSuccess: s.failuresSinceSuccess,
    recentErrors: s.recentErrors,
  };
}

async function dirBytes(dir: string): Promise<{ bytes: number; files: string[] }> {
  const out = { bytes: 0, files: [] as string[] };
  const walk = async (d: string): Promise<void> => {
    const entries = await fsp.readdir(d, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) return walk(p);
        if (!e.isFile()) return;
        const st = await fsp.stat(p).catch(() => null);
        if (st) {
          out.bytes += st.size;
          out.files.push(p);
        }
      }),
    );
  };
  await walk(dir);
  return out;
}

export async function storeSizes(vault: Vault): Promise<StoreSizes> {
  const objectsDir = path.join(vault.gitdir, 'objects');
  const objects = await dirBytes(objectsDir);
  const archives = await dirBytes(path.resolve(vault.dir, vault.config.archiveLocation));
  const rel = (f: string) => path.relative(objectsDir, f).split(path.sep);
  return {
    objectBytes: objects.bytes,
    looseObjects: objects.files.filter((f) => /^[0-9a-f]{2}$/.test(rel(f)[0]!)).length,
    packs: objects.files.filter((f) => rel(f)[0] === 'pack' && f.endsWith('.pack')).length,
    archiveBytes: archives.bytes,
    archives: archives.files.filter((f) => f.endsWith('.tar.gz')).length,
  };
}

export interface ReadHealthOptions {
  /** also measure the object store and archives (walks .git/objects; default true) */
  sizes?: boolean;
}

export async function readHealth(vault: Vault, opts: ReadHealthOptions = {}): Promise<Health> {
  const s = await readHealthState(vault.gitdir);
  const configured = new Set(listRemotes(vault).map((r) => r.name));
  const queue = (await readPushQueue(vault.gitdir)).entries;
  const known = new Set(['save', 'verify', 'push', 'maintain', 'restore']);
  const other = Object.fromEntries(Object.entries(s.ops).filter(([k]) => !known.has(k)).map(([k, v]) => [k, opHealth(v)!]));
  const cfg = vault.config.alerts;
  const h: Health = {
    ok: false,
    save: opHealth(s.ops.save),
    verify: opHealth(s.ops.verify),
    push: opHealth(s.ops.push),
    maintain: opHealth(s.ops.maintain),
    restore: opHealth(s.ops.restore),
    other,
    failingFiles: [],
    badVersions: s.badVersions,
    remotes: Object.fromEntries(Object.entries(s.remotes).filter(([n]) => configured.has(n))),
    pushQueue: { length: queue.length, entries: queue },
    verifyFailures: s.verifyFailures,
    saveDurations: s.saveDurations,
    alerts: {
      configured: !!(cfg && (cfg.command || cfg.webhook)),
      firing: Object.values(s.alerts.incidents).map((i) => ({ key: i.key, alert: i.alert, ...(i.subject !== undefined ? { subject: i.subject } : {}), since: i.since, message: i.message })),
      ...(s.alerts.lastDeliveryError ? { lastDeliveryError: s.alerts.lastDeliveryError } : {}),
    },
  };
  // a file that failed and is gone since cannot be saved any more: it no longer counts against health
  for (const [p, f] of Object.entries(s.failingFiles)) if (await fsp.stat(path.join(vault.dir, p)).catch(() => null)) h.failingFiles.push({ path: p, ...f });
  if (opts.sizes !== false) h.sizes = await storeSizes(vault);
  const ops = [h.save, h.verify, h.push, h.maintain, h.restore, ...Object.values(other)];
  h.ok = ops.every((o) => !o || o.ok) && !h.failingFiles.length && !h.badVersions.length && !queue.length && !h.alerts.firing.length;
  return h;
}
