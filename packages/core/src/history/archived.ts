/**
 * Versions that retention moved out of the history branch into archives. Archives register themselves in
 * <archiveLocation>/index.json; this reader turns that index into version records.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { VersionRecord } from '../model/version.js';
import type { Vault } from '../vault.js';

export interface ArchiveIndex {
  schema: 1;
  archives: { file: string; sha256: string; versions: VersionRecord[] }[];
}

export function archiveDir(vault: Vault): string {
  return path.resolve(vault.dir, vault.config.archiveLocation);
}

export async function readArchiveIndex(vault: Vault): Promise<ArchiveIndex> {
  try {
    return JSON.parse(await fsp.readFile(path.join(archiveDir(vault), 'index.json'), 'utf8')) as ArchiveIndex;
  } catch {
    return { schema: 1, archives: [] };
  }
}

export async function readArchivedVersions(vault: Vault): Promise<VersionRecord[]> {
  const index = await readArchiveIndex(vault);
  return index.archives.flatMap((a) => a.versions.map((v) => ({ ...v, status: 'archived' as const, archive: a.file })));
}
