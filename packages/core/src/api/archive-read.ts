/** Restoring a version that retention moved into an archive (archive format lives in ../retention). */
import type { VersionRecord } from '../model/version.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import { materializeFromArchive } from '../retention/archive.js';

/** Stream archived version `rec` into `dest` (must not exist); its sha256 is checked against the note. */
export async function materializeArchived(vault: Vault, rec: VersionRecord, dest: string, onProgress?: ProgressCallback): Promise<void> {
  await materializeFromArchive(vault, rec, dest, onProgress);
}
