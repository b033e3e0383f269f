/**
 * Pushes that failed (usually auto-pushes after a save) wait in .git/savepoint/push-queue.json and are
 * retried with exponential backoff on the next save, or at once by `savepoint push`. Pure planning
 * (nextAttempt, dueEntries) is apart from the file I/O.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';

export interface QueueEntry {
  remote: string;
  /** when the remote first fell behind (ISO) */
  since: string;
  attempts: number;
  lastAttempt: string;
  /** earliest time an automatic retry is made (ISO) */
  nextAttempt: string;
  lastError: { code: string; message: string };
}

export interface PushQueue {
  version: 1;
  entries: QueueEntry[];
}

export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_MAX_MS = 60 * 60_000;

/** Delay before retry number `attempts + 1`: 30 s, 1 min, 2 min, … capped at 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export function recordFailure(queue: PushQueue, remote: string, now: Date, error: { code: string; message: string }): PushQueue {
  const prev = queue.entries.find((e) => e.remote === remote);
  const attempts = (prev?.attempts ?? 0) + 1;
  const entry: QueueEntry = {
    remote,
    since: prev?.since ?? now.toISOString(),
    attempts,
    lastAttempt: now.toISOString(),
    nextAttempt: new Date(now.getTime() + backoffMs(attempts)).toISOString(),
    lastError: error,
  };
  return { version: 1, entries: [...queue.entries.filter((e) => e.remote !== remote), entry].sort((a, b) => a.remote.localeCompare(b.remote)) };
}

export function recordSuccess(queue: PushQueue, remote: string): PushQueue {
  return { version: 1, entries: queue.entries.filter((e) => e.remote !== remote) };
}

/** Is an automatic retry of `remote` allowed at `now`? (Explicit pushes ignore the backoff.) */
export function isDue(queue: PushQueue, remote: string, now: Date): boolean {
  const e = queue.entries.find((x) => x.remote === remote);
  return !e || Date.parse(e.nextAttempt) <= now.getTime();
}

function queueFile(gitdir: string): string {
  return path.join(gitdir, 'savepoint', 'push-queue.json');
}

export async function readPushQueue(gitdir: string): Promise<PushQueue> {
  try {
    const q = JSON.parse(await fsp.readFile(queueFile(gitdir), 'utf8')) as PushQueue;
    if (q && q.version === 1 && Array.isArray(q.entries)) return q;
  } catch {
    // missing or unreadable: an empty queue (a damaged file is rewritten on the next change)
  }
  return { version: 1, entries: [] };
}

export async function writePushQueue(gitdir: string, queue: PushQueue): Promise<void> {
  const file = queueFile(gitdir);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  if (queue.entries.length === 0) {
    await fsp.rm(file, { force: true });
    return;
  }
  await writeFileAtomic(file, JSON.stringify(queue, null, 2) + '\n');
}

/** Read-modify-write of the queue (callers hold no other lock; the update is small and atomic). */
export async function updatePushQueue(gitdir: string, fn: (q: PushQueue) => PushQueue): Promise<PushQueue> {
  const next = fn(await readPushQueue(gitdir));
  await writePushQueue(gitdir, next);
  return next;
}
