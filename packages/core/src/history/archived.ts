/**
 * Versions that retention moved out of the history branch into archives. Archives register themselves in
 * <archiveLocation>/index.json; this reader turns that index into version records.
 *
 * index.json: {schema: 1, archives: [{file, sha256, size?, createdAt?, period?, versions: VersionRecord[]}]}
 * `file` is relative to the archive location; `sha256` is the checksum of the archive file itself.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { VersionRecord } from '../model/version.js';
import type { Vault } from '../vault.js';
import { writeFileAtomic } from '../util/atomic.js';

export interface ArchiveIndexEntry {
  file: string;
  sha256: string;
  size?: number;
  createdAt?: string;
  period?: string;
  versions: VersionRecord[];
}

/** A version whose archive retention deleted (expireArchivesAfter): gone for good, hidden from history. */
export interface DeletedVersion {
  path: string;
  version: number;
  sha256: string;
  archive: string;
  deletedAt: string;
}

export interface ArchiveIndex {
  schema: 1;
  archives: ArchiveIndexEntry[];
  deleted?: DeletedVersion[];
}

export function archiveDir(vault: Vault): string {
  return path.resolve(vault.dir, vault.config.archiveLocation);
}

export async function readArchiveIndex(vault: Vault): Promise<ArchiveIndex> {
  try {
    const parsed = JSON.parse(await fsp.readFile(path.join(archiveDir(vault), 'index.json'), 'utf8')) as ArchiveIndex;
    return parsed && Array.isArray(parsed.archives) ? parsed : { schema: 1, archives: [] };
  } catch {
    return { schema: 1, archives: [] };
  }
}

/** Replace index.json atomically (temp file, fsync, rename). */
export async function writeArchiveIndex(vault: Vault, index: ArchiveIndex): Promise<void> {
  await writeFileAtomic(path.join(archiveDir(vault), 'index.json'), JSON.stringify(index, null, 2) + '\n', { mode: 0o600 });
}

export async function readArchivedVersions(vault: Vault): Promise<VersionRecord[]> {
  const index = await readArchiveIndex(vault);
  return index.archives.flatMap((a) => a.versions.map((v) => ({ ...v, status: 'archived' as const, archive: a.file })));
}

/**
 * Merge archived versions into the branch's: a branch version whose content is still in its commit's tree
 * wins (an archive written by a retention run that stopped before moving refs changes nothing); a branch
 * version whose blob was dropped by retention is replaced by its archived record. Each path@version once.
 */
export function mergeArchived(branch: VersionRecord[], archived: VersionRecord[], deleted: { path: string; version: number }[] = []): VersionRecord[] {
  const key = (v: { path: string; version: number }) => `${v.path}\0${v.version}`;
  const live = new Set(branch.filter((v) => v.blob).map(key));
  const gone = new Set(deleted.map(key));
  const fromArchive = new Map<string, VersionRecord>();
  for (const a of archived) if (!live.has(key(a)) && !fromArchive.has(key(a))) fromArchive.set(key(a), a);
  return [...branch.filter((v) => v.blob || (!fromArchive.has(key(v)) && !gone.has(key(v)))), ...fromArchive.values()];
}

/** The branch's versions with the archive index applied (archived records in, deleted versions out). */
export async function withArchived(vault: Vault, branch: VersionRecord[]): Promise<VersionRecord[]> {
  const index = await readArchiveIndex(vault);
  const archived = index.archives.flatMap((a) => a.versions.map((v) => ({ ...v, status: 'archived' as const, archive: a.file, ...(a.createdAt ? { archivedAt: a.createdAt } : {}) })));
  return mergeArchived(branch, archived, index.deleted ?? []);
}
