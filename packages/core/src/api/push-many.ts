/** Pushing to several remotes, the push queue, and auto-push after a save (a failed push never fails a save). */
import { SavepointError, fromNodeError } from '../errors.js';
import { recordOperation } from '../health/record.js';
import type { Vault } from '../vault.js';
import { getRemote, listRemotes } from '../remote/config.js';
import { isDue, readPushQueue, recordFailure, recordSuccess, updatePushQueue } from '../remote/queue.js';
import type { QueueEntry } from '../remote/queue.js';
import { pushRemote } from '../remote/sync.js';
import type { PushResult } from '../remote/sync.js';
import type { TransportOptions } from '../remote/transport.js';
import { redactText } from '../remote/url.js';

export interface PushOutcome {
  remote: string;
  ok: boolean;
  result?: PushResult;
  error?: { code: string; message: string; details: Record<string, unknown> };
  /** not attempted: an automatic retry waits for its backoff */
  skipped?: 'backoff';
  /** the remote is (still) in the push queue after this call */
  queued: boolean;
  queueEntry?: QueueEntry;
}

export interface PushManyOptions extends TransportOptions {
  /** remote names (default: every remote) */
  remotes?: string[];
  /** automatic push (after a save): respects the retry backoff of queued remotes */
  auto?: boolean;
}

export async function pushRemotes(vault: Vault, opts: PushManyOptions = {}): Promise<PushOutcome[]> {
  const names = opts.remotes ?? listRemotes(vault).map((r) => r.name);
  for (const n of names) getRemote(vault, n); // unknown names fail before any network traffic
  const out: PushOutcome[] = [];
  for (const remote of names) {
    const queue = await readPushQueue(vault.gitdir);
    if (opts.auto && !isDue(queue, remote, vault.clock())) {
      out.push({ remote, ok: false, skipped: 'backoff', queued: true, queueEntry: queue.entries.find((e) => e.remote === remote)! });
      continue;
    }
    const startedAt = new Date();
    const t0 = performance.now();
    const record = (error?: { code: string; message: string }) =>
      recordOperation(vault, { op: 'push', ok: !error, startedAt: startedAt.toISOString(), durationMs: performance.now() - t0, ...(error ? { error } : {}), details: { remote, auto: !!opts.auto } });
    try {
      const result = await pushRemote(vault, { ...opts, remote });
      await updatePushQueue(vault.gitdir, (q) => recordSuccess(q, remote));
      out.push({ remote, ok: true, result, queued: false });
      await record();
    } catch (e) {
      const err = e instanceof SavepointError ? e : fromNodeError(e, `pushing to ${remote}`);
      const error = { code: err.code, message: redactText(err.message), details: err.details };
      // queue what saves push automatically (or what already waits); a one-off push just reports its error
      if (opts.auto || getRemote(vault, remote).autoPush || queue.entries.some((e) => e.remote === remote)) {
        const q = await updatePushQueue(vault.gitdir, (qq) => recordFailure(qq, remote, vault.clock(), { code: error.code, message: error.message }));
        out.push({ remote, ok: false, error, queued: true, queueEntry: q.entries.find((x) => x.remote === remote)! });
      } else out.push({ remote, ok: false, error, queued: false });
      await record({ code: error.code, message: error.message });
    }
  }
  return out;
}

/** Remotes a save pushes to: those with autoPush (per remote or vault-wide) plus those waiting in the queue. */
export async function autoPushTargets(vault: Vault): Promise<string[]> {
  const configured = new Set(listRemotes(vault).map((r) => r.name));
  const auto = listRemotes(vault).filter((r) => r.autoPush).map((r) => r.name);
  const queued = (await readPushQueue(vault.gitdir)).entries.map((e) => e.remote).filter((n) => configured.has(n));
  return [...new Set([...auto, ...queued])].sort();
}

/** Call after a save: pushes where configured; failures are queued and reported, never thrown. */
export async function autoPush(vault: Vault, opts: TransportOptions = {}): Promise<PushOutcome[]> {
  const remotes = await autoPushTargets(vault);
  if (remotes.length === 0) return [];
  return pushRemotes(vault, { ...opts, remotes, auto: true });
}

export async function pushQueue(vault: Vault): Promise<QueueEntry[]> {
  return (await readPushQueue(vault.gitdir)).entries;
}
