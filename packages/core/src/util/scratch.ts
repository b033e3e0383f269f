/**
 * Scratch folders for read commands (diff views, cat of archived versions). They live under the vault's
 * `.git/savepoint/tmp` (same disk as the data, cleaned by the next write if this process dies), or in the
 * system temp folder when the vault is on read-only media, so reading never needs write access.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isReadOnlyErrno } from '../errors.js';

/** Make a fresh private folder named `<prefix><pid>-XXXXXX` under `preferred`, else under the system temp folder. */
export async function makeScratchDir(preferred: string, prefix: string): Promise<string> {
  const name = `${prefix}${process.pid}-`;
  try {
    await fsp.mkdir(preferred, { recursive: true });
    return await fsp.mkdtemp(path.join(preferred, name));
  } catch (e) {
    // read-only media (recursive mkdir may report ENOENT for a folder it cannot create there)
    if (!isReadOnlyErrno(e) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return fsp.mkdtemp(path.join(os.tmpdir(), `savepoint-${name}`));
  }
}
