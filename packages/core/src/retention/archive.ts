/** Reading archives back: list them, verify them, and restore one archived version (streaming, sha256-checked). */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import type { VersionRecord } from '../model/version.js';
import { archiveDir, readArchiveIndex } from '../history/archived.js';
import { digestBlob, readBlobToFile } from '../store/object-store.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import type { VerifyItem } from '../model/verify-item.js';
import { openArchive } from './archive-file.js';

export interface ArchiveInfo {
  file: string;
  sha256: string;
  size: number;
  createdAt?: string;
  period?: string;
  present: boolean;
  versions: { path: string; version: number; sha256: string; size: number; savedAt: string; commit: string }[];
}

function scratch(vault: Vault): string {
  return path.join(vault.gitdir, 'savepoint', 'tmp');
}

/** Absolute path of an archive named in the index; refuses names that leave the archive folder. */
export function archivePath(vault: Vault, file: string): string {
  const dir = archiveDir(vault);
  const abs = path.resolve(dir, file);
  if (abs !== dir && !abs.startsWith(dir + path.sep)) {
    throw new SavepointError('E_PATH_OUTSIDE_VAULT', `The archive name ${file} points outside ${dir}; the archive index may have been edited by hand.`, { archive: file });
  }
  return abs;
}

export async function listArchives(vault: Vault): Promise<ArchiveInfo[]> {
  const index = await readArchiveIndex(vault);
  const out: ArchiveInfo[] = [];
  for (const a of index.archives) {
    const st = await fsp.stat(archivePath(vault, a.file)).catch(() => null);
    const info: ArchiveInfo = {
      file: a.file,
      sha256: a.sha256,
      size: a.size ?? st?.size ?? -1,
      present: !!st,
      versions: a.versions.map((v) => ({ path: v.path, version: v.version, sha256: v.sha256, size: v.size, savedAt: v.savedAt, commit: v.commit })),
    };
    if (a.createdAt) info.createdAt = a.createdAt;
    if (a.period) info.period = a.period;
    out.push(info);
  }
  return out;
}

/**
 * Verify archived versions: each archive they live in is unpacked once and checked (file sha256 against the
 * index, manifest, bundle, pack), then every version's content is re-hashed against its note.
 */
export async function verifyArchivedVersions(vault: Vault, versions: VersionRecord[], onProgress?: ProgressCallback, signal?: AbortSignal): Promise<VerifyItem[]> {
  const index = await readArchiveIndex(vault);
  const byFile = new Map<string, VersionRecord[]>();
  for (const v of versions) {
    if (!v.archive) continue;
    if (!byFile.has(v.archive)) byFile.set(v.archive, []);
    byFile.get(v.archive)!.push(v);
  }
  const items: VerifyItem[] = [];
  const total = versions.reduce((n, v) => n + Math.max(0, v.size), 0);
  let done = 0;
  for (const [file, vs] of byFile) {
    signal?.throwIfAborted();
    const entry = index.archives.find((a) => a.file === file);
    const base = (v: VersionRecord) => ({ path: v.path, version: v.version, commit: v.commit, expected: v.sha256, archive: file });
    let opened;
    try {
      opened = await openArchive(archivePath(vault, file), scratch(vault), file, entry?.sha256, vault.key);
    } catch (e) {
      if (!(e instanceof SavepointError)) throw e;
      // issue 12: no key, or the wrong one, is the user's to fix, not a damaged archive
      if (e.code === 'E_INVALID_ARGUMENT' || (e.code === 'E_DECRYPT' && e.details.reason === 'wrong-key')) throw e;
      const status = e.code === 'E_ARCHIVE_MISSING' ? 'missing' : 'corrupted';
      for (const v of vs) items.push({ ...base(v), status, message: e.message });
      continue;
    }
    try {
      for (const v of vs) {
        const inManifest = opened.manifest.versions.find((m) => m.path === v.path && m.version === v.version);
        if (!inManifest) {
          items.push({ ...base(v), status: 'missing', message: `${file} does not hold ${v.path}@${v.version}` });
          continue;
        }
        try {
          const at = done;
          signal?.throwIfAborted();
          const d = await digestBlob(opened.gitdir, inManifest.blob, {
            onProgress: (onProgress || signal) && ((e) => {
              signal?.throwIfAborted();
              onProgress?.({ phase: 'verify', loaded: at + e.loaded, total, item: `${v.path}@${v.version}` });
            }),
          });
          if (d.sha256 === v.sha256 && (v.size < 0 || d.size === v.size)) items.push({ ...base(v), status: 'verified', actual: d.sha256 });
          else items.push({ ...base(v), status: 'corrupted', actual: d.sha256, message: `content in ${file} hashes to ${d.sha256}, the note says ${v.sha256}` });
        } catch (e) {
          signal?.throwIfAborted();
          if (!(e instanceof SavepointError)) throw e;
          items.push({ ...base(v), status: e.code === 'E_OBJECT_MISSING' ? 'missing' : 'corrupted', message: e.message });
        }
        done += Math.max(0, v.size);
      }
    } finally {
      await opened.close();
    }
  }
  return items;
}

/** Write archived version `rec` to `dest` (must not exist), checked against the archive's and the note's sha256. */
export async function materializeFromArchive(vault: Vault, rec: VersionRecord, dest: string, onProgress?: ProgressCallback): Promise<void> {
  if (!rec.archive) throw new SavepointError('E_INTERNAL', `${rec.path}@${rec.version} is not archived.`, {});
  const index = await readArchiveIndex(vault);
  const entry = index.archives.find((a) => a.file === rec.archive);
  if (!entry) {
    throw new SavepointError('E_ARCHIVE_MISSING', `${rec.path}@${rec.version} is listed in the archive ${rec.archive}, which the archive index does not know. Put index.json back from a backup.`, { path: rec.path, version: rec.version, archive: rec.archive });
  }
  const opened = await openArchive(archivePath(vault, rec.archive), scratch(vault), rec.archive, entry.sha256, vault.key);
  try {
    const m = opened.manifest.versions.find((v) => v.path === rec.path && v.version === rec.version);
    if (!m) throw new SavepointError('E_ARCHIVE_CORRUPT', `The archive ${rec.archive} does not hold ${rec.path}@${rec.version}.`, { path: rec.path, version: rec.version, archive: rec.archive });
    const d = await readBlobToFile(opened.gitdir, m.blob, dest, { ...(onProgress ? { onProgress } : {}) });
    if (d.sha256 !== rec.sha256) {
      await fsp.rm(dest, { force: true });
      throw new SavepointError('E_CHECKSUM_MISMATCH', `${rec.path}@${rec.version} in ${rec.archive} hashes to ${d.sha256.slice(0, 12)}…, the note says ${rec.sha256.slice(0, 12)}…. Nothing was overwritten.`, { path: rec.path, version: rec.version, expected: rec.sha256, actual: d.sha256, archive: rec.archive });
    }
  } finally {
    await opened.close();
  }
}
