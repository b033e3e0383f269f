/**
 * Remembers (size, mtime, inode) → sha256 of working files, like git's index does, so `status` does not
 * re-hash unchanged multi-GB files. A stale or missing entry only costs a re-hash.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Vault } from '../vault.js';

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
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
    await fsp.mkdir(path.dirname(file(vault)), { recursive: true });
    const tmp = `${file(vault)}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify(cache));
    await fsp.rename(tmp, file(vault));
  } catch {
    // only an accelerator
  }
}

export function cachedSha(cache: StatCache, rel: string, st: { size: number; mtimeMs: number; ino: number }): string | null {
  const e = cache[rel];
  // a file modified in the same instant as its hash was taken may change unseen: don't trust very recent mtimes
  if (e && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ino === st.ino && Date.now() - st.mtimeMs > 2000) return e.sha256;
  return null;
}

export async function recordStat(vault: Vault, rel: string, abs: string, digest: { sha256: string; size: number }): Promise<void> {
  const st = await fsp.stat(abs).catch(() => null);
  if (!st || st.size !== digest.size) return;
  const cache = await readStatCache(vault);
  cache[rel] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256: digest.sha256 };
  await writeStatCache(vault, cache);
}
