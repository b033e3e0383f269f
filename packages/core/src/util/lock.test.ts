import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-vault.js';
import { formatLockFile, lockedMessage, lockIsStale, parseLockFile, processAlive, STALE_UNREADABLE_MS, withLock } from './lock.js';

let gitdir: string;
let lock: string;
beforeEach(async () => {
  gitdir = await makeTempDir('sp-lock-');
  await fsp.mkdir(path.join(gitdir, 'savepoint'));
  lock = path.join(gitdir, 'savepoint', 'lock');
});
afterEach(() => fsp.rm(gitdir, { recursive: true, force: true }));

async function writeOld(file: string, text: string, ageMs: number): Promise<void> {
  await fsp.writeFile(file, text);
  const t = new Date(Date.now() - ageMs);
  await fsp.utimes(file, t, t);
}

describe('parseLockFile / lockIsStale', () => {
  it('reads pid, purpose and host, and nothing from garbage', () => {
    expect(parseLockFile('123\nsave\nbox\n')).toEqual({ pid: 123, what: 'save', host: 'box' });
    expect(parseLockFile('123\nsave\n')).toEqual({ pid: 123, what: 'save', host: null });
    for (const t of ['', '\n', 'garbage', '-5\nsave', '0\n', '12ab\n']) expect(parseLockFile(t).pid).toBeNull();
  });
  it('an unreadable lock is stale only once old; a pid lock when its owner here is dead', () => {
    const none = { pid: null, what: null, host: null };
    expect(lockIsStale(none, 100, 'h', () => true)).toBe(false);
    expect(lockIsStale(none, STALE_UNREADABLE_MS + 1, 'h', () => true)).toBe(true);
    expect(lockIsStale({ pid: 7, what: 's', host: 'h' }, 0, 'h', () => false)).toBe(true);
    expect(lockIsStale({ pid: 7, what: 's', host: 'h' }, 1e9, 'h', () => true)).toBe(false);
    expect(lockIsStale({ pid: 7, what: 's', host: 'other' }, 1e9, 'h', () => false)).toBe(false);
  });
});

describe('withLock', () => {
  it('takes over an empty lock file left by a crash', async () => {
    await writeOld(lock, '', STALE_UNREADABLE_MS + 2_000);
    expect(await withLock(gitdir, 'test', async () => 'ran', { waitMs: 200 })).toBe('ran');
    await expect(fsp.access(lock)).rejects.toThrow();
  });

  it('takes over an unparseable lock file left by a crash', async () => {
    await writeOld(lock, '\u0000\u0000garbage', STALE_UNREADABLE_MS + 2_000);
    expect(await withLock(gitdir, 'test', async () => 'ran', { waitMs: 200 })).toBe('ran');
  });

  it('takes over the lock of a dead process', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    expect(processAlive(pid)).toBe(false);
    await fsp.writeFile(lock, `${pid}\nsave\n${os.hostname()}\n`);
    expect(await withLock(gitdir, 'test', async () => 'ran', { waitMs: 200 })).toBe('ran');
  });

  it('after taking over a dead writer\'s lock, removes the ref locks it left since it started (and no older ones)', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    const started = new Date(Date.now() - 60_000);
    await writeOld(lock, formatLockFile(pid, 'save', os.hostname(), started), 30_000);
    await fsp.mkdir(path.join(gitdir, 'refs', 'notes'), { recursive: true });
    const left = path.join(gitdir, 'refs', 'notes', 'savepoint.lock');
    await writeOld(left, `${'a'.repeat(40)}\n`, 30_000);
    const older = path.join(gitdir, 'refs', 'heads.lock');
    await writeOld(older, 'x', 3_600_000); // before the dead writer started: not ours to judge
    expect(await withLock(gitdir, 'test', async () => fsp.stat(left).then(() => 'kept', () => 'swept'), { waitMs: 200 })).toBe('swept');
    expect(await fsp.stat(older).then(() => true)).toBe(true);
  });

  it('waits for, then refuses, a live owner; a fresh empty lock (owner about to write its pid) is live too', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await fsp.writeFile(lock, `${child.pid}\nsave\n${os.hostname()}\n`);
      await expect(withLock(gitdir, 'test', async () => 'ran', { waitMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED', details: { pid: child.pid } });
      expect(await fsp.readFile(lock, 'utf8')).toContain(String(child.pid));
    } finally {
      child.kill('SIGKILL');
    }
    await fsp.writeFile(lock, '');
    await expect(withLock(gitdir, 'test', async () => 'ran', { waitMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    expect(await fsp.readFile(lock, 'utf8')).toBe('');
  });

  it('serialises concurrent holders', async () => {
    const order: string[] = [];
    const job = (n: string) => withLock(gitdir, n, async () => {
      order.push(`${n}+`);
      await new Promise((r) => setTimeout(r, 30));
      order.push(`${n}-`);
    });
    await Promise.all([job('a'), job('b'), job('c')]);
    for (let i = 0; i < order.length; i += 2) expect(order[i]!.slice(0, 1)).toBe(order[i + 1]!.slice(0, 1));
  });
});

describe('lock owner record and re-entrancy', () => {
  it('the lock file names pid, purpose, host and start time', async () => {
    let text = '';
    await withLock(gitdir, 'test', async () => {
      text = await fsp.readFile(lock, 'utf8');
    });
    const owner = parseLockFile(text);
    expect(owner).toMatchObject({ pid: process.pid, what: 'test', host: os.hostname() });
    expect(Math.abs(Date.parse(owner.started!) - Date.now())).toBeLessThan(60_000);
    expect(parseLockFile(formatLockFile(5, 'a\nb', 'h', new Date(0)))).toEqual({ pid: 5, what: 'a b', host: 'h', started: '1970-01-01T00:00:00.000Z' });
  });

  it('never breaks a lock from another host, and E_LOCKED names that host', async () => {
    // pid 999999999 runs nowhere: on this host the lock would be stale; from another host it is not ours to judge
    await fsp.writeFile(lock, formatLockFile(999_999_999, 'save', 'nas-peer.example', new Date(Date.now() - 86_400_000)));
    const err = await withLock(gitdir, 'test', async () => 'ran', { waitMs: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_LOCKED', details: { host: 'nas-peer.example' } });
    expect((err as Error).message).toMatch(/on host nas-peer\.example.*never broken automatically/);
    expect(await fsp.readFile(lock, 'utf8')).toContain('nas-peer.example');
    expect(lockedMessage({ pid: 3, what: 'save', host: os.hostname() }, lock, os.hostname())).not.toContain('host');
  });
});
