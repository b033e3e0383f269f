/** A vault-wide write lock (O_EXCL lock file, stale locks of dead processes are taken over). */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { trackTemp } from './cleanup.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockOptions {
  /** lock file name under .git/savepoint (default "lock", the vault's write lock) */
  name?: string;
  /** how long to wait for another holder (default 5 s) */
  waitMs?: number;
  /** called once when the lock is busy and we start waiting */
  onWait?: (holder: { pid: number; what: string }) => void;
  /** wait between tries (default 100 ms) */
  delayMs?: number;
}

export async function withLock<T>(gitdir: string, what: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const dir = path.join(gitdir, 'savepoint');
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, opts.name ?? 'lock');
  const deadline = Date.now() + (opts.waitMs ?? 5000);
  let waiting = false;
  for (;;) {
    try {
      const h = await fsp.open(file, 'wx');
      await h.writeFile(`${process.pid}\n${what}\n`);
      await h.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const text = await fsp.readFile(file, 'utf8').catch(() => '');
      const pid = Number(text.split('\n')[0]);
      if (pid && !alive(pid)) {
        await fsp.rm(file, { force: true });
        continue;
      }
      if (!waiting) {
        waiting = true;
        opts.onWait?.({ pid, what: text.split('\n')[1] ?? 'unknown' });
      }
      if (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, opts.delayMs ?? 100));
        continue;
      }
      throw new SavepointError('E_LOCKED', `Another Savepoint process (pid ${pid || '?'}: ${text.split('\n')[1] ?? 'unknown'}) is writing to this vault. Wait for it to finish; if none is running, delete ${file}.`, { lock: file, pid });
    }
  }
  const untrack = trackTemp(file);
  try {
    return await fn();
  } finally {
    untrack();
    await fsp.rm(file, { force: true });
  }
}
