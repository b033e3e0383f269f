/** status: tracked files (saved paths + files matching trackedPatterns) as new / modified / unchanged / missing. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { VersionRecord } from '../model/version.js';
import { withHistoryIndex } from '../history/versions.js';
import type { Catalog } from '../history/catalog.js';
import { digestFile } from '../store/object-store.js';
import { toPosix } from '../util/paths.js';
import { exportDirPrefix } from './export.js';
import { cachedSha, readStatCache, writeStatCache } from '../util/stat-cache.js';
import type { Vault } from '../vault.js';
import { workingDigest } from './working-content.js';
import { CONFIG_FILE } from '../vault.js';

/** `unsupported`: a name that is not valid UTF-8; git and Savepoint can't address it portably. */
export type FileState = 'new' | 'modified' | 'unchanged' | 'missing' | 'unsupported';

export interface FileStatus {
  path: string;
  state: FileState;
  size?: number;
  latestVersion?: number;
  latestSavedAt?: string;
  /** for a modified file that equals an older saved version (e.g. after a restore): that version */
  matchesVersion?: number;
  versions: number;
  archivedVersions: number;
}

const ALWAYS_SKIPPED_DIRS = new Set(['.git', 'node_modules', '.savepoint']);
const GENERATED = new Set([CONFIG_FILE, 'manifest.json', 'checksums.txt']);

async function walk(root: string, skip: (rel: string) => boolean, badNames: string[]): Promise<string[]> {
  const out: string[] = [];
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop()!;
    const entries = await fsp.readdir(path.join(root, rel), { withFileTypes: true, encoding: 'buffer' }).catch(() => []);
    for (const raw of entries) {
      const name = raw.name.toString('utf8');
      const child = rel ? `${rel}/${name}` : name;
      if (!Buffer.from(name, 'utf8').equals(raw.name)) {
        badNames.push(child);
        continue;
      }
      const e = { name, isDirectory: () => raw.isDirectory(), isFile: () => raw.isFile() };
      if (e.isDirectory()) {
        if (!ALWAYS_SKIPPED_DIRS.has(e.name) && !skip(child + '/')) stack.push(child);
      } else if (e.isFile() && !skip(child)) out.push(child);
    }
  }
  return out;
}

/** Matcher for the vault's trackedPatterns (minus ignorePatterns) on vault-relative POSIX paths. */
export async function trackedMatcher(vault: Vault): Promise<(rel: string) => boolean> {
  const { default: picomatch } = await import('picomatch');
  const tracked = picomatch(vault.config.trackedPatterns, { dot: false });
  const ignored = vault.config.ignorePatterns.length ? picomatch(vault.config.ignorePatterns, { dot: true }) : () => false;
  // exportDir holds checksums/manifest Savepoint rewrites after every save: never data
  const exports = exportDirPrefix(vault);
  return (rel) => !GENERATED.has(rel) && !(exports && rel.startsWith(exports)) && tracked(rel) && !ignored(rel);
}

export async function status(vault: Vault): Promise<FileStatus[]> {
  // per-path counts and latest versions come from the catalog (one grouped query), not from all of history
  return withHistoryIndex(vault, (index) => statusWith(vault, index.catalog));
}

async function statusWith(vault: Vault, cat: Catalog): Promise<FileStatus[]> {
  const latest = new Map<string, VersionRecord>();
  const counts = new Map<string, { versions: number; archived: number; sqlite: boolean }>();
  for (const s of cat.pathSummaries()) {
    latest.set(s.path, s.latest);
    counts.set(s.path, { versions: s.versions, archived: s.archived, sqlite: s.hasSqlite });
  }
  const { default: picomatch } = await import('picomatch');
  const isTracked = await trackedMatcher(vault);
  const ignored = vault.config.ignorePatterns.length ? picomatch(vault.config.ignorePatterns, { dot: true }) : () => false;
  const archiveRel = toPosix(path.relative(vault.dir, path.resolve(vault.dir, vault.config.archiveLocation))) + '/';
  const badNames: string[] = [];
  const exportRel = exportDirPrefix(vault);
  const found = await walk(vault.dir, (rel) => rel.startsWith(archiveRel) || (!!exportRel && rel.startsWith(exportRel)) || ignored(rel.replace(/\/$/, '')), badNames);
  const candidates = new Set<string>(latest.keys());
  for (const f of found) if (isTracked(f)) candidates.add(f);
  const cache = await readStatCache(vault);
  let cacheDirty = false;
  const out: FileStatus[] = [];
  for (const p of [...candidates].sort()) {
    const abs = path.join(vault.dir, p);
    const rec = latest.get(p);
    const c = counts.get(p) ?? { versions: 0, archived: 0, sqlite: false };
    const base = { path: p, versions: c.versions, archivedVersions: c.archived, ...(rec ? { latestVersion: rec.version, latestSavedAt: rec.savedAt } : {}) };
    const st = await fsp.stat(abs).catch(() => null);
    if (!st || !st.isFile()) {
      out.push({ ...base, state: 'missing' });
      continue;
    }
    if (!rec) {
      out.push({ ...base, state: 'new', size: st.size });
      continue;
    }
    let sha = cachedSha(cache, p, st);
    if (!sha) {
      // a size no saved version has cannot match any of them: no need to read the file (not for databases:
      // their versions are snapshots, whose size differs from the live file's)
      const databases = c.sqlite;
      if (!databases && rec.size >= 0 && !cat.hasSize(p, st.size)) {
        out.push({ ...base, state: 'modified', size: st.size });
        continue;
      }
      const d = databases ? await workingDigest(vault, p, abs, st, cache) : { sha256: (await digestFile(abs)).sha256, entry: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256: '' } };
      sha = d.sha256;
      if (d.entry) {
        cache[p] = { ...d.entry, sha256: sha };
        cacheDirty = true;
      }
    }
    if (sha === rec.sha256) out.push({ ...base, state: 'unchanged', size: st.size });
    else {
      const older = cat.bySha(p, sha);
      out.push({ ...base, state: 'modified', size: st.size, ...(older ? { matchesVersion: older.version } : {}) });
    }
  }
  for (const p of badNames) out.push({ path: p, state: 'unsupported', versions: 0, archivedVersions: 0 });
  if (cacheDirty) await writeStatCache(vault, cache);
  return out;
}
