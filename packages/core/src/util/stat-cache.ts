/**
 * Remembers (size, mtime, inode) → sha256 of working files, like git's index does, so `status` does not
 * re-hash unchanged multi-GB files. A stale or missing entry only costs a re-hash.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Vault } from '../vault.js';
import { writeFileAtomic } from './atomic.js';

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
  /** SQLite databases: sidecarSignature() when hashed; sha256 is then the snapshot's, not the file's */
  side?: string;
}
type StatCache = Record<string, Entry>;

function file(vault: Vault): string {
  return path.join(vault.gitdir, 'savepoint', 'stat-cache.json');
}

export async function readStatCache(vault: Vault): Promise<StatCache> {
  try {
    return JSON.parse(await fsp.readFile(file(vault), 'utf8')) as StatCache;
  } catch {
    return {};
  }
}

export async function writeStatCache(vault: Vault, cache: StatCache): Promise<void> {
  try {
    await writeFileAtomic(file(vault), JSON.stringify(cache), { fsync: false });
  } catch {
    // only an accelerator
  }
}

export function cachedSha(cache: StatCache, rel: string, st: { size: number; mtimeMs: number; ino: number }, side?: string): string | null {
  const e = cache[rel];
  // a file modified in the same instant as its hash was taken may change unseen: don't trust very recent mtimes
  if (e && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ino === st.ino && e.side === side && Date.now() - st.mtimeMs > 2000) return e.sha256;
  return null;
}

export interface StatRecord {
  rel: string;
  abs: string;
  sha256: string;
  size: number;
  /** SQLite: the database file's stat taken before the snapshot was read, and its sidecar signature */
  db?: { stat: { size: number; mtimeMs: number; ino: number }; side: string };
}

/** Remember the sha256 of several just-hashed files with one read and one write of the cache. */
export async function recordStats(vault: Vault, records: StatRecord[]): Promise<void> {
  if (records.length === 0) return;
  const cache = await readStatCache(vault);
  let changed = false;
  for (const r of records) {
    if (r.db) {
      cache[r.rel] = { size: r.db.stat.size, mtimeMs: r.db.stat.mtimeMs, ino: r.db.stat.ino, sha256: r.sha256, side: r.db.side };
      changed = true;
      continue;
    }
    const st = await fsp.stat(r.abs).catch(() => null);
    // a file that changed size since it was hashed is not what the digest describes
    if (!st || st.size !== r.size) continue;
    cache[r.rel] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256: r.sha256 };
    changed = true;
  }
  if (changed) await writeStatCache(vault, cache);
}

export function recordStat(vault: Vault, rel: string, abs: string, digest: { sha256: string; size: number }): Promise<void> {
  return recordStats(vault, [{ rel, abs, sha256: digest.sha256, size: digest.size }]);
}
