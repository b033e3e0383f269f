/**
 * restore: stream a stored version into a temp file beside the target, check its sha256 against the note,
 * then rename over the target. A working file that matches no saved version is saved first.
 */
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError, fromNodeError } from '../errors.js';
import type { VersionRecord } from '../model/version.js';
import { loadHistory } from '../history/versions.js';
import { digestFile, readBlobToFile } from '../store/object-store.js';
import { streamObject } from '../store/reader.js';
import { createHash } from 'node:crypto';
import { trackTemp } from '../util/cleanup.js';
import { resolveVaultPath } from '../util/paths.js';
import type { ProgressCallback } from '../util/progress.js';
import { cachedSha, readStatCache, recordStat } from '../util/stat-cache.js';
import type { Vault } from '../vault.js';
import { resolveVersion } from './query.js';
import { save } from './save.js';
import { materializeArchived } from './archive-read.js';
import { makeScratchDir } from '../util/scratch.js';

export interface RestoreOptions {
  address: string;
  /** restore into this vault path instead of the version's own path */
  to?: string;
  cwd?: string;
  onProgress?: ProgressCallback;
}

export interface RestoreResult {
  path: string;
  version: number;
  to: string;
  status: 'restored' | 'unchanged';
  sha256: string;
  size: number;
  /** set when the working file was saved first because it matched no version */
  preRestoreSave?: { path: string; version: number; commit: string | null };
}

let tmpSeq = 0;

/** Write version `rec` to `dest` (absolute, must not exist) and check its sha256; used by restore, cat and diff. */
export async function materialize(vault: Vault, rec: VersionRecord, dest: string, onProgress?: ProgressCallback): Promise<void> {
  if (rec.archive) {
    await materializeArchived(vault, rec, dest, onProgress);
    return;
  }
  const digest = await readBlobToFile(vault.gitdir, rec.blob, dest, { ...(onProgress ? { onProgress } : {}) });
  if (digest.sha256 !== rec.sha256) {
    await fsp.rm(dest, { force: true });
    throw new SavepointError('E_CHECKSUM_MISMATCH', `${rec.path}@${rec.version} is damaged: its content hashes to ${digest.sha256.slice(0, 12)}…, the note says ${rec.sha256.slice(0, 12)}…. Nothing was overwritten. Run \`savepoint verify\` and restore from a remote or archive.`, { path: rec.path, version: rec.version, expected: rec.sha256, actual: digest.sha256 });
  }
}

export async function restore(vault: Vault, opts: RestoreOptions): Promise<RestoreResult> {
  const cwd = opts.cwd ?? vault.dir;
  const history = await loadHistory(vault);
  const rec = await resolveVersion(vault, opts.address, cwd, history);
  const rel = opts.to !== undefined ? await resolveVaultPath(vault.dir, cwd, opts.to) : rec.path;
  const abs = path.join(vault.dir, rel);
  const st = await fsp.lstat(abs).catch(() => null);
  if (st && !st.isFile()) {
    throw new SavepointError('E_NOT_A_FILE', `${rel} exists and is ${st.isDirectory() ? 'a folder' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; Savepoint will not replace it. Restore to another name with --to.`, { path: rel });
  }
  let needsSnapshot = false;
  if (st) {
    const cache = await readStatCache(vault);
    const current = cachedSha(cache, rel, st) ?? (await digestFile(abs)).sha256;
    if (current === rec.sha256) {
      return { path: rec.path, version: rec.version, to: rel, status: 'unchanged', sha256: rec.sha256, size: rec.size };
    }
    needsSnapshot = !history.versions.some((v) => (v.path === rel || v.path === rec.path) && v.sha256 === current);
  }
  const dir = path.dirname(abs);
  await fsp.mkdir(dir, { recursive: true });
  tmpSeq += 1;
  const tmp = path.join(dir, `.${path.basename(abs)}.savepoint-tmp-${process.pid}-${tmpSeq}`);
  const untrack = trackTemp(tmp);
  let preRestoreSave: RestoreResult['preRestoreSave'];
  try {
    // read and check the version first: a damaged one must change nothing, not even add a snapshot
    await materialize(vault, rec, tmp, opts.onProgress);
    if (st) await fsp.chmod(tmp, st.mode & 0o7777);
    else await fsp.chmod(tmp, 0o644);
    const h = await fsp.open(tmp, 'r');
    await h.sync();
    await h.close();
    if (needsSnapshot) {
      const r = await save(vault, { files: [rel], message: `Pre-restore snapshot of ${rel} before restoring ${rec.path}@${rec.version}`, kind: 'pre-restore', keep: 'pre-change', source: 'pre-restore' });
      const f = r.files[0]!;
      preRestoreSave = { path: f.path, version: f.version, commit: r.commit };
    }
    await fsp.rename(tmp, abs);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e instanceof SavepointError ? e : fromNodeError(e, `restoring ${rel}`);
  } finally {
    untrack();
  }
  await recordStat(vault, rel, abs, { sha256: rec.sha256, size: rec.size });
  vault.events.emit('restore', { path: rec.path, version: rec.version, to: rel });
  return { path: rec.path, version: rec.version, to: rel, status: 'restored', sha256: rec.sha256, size: rec.size, ...(preRestoreSave ? { preRestoreSave } : {}) };
}

/**
 * Stream one version to a writable (the CLI's `cat`), hashing as it goes. Like `git cat-file`, bytes are
 * written before the end is reached: a damaged version makes this throw after the output (non-zero exit).
 */
export async function catVersion(vault: Vault, address: string, out: NodeJS.WritableStream, cwd?: string): Promise<VersionRecord> {
  const rec = await resolveVersion(vault, address, cwd);
  if (rec.archive) {
    // archives are unpacked to a temp file anyway: check first, then copy
    // the system temp folder when the vault is read-only; the pid lets a later write sweep it (store/temp-sweep.ts)
    const tmpDir = await makeScratchDir(path.join(vault.gitdir, 'savepoint', 'tmp'), 'cat-');
    const untrack = trackTemp(tmpDir);
    try {
      await materialize(vault, rec, path.join(tmpDir, 'content'));
      await pipeTo(fs.createReadStream(path.join(tmpDir, 'content')), out);
    } finally {
      untrack();
      await fsp.rm(tmpDir, { recursive: true, force: true });
    }
    return rec;
  }
  const sha = createHash('sha256');
  await streamObject(vault.gitdir, rec.blob, {
    header() {},
    chunk(data) {
      sha.update(data);
      if (!out.write(Buffer.from(data))) return new Promise<void>((resolve) => out.once('drain', () => resolve()));
    },
  }, { skipZlibChecksum: true });
  const actual = sha.digest('hex');
  if (actual !== rec.sha256) {
    throw new SavepointError('E_CHECKSUM_MISMATCH', `${rec.path}@${rec.version} is damaged: what was written hashes to ${actual.slice(0, 12)}…, the note says ${rec.sha256.slice(0, 12)}…. Discard that output; run \`savepoint verify\`.`, { path: rec.path, version: rec.version, expected: rec.sha256, actual });
  }
  return rec;
}

function pipeTo(rs: NodeJS.ReadableStream, out: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    rs.on('error', reject);
    rs.on('end', () => resolve());
    rs.pipe(out, { end: false });
  });
}
