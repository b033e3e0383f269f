/**
 * A vault-wide write lock: an O_EXCL lock file holding `<pid>\n<what>\n<host>\n<started ISO>\n`. A lock is
 * stale, and is taken over, when its owner on this host is dead, or when it is empty or unreadable and older than
 * STALE_UNREADABLE_MS (a crash between creating it and writing the pid; a fresh empty file is a live owner
 * about to write). Taking over is itself guarded by a short-lived `lock.break` file and a re-check of the
 * same inode, so two waiters never remove a lock that a third process has just created.
 * A lock written by another host (a vault on a shared NAS mount) is never broken automatically: its pid
 * means nothing here, so E_LOCKED names that host and leaves the decision to the user.
 * Locks are not re-entrant: code that already holds a lock calls the unlocked inner function (see
 * retention/apply.ts `recoverRetentionHeld`), never withLock again.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import type { Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SavepointError, isReadOnlyErrno, readOnlyError } from '../errors.js';
import { trackTemp } from './cleanup.js';

/** An empty or unparseable lock older than this is a crashed owner's. */
export const STALE_UNREADABLE_MS = 5_000;
/** A `lock.break` older than this was left by a process killed while breaking a lock. */
const STALE_BREAKER_MS = 10_000;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockOwner {
  pid: number | null;
  what: string | null;
  host: string | null;
  /** when the owner took the lock (ISO), when it says */
  started?: string | null;
}

/** Pure: the lock file's text for an owner. */
export function formatLockFile(pid: number, what: string, host: string, started: Date): string {
  return `${pid}\n${what.replace(/\n/g, ' ')}\n${host}\n${started.toISOString()}\n`;
}

/** Pure: what a lock file says about its owner (null fields when it does not say). */
export function parseLockFile(text: string): LockOwner {
  const [p, what, host, started] = text.split('\n');
  const pid = p !== undefined && /^[1-9]\d{0,9}$/.test(p.trim()) ? Number(p.trim()) : null;
  const owner: LockOwner = { pid, what: pid !== null && what ? what : null, host: pid !== null && host ? host : null };
  if (pid !== null && started && !Number.isNaN(Date.parse(started))) owner.started = started;
  return owner;
}

/** Pure: the E_LOCKED sentence for a live (or foreign) owner. */
export function lockedMessage(owner: LockOwner, file: string, thisHost: string): string {
  const since = owner.started ? ` since ${owner.started}` : '';
  const who = `pid ${owner.pid ?? '?'}: ${owner.what ?? 'unknown'}${since}`;
  if (owner.host && owner.host !== thisHost) {
    return `Another Savepoint process on host ${owner.host} (${who}) holds the lock on this vault. Locks from another machine are never broken automatically: wait for it to finish; if nothing is running on ${owner.host}, delete ${file}.`;
  }
  return `Another Savepoint process (${who}) is writing to this vault. Wait for it to finish; if none is running, delete ${file}.`;
}

/** Pure: whether a lock may be taken over, given its owner, age and whether that pid runs here. */
export function lockIsStale(owner: LockOwner, ageMs: number, thisHost: string, alive: (pid: number) => boolean): boolean {
  if (owner.pid === null) return ageMs > STALE_UNREADABLE_MS;
  if (owner.host !== null && owner.host !== thisHost) return false; // another machine's process: cannot tell
  return !alive(owner.pid);
}

async function readLock(file: string): Promise<{ st: Stats; owner: LockOwner } | null> {
  try {
    const st = await fsp.stat(file);
    const text = await fsp.readFile(file, 'utf8');
    return { st, owner: parseLockFile(text) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function isStale(l: { st: Stats; owner: LockOwner }): boolean {
  return lockIsStale(l.owner, Date.now() - l.st.mtimeMs, os.hostname(), processAlive);
}

/** Remove a stale lock unless it changed since it was judged stale. Returns false when someone else is at it. */
async function breakLock(file: string, judged: Stats): Promise<boolean> {
  const breaker = `${file}.break`;
  try {
    await (await fsp.open(breaker, 'wx')).close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = await fsp.stat(breaker).catch(() => null);
    if (st && Date.now() - st.mtimeMs > STALE_BREAKER_MS) await fsp.rm(breaker, { force: true });
    return false;
  }
  try {
    const now = await readLock(file);
    if (now && now.st.ino === judged.ino && now.st.mtimeMs === judged.mtimeMs && isStale(now)) await fsp.rm(file, { force: true });
    return true;
  } finally {
    await fsp.rm(breaker, { force: true });
  }
}

export interface LockOptions {
  /** lock file name under .git/savepoint (default "lock", the vault's write lock) */
  name?: string;
  /** how long to wait for a live owner before failing with E_LOCKED (default 5 s) */
  waitMs?: number;
  /** wait between tries (default 100 ms) */
  delayMs?: number;
  /** called once when the lock is busy and we start waiting */
  onWait?: (holder: { pid: number; what: string }) => void;
}

/** A failed mkdir/open of the lock: read-only media becomes E_READ_ONLY (recursive mkdir even says ENOENT there). */
async function lockWriteError(e: unknown, gitdir: string, what: string): Promise<unknown> {
  if (isReadOnlyErrno(e)) return readOnlyError(gitdir, `starting ${what}`, e);
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
    const denied = await fsp.access(gitdir, fsConstants.W_OK).then(() => null, (a: unknown) => (isReadOnlyErrno(a) ? a : null));
    if (denied) return readOnlyError(gitdir, `starting ${what}`, denied);
  }
  return e;
}

export interface LockFileOptions extends LockOptions {
  /** the git dir, named in E_READ_ONLY when the lock cannot be written */
  gitdir: string;
  /** the E_LOCKED message for a live owner */
  busy?: (owner: LockOwner, file: string) => string;
  /** called (while the new lock is held) when a dead owner's lock was taken over */
  onTakeover?: (dead: { owner: LockOwner; mtimeMs: number }) => Promise<void>;
}

/**
 * Remove the `<ref>.lock` files under .git/refs that a killed Savepoint writer left: those created since the
 * dead owner took the vault lock. Savepoint writes its refs (history branch, notes, tags) only while holding
 * that lock, and git never reads a `.lock`, so the only thing lost is a ref update that never completed.
 */
export async function sweepDeadWriterRefLocks(gitdir: string, sinceMs: number): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith('.lock')) {
        const st = await fsp.stat(p).catch(() => null);
        if (st && st.mtimeMs >= sinceMs) {
          await fsp.rm(p, { force: true });
          removed.push(p);
        }
      }
    }
  };
  await walk(path.join(gitdir, 'refs'));
  return removed;
}

/**
 * Create `file` as a lock for `what` (taking over a stale one, waiting up to waitMs for a live one) and
 * return its release function. Registered for removal on Ctrl-C.
 */
export async function acquireLockFile(file: string, what: string, opts: LockFileOptions): Promise<() => Promise<void>> {
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true });
  } catch (e) {
    throw await lockWriteError(e, opts.gitdir, what);
  }
  const deadline = Date.now() + (opts.waitMs ?? 5_000);
  let waiting = false;
  let takenOver: { owner: LockOwner; mtimeMs: number } | null = null;
  for (;;) {
    try {
      const h = await fsp.open(file, 'wx');
      try {
        await h.writeFile(formatLockFile(process.pid, what, os.hostname(), new Date()));
      } finally {
        await h.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw await lockWriteError(e, opts.gitdir, what);
      const held = await readLock(file);
      if (!held) continue; // released meanwhile
      if (isStale(held) && (await breakLock(file, held.st))) {
        if (held.owner.pid !== null) takenOver = { owner: held.owner, mtimeMs: held.st.mtimeMs };
        continue;
      }
      if (!waiting) {
        waiting = true;
        opts.onWait?.({ pid: held.owner.pid ?? 0, what: held.owner.what ?? 'unknown' });
      }
      if (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, opts.delayMs ?? 100));
        continue;
      }
      const { pid, host } = held.owner;
      const message = opts.busy?.(held.owner, file) ?? lockedMessage(held.owner, file, os.hostname());
      throw new SavepointError('E_LOCKED', message, { lock: file, pid, host });
    }
  }
  const untrack = trackTemp(file);
  if (takenOver && opts.onTakeover) await opts.onTakeover(takenOver);
  return async () => {
    untrack();
    await fsp.rm(file, { force: true });
  };
}

export async function withLock<T>(gitdir: string, what: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const vaultLock = (opts.name ?? 'lock') === 'lock';
  const onTakeover = vaultLock
    ? async (dead: { owner: LockOwner; mtimeMs: number }) => {
        // the dead writer's own start time when it says so, else its lock file's time (1 s slack for clocks)
        const since = (dead.owner.started ? Date.parse(dead.owner.started) : dead.mtimeMs) - 1_000;
        await sweepDeadWriterRefLocks(gitdir, since);
      }
    : undefined;
  const release = await acquireLockFile(path.join(gitdir, 'savepoint', opts.name ?? 'lock'), what, { ...opts, gitdir, onTakeover });
  try {
    return await fn();
  } finally {
    await release();
  }
}
