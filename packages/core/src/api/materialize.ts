/**
 * Lend versions out as temporary files (for diffing or viewing), checked against their sha256, and
 * remove them afterwards, also on Ctrl-C. The working file is used in place, never copied or changed.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import type { VersionRecord } from '../model/version.js';
import { loadHistory } from '../history/versions.js';
import { trackTemp } from '../util/cleanup.js';
import { resolveVaultPath } from '../util/paths.js';
import type { Vault } from '../vault.js';
import { resolveVersion } from './query.js';
import { materialize } from './restore.js';
import { makeScratchDir } from '../util/scratch.js';

export type Endpoint = { kind: 'version'; address: string } | { kind: 'working'; path: string };

export interface MaterializedFile {
  /** absolute path of the content on disk */
  file: string;
  /** e.g. `data.csv@3` or `data.csv (working copy)` */
  label: string;
  /** vault-relative path */
  path: string;
  version?: VersionRecord;
}

export async function withMaterialized<T>(vault: Vault, endpoints: Endpoint[], cwd: string, fn: (files: MaterializedFile[]) => Promise<T>): Promise<T> {
  const history = await loadHistory(vault);
  // the system temp folder when the vault is read-only; the pid lets a later write sweep it (store/temp-sweep.ts)
  const dir = await makeScratchDir(path.join(vault.gitdir, 'savepoint', 'tmp'), 'view-');
  const untrack = trackTemp(dir);
  try {
    const files: MaterializedFile[] = [];
    for (const [i, e] of endpoints.entries()) {
      if (e.kind === 'working') {
        const rel = await resolveVaultPath(vault.dir, cwd, e.path);
        const abs = path.join(vault.dir, rel);
        const st = await fsp.stat(abs).catch(() => null);
        if (!st || !st.isFile()) {
          throw new SavepointError('E_FILE_NOT_FOUND', `${rel} has no working copy to compare. Compare two saved versions instead, e.g. \`savepoint diff ${rel}@-1 ${rel}@latest\`.`, { path: rel });
        }
        files.push({ file: abs, label: `${rel} (working copy)`, path: rel });
        continue;
      }
      const rec = await resolveVersion(vault, e.address, cwd, history);
      const file = path.join(dir, `${i}-${path.basename(rec.path)}`);
      await materialize(vault, rec, file);
      files.push({ file, label: `${rec.path}@${rec.version}`, path: rec.path, version: rec });
    }
    return await fn(files);
  } finally {
    untrack();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
