/**
 * The one whole-file write: a temp file beside the target, optionally fsynced, renamed over the target
 * (and, with fsync, the folder fsynced so the rename itself survives a power loss). A reader sees the old
 * file or the new one, never half of one. The temp name is `.<name>.<seq>.<pid>.tmp` in the same folder:
 * its pid lets store/temp-sweep.ts remove it after a `kill -9`, and it is registered with util/cleanup.ts so
 * Ctrl-C removes it. Streams (loose objects, packs) and restore's verified temp-rename keep their own flows.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { trackTemp } from './cleanup.js';

export interface WriteFileAtomicOptions {
  /** fsync the file before the rename and its folder after it (default true) */
  fsync?: boolean;
  /** file mode of the new file (default 0o644, before umask); e.g. 0o600 for owner-only state */
  mode?: number;
  /** create the parent folder first (default true) */
  mkdir?: boolean;
}

let seq = 0;

/** Pure: the temp name writeFileAtomic uses for `file` (seq makes concurrent writes in one process distinct). */
export function atomicTempName(file: string, n: number, pid: number = process.pid): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${n}.${pid}.tmp`);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteFileAtomicOptions = {}): Promise<void> {
  const fsync = opts.fsync ?? true;
  const dir = path.dirname(file);
  if (opts.mkdir ?? true) await fsp.mkdir(dir, { recursive: true });
  const tmp = atomicTempName(file, ++seq);
  const untrack = trackTemp(tmp);
  try {
    const h = await fsp.open(tmp, 'wx', opts.mode ?? 0o644);
    try {
      await h.writeFile(data);
      if (opts.mode !== undefined) await h.chmod(opts.mode); // umask must not widen or narrow an explicit mode
      if (fsync) await h.sync();
    } finally {
      await h.close();
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw e;
  } finally {
    untrack();
  }
  if (fsync) await syncDir(dir);
}

/** fsync a folder so a rename in it is durable; some filesystems (and Windows) refuse: best effort. */
export async function syncDir(dir: string): Promise<void> {
  let h: fsp.FileHandle | undefined;
  try {
    h = await fsp.open(dir, 'r');
    await h.sync();
  } catch {
    // not supported here
  } finally {
    await h?.close().catch(() => {});
  }
}
