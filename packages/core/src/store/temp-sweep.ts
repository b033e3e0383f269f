/**
 * Temp files and folders that a killed process (`kill -9`, power loss) left in the git dir. Every temp name
 * Savepoint makes there carries its writer's pid; one whose pid no longer runs is removed by the next write
 * command. A temp of a live process (a concurrent save, a restore materialising a delta base) is never
 * touched. Git's own temp names (`tmp_obj_XXXXXX`, `tmp_pack_XXXXXX`) do not match and are left to git.
 * Limitation: pids are this host's. Two machines writing one vault over a network share at the same time
 * could see each other's temps as dead; the vault lock already refuses concurrent writers; a reader on
 * the other machine whose delta-base temp vanished fails and can simply be run again.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../util/lock.js';

interface SweepRule {
  /** folder, relative to the git dir */
  dir: string;
  /** group 1 (or 2) is the writer's pid */
  re: RegExp;
}

const RULES: SweepRule[] = [
  { dir: 'objects', re: /^tmp_(?:obj-|small_|fetch_)(\d+)[-_]/ },
  { dir: 'objects/pack', re: /^tmp_(?:pack|idx)-(\d+)-/ },
  { dir: 'objects/tmp-savepoint', re: /^tmp_[a-z]+-(\d+)-/ },
  { dir: 'savepoint', re: /\.(\d+)\.tmp$|\.tmp-(\d+)$/ },
  { dir: 'savepoint/tmp', re: /^(?:view|cat)-(\d+)-/ },
];

/** Pure: the pid a Savepoint temp name in `dir` (relative to the git dir) was made by, or null when it is not one. */
export function tempOwner(dir: string, name: string): number | null {
  for (const r of RULES) {
    if (r.dir !== dir) continue;
    const m = r.re.exec(name);
    const pid = m ? Number(m[1] ?? m[2]) : NaN;
    if (Number.isSafeInteger(pid) && pid > 0) return pid;
  }
  return null;
}

export interface SweepResult {
  removed: string[];
  bytes: number;
}

/** Remove temps of dead processes (see module comment). Best effort: an unreadable folder is skipped. */
export async function sweepStaleTemps(gitdir: string, alive: (pid: number) => boolean = processAlive, opts: { dryRun?: boolean } = {}): Promise<SweepResult> {
  const res: SweepResult = { removed: [], bytes: 0 };
  for (const dir of new Set(RULES.map((r) => r.dir))) {
    const abs = path.join(gitdir, dir);
    const names = await fsp.readdir(abs).catch(() => [] as string[]);
    for (const name of names) {
      const pid = tempOwner(dir, name);
      if (pid === null || pid === process.pid || alive(pid)) continue;
      const file = path.join(abs, name);
      try {
        const st = await fsp.lstat(file);
        if (!opts.dryRun) await fsp.rm(file, { recursive: true, force: true });
        res.removed.push(path.posix.join(dir, name));
        res.bytes += st.isFile() ? st.size : 0;
      } catch {
        // gone meanwhile, or not ours to remove (read-only media): leave it
      }
    }
  }
  return res;
}
