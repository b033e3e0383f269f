/** Restoring a version that retention moved into an archive (archive format lives in ../retention). */
import { SavepointError } from '../errors.js';
import type { VersionRecord } from '../model/version.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';

export async function materializeArchived(_vault: Vault, rec: VersionRecord, _dest: string, _onProgress?: ProgressCallback): Promise<void> {
  throw new SavepointError('E_ARCHIVE_MISSING', `${rec.path}@${rec.version} is archived in ${rec.archive}; reading archives is not available in this build.`, { path: rec.path, version: rec.version, archive: rec.archive });
}
