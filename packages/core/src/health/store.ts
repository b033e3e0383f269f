/**
 * health.json I/O: read-modify-write under a short lock of its own (.git/savepoint/health.lock), written to a
 * temp file and renamed, so concurrent processes neither corrupt it nor lose each other's records. A vault
 * whose .git cannot be written (read-only media, permissions) is simply not recorded: never an error.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { withLock } from '../util/lock.js';
import { emptyHealth, normalizeHealth } from './state.js';
import type { HealthState } from './state.js';

export function healthFile(gitdir: string): string {
  return path.join(gitdir, 'savepoint', 'health.json');
}

export async function readHealthState(gitdir: string): Promise<HealthState> {
  try {
    return normalizeHealth(JSON.parse(await fsp.readFile(healthFile(gitdir), 'utf8')));
  } catch {
    // missing, unreadable or damaged: start afresh (the next write replaces a damaged file)
    return emptyHealth();
  }
}


/**
 * Apply `fn` to the stored state and write the result. Returns the new state, or null when it could not be
 * written (read-only vault, lock held too long by another process); callers carry on either way.
 */
export async function updateHealthState(gitdir: string, fn: (s: HealthState) => HealthState): Promise<HealthState | null> {
  // a lock left by a process killed before it wrote its pid is taken over by the shared lock (util/lock.ts)
  const r = await updateUnderLock(gitdir, fn);
  return r === 'locked' ? null : r;
}

async function updateUnderLock(gitdir: string, fn: (s: HealthState) => HealthState): Promise<HealthState | null | 'locked'> {
  try {
    return await withLock(
      gitdir,
      'health record',
      async () => {
        const next = fn(await readHealthState(gitdir));
        const file = healthFile(gitdir);
        await writeFileAtomic(file, JSON.stringify(next) + '\n', { fsync: false });
        return next;
      },
      { name: 'health.lock', waitMs: 3000, delayMs: 10 },
    );
  } catch (e) {
    return (e as { code?: string }).code === 'E_LOCKED' ? 'locked' : null;
  }
}
