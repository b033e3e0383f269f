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
import { writeFileAtomic } from '../util/atomic.js';

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
  return recordOperations(vault, [rec], opts);
}

/** Several finished operations in one read-modify-write of the health record (e.g. the after-save steps). */
export async function recordOperations(vault: Vault, recs: OperationRecord[], opts: RecordOptions = {}): Promise<RecordResult> {
  let recorded = false;
  try {
    const configured = listRemotes(vault).map((r) => r.name);
    recorded = (await updateHealthState(vault.gitdir, (s) => forgetRemotes(recs.reduce(applyRecord, s), configured))) !== null;
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

interface DirSummary {
  mtimeMs: number;
  bytes: number;
  files: number;
  /** files ending in .pack / .tar.gz */
  packs: number;
  archives: number;
  /** names of the folders inside */
  subdirs: string[];
}

/**
 * Bytes and file counts of a folder tree, summarised per folder and cached by the folder's mtime: object
 * and archive files are only ever added, renamed in or removed (each of which changes the folder's mtime),
 * so an unchanged folder need not be read again. Without the cache a vault of 10,000 saves costs a second.
 */
async function summarise(dir: string, cache: Record<string, DirSummary>, fresh: Record<string, DirSummary>): Promise<{ bytes: number; files: number; packs: number; archives: number }> {
  const total = { bytes: 0, files: 0, packs: 0, archives: 0 };
  const walk = async (d: string): Promise<void> => {
    const st = await fsp.stat(d).catch(() => null);
    if (!st || !st.isDirectory()) return;
    const hit = cache[d];
    let own: DirSummary;
    if (hit && hit.mtimeMs === st.mtimeMs && Array.isArray(hit.subdirs)) own = hit;
    else {
      const entries = await fsp.readdir(d, { withFileTypes: true }).catch(() => []);
      own = { mtimeMs: st.mtimeMs, bytes: 0, files: 0, packs: 0, archives: 0, subdirs: entries.filter((e) => e.isDirectory()).map((e) => e.name) };
      for (const e of entries) {
        if (!e.isFile()) continue;
        const fst = await fsp.stat(path.join(d, e.name)).catch(() => null);
        if (!fst) continue;
        own.bytes += fst.size;
        own.files += 1;
        if (e.name.endsWith('.pack')) own.packs += 1;
        if (e.name.endsWith('.tar.gz')) own.archives += 1;
      }
    }
    fresh[d] = own;
    total.bytes += own.bytes;
    total.files += own.files;
    total.packs += own.packs;
    total.archives += own.archives;
    await Promise.all(own.subdirs.map((sub) => walk(path.join(d, sub))));
  };
  await walk(dir);
  return total;
}

export async function storeSizes(vault: Vault): Promise<StoreSizes> {
  const cacheFile = path.join(vault.gitdir, 'savepoint', 'sizes-cache.json');
  let cache: Record<string, DirSummary> = {};
  try {
    cache = JSON.parse(await fsp.readFile(cacheFile, 'utf8')) as Record<string, DirSummary>;
  } catch {
    // first run, or a damaged cache: measure everything
  }
  const fresh: Record<string, DirSummary> = {};
  const objectsDir = path.join(vault.gitdir, 'objects');
  const objects = await summarise(objectsDir, cache, fresh);
  const packDir = fresh[path.join(objectsDir, 'pack')];
  const archives = await summarise(path.resolve(vault.dir, vault.config.archiveLocation), cache, fresh);
  if (JSON.stringify(fresh) !== JSON.stringify(cache)) {
    // a cache: written whole and renamed, last writer wins; a read-only vault simply measures each time
    await writeFileAtomic(cacheFile, JSON.stringify(fresh), { fsync: false, mkdir: false }).catch(() => {});
  }
  const nonLoose = ['info', 'pack'].reduce((n, d) => n + (fresh[path.join(objectsDir, d)]?.files ?? 0), 0) + (fresh[objectsDir]?.files ?? 0);
  return {
    objectBytes: objects.bytes,
    looseObjects: objects.files - nonLoose,
    packs: packDir?.packs ?? 0,
    archiveBytes: archives.bytes,
    archives: archives.archives,
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
