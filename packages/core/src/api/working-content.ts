/**
 * What a save of a working file would store, by sha256: the file's bytes, or for an SQLite database the
 * bytes of its backup-API snapshot. `status` and `restore` compare this with saved versions.
 *
 * Databases: the live file's bytes differ from its snapshot (WAL content lives in `-wal`, headers differ),
 * so the raw bytes can never tell "unchanged". The snapshot is deterministic for the same rows and pages
 * (checkpoints do not change it), so its sha256 is compared instead and cached against the stat of the
 * database file plus its `-wal`/`-journal` (sidecarSignature): while neither changes, no snapshot is taken.
 */
import type fs from 'node:fs';
import { digestFile } from '../store/object-store.js';
import { cachedSha } from '../util/stat-cache.js';
import type { readStatCache } from '../util/stat-cache.js';
import { isSqliteFile, sidecarSignature, withSqliteSnapshot } from '../util/sqlite.js';
import type { Vault } from '../vault.js';

type Cache = Awaited<ReturnType<typeof readStatCache>>;

export interface WorkingDigest {
  sha256: string;
  /** the stat-cache entry to remember (null when the cached value was used) */
  entry: Cache[string] | null;
  database: boolean;
}

export async function workingDigest(vault: Vault, rel: string, abs: string, st: fs.Stats, cache: Cache): Promise<WorkingDigest> {
  const plain = cachedSha(cache, rel, st);
  if (plain) return { sha256: plain, entry: null, database: false };
  if (await isSqliteFile(abs)) {
    const side = await sidecarSignature(abs);
    const hit = cachedSha(cache, rel, st, side);
    if (hit) return { sha256: hit, entry: null, database: true };
    try {
      const sha256 = await withSqliteSnapshot(vault.gitdir, abs, rel, async (file) => (await digestFile(file)).sha256);
      return { sha256, entry: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256, side }, database: true };
    } catch {
      // unreadable or failing its integrity check: it matches no saved snapshot; the raw bytes say so
    }
  }
  const sha256 = (await digestFile(abs)).sha256;
  return { sha256, entry: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256 }, database: false };
}
