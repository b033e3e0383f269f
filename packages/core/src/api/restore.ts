/**
 * restore: stream a stored version into a temp file beside the target, check its sha256 against the note,
 * then rename over the target. A working file that matches no saved version is saved first (pre-restore
 * snapshot); an in-place restore is then recorded as a new version of the restored content (kind `restore`),
 * so the latest version is always what the working file holds. SQLite targets: see util/sqlite.ts.
 */
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError, fromNodeError } from '../errors.js';
import type { VersionRecord } from '../model/version.js';
import { loadHistory } from '../history/versions.js';
import { readBlobToFile } from '../store/object-store.js';
import { streamObject } from '../store/reader.js';
import { createHash } from 'node:crypto';
import { recorded } from '../health/record.js';
import { trackTemp } from '../util/cleanup.js';
import { resolveVaultPath } from '../util/paths.js';
import type { ProgressCallback } from '../util/progress.js';
import { readStatCache, recordStat, recordStats } from '../util/stat-cache.js';
import { assertNotInUse, isSqliteFile, removeStaleSidecars, sidecarSignature } from '../util/sqlite.js';
import { workingDigest } from './working-content.js';
import type { Vault } from '../vault.js';
import { resolveVersion } from './query.js';
import { save } from './save.js';
import { materializeArchived } from './archive-read.js';
import { afterSave } from './after-save.js';
import type { AfterSaveOptions, AfterSaveReport } from './after-save.js';
import { makeScratchDir } from '../util/scratch.js';

export interface RestoreOptions {
  address: string;
  /** restore into this vault path instead of the version's own path */
  to?: string;
  cwd?: string;
  onProgress?: ProgressCallback;
  /** after the saves a restore makes (pre-restore snapshot, recorded restore), the after-save pipeline runs with these options (false: not at all) */
  afterSave?: AfterSaveOptions | false;
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
  /** in-place restores: the new version that records the restored content (kind `restore`) */
  recorded?: { path: string; version: number; commit: string | null };
  /** the after-save pipeline's report for the saves this restore made (pre-restore snapshot, recorded restore) */
  afterSave?: AfterSaveReport;
}

let tmpSeq = 0;

/**
 * Write version `rec` to `dest` (absolute, must not exist) and check its sha256; used by restore, cat and diff.
 * With `mode`, `dest` gets exactly those permission bits and is fsynced (ready to be renamed into place).
 */
export async function materialize(vault: Vault, rec: VersionRecord, dest: string, onProgress?: ProgressCallback, mode?: number): Promise<void> {
  if (rec.archive) {
    await materializeArchived(vault, rec, dest, onProgress);
    if (mode !== undefined) {
      await fsp.chmod(dest, mode);
      const h = await fsp.open(dest, 'r');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
    }
    return;
  }
  // The sha256 recorded at save is checked below, so the read itself needs no second content hash (the git
  // SHA-1): one hash pass instead of two. A mismatch is read again with every check, which names the damaged
  // stored copy and falls back to an intact one when there is one.
  const quick = /^[0-9a-f]{64}$/.test(rec.sha256);
  // (the mode is set and the file fsynced before readBlobToFile returns: no second open and fsync for it)
  const more = { ...(onProgress ? { onProgress } : {}), ...(mode !== undefined ? { mode } : {}) };
  let digest = await readBlobToFile(vault.gitdir, rec.blob, dest, { quick, ...more });
  if (quick && digest.sha256 !== rec.sha256) {
    await fsp.rm(dest, { force: true });
    digest = await readBlobToFile(vault.gitdir, rec.blob, dest, more);
  }
  if (digest.sha256 !== rec.sha256) {
    await fsp.rm(dest, { force: true });
    throw new SavepointError('E_CHECKSUM_MISMATCH', `${rec.path}@${rec.version} is damaged: its content hashes to ${digest.sha256.slice(0, 12)}…, the note says ${rec.sha256.slice(0, 12)}…. Nothing was overwritten. Run \`savepoint verify\` and restore from a remote or archive.`, { path: rec.path, version: rec.version, expected: rec.sha256, actual: digest.sha256 });
  }
}

/** Restore, and record the outcome in the health record (a version failing its checksum is remembered as damaged). */
export async function restore(vault: Vault, opts: RestoreOptions): Promise<RestoreResult> {
  const trace: { reading?: { path: string; version: number } } = {};
  return recorded(vault, 'restore', () => restoreVersion(vault, opts, trace), (r, e) => {
    const damaged = e instanceof SavepointError && ['E_CHECKSUM_MISMATCH', 'E_OBJECT_CORRUPT', 'E_OBJECT_MISSING'].includes(e.code);
    if (damaged && trace.reading) return { details: { address: opts.address, corrupt: [{ ...trace.reading, status: e.code === 'E_OBJECT_MISSING' ? 'missing' : 'corrupted' }] } };
    return { details: { address: opts.address, ...(r ? { path: r.path, version: r.version, status: r.status } : {}) } };
  });
}

async function restoreVersion(vault: Vault, opts: RestoreOptions, trace: { reading?: { path: string; version: number } }): Promise<RestoreResult> {
  const cwd = opts.cwd ?? vault.dir;
  const history = await loadHistory(vault);
  const rec = await resolveVersion(vault, opts.address, cwd, history);
  const rel = opts.to !== undefined ? await resolveVaultPath(vault.dir, cwd, opts.to) : rec.path;
  // in place: the restored content becomes the latest version of the file (recorded below); --to elsewhere
  // only writes a file
  const inPlace = rel === rec.path;
  const abs = path.join(vault.dir, rel);
  const st = await fsp.lstat(abs).catch(() => null);
  if (st && !st.isFile()) {
    throw new SavepointError('E_NOT_A_FILE', `${rel} exists and is ${st.isDirectory() ? 'a folder' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; Savepoint will not replace it. Restore to another name with --to.`, { path: rel });
  }
  let needsSnapshot = false;
  let targetIsDb = false;
  if (st) {
    const current = await workingDigest(vault, rel, abs, st, await readStatCache(vault));
    targetIsDb = current.database;
    if (current.sha256 === rec.sha256) {
      return { path: rec.path, version: rec.version, to: rel, status: 'unchanged', sha256: rec.sha256, size: rec.size };
    }
    needsSnapshot = !history.versions.some((v) => (v.path === rel || v.path === rec.path) && v.sha256 === current.sha256);
  }
  // a live database is replaced only when no other connection has it open or locked (nothing changed otherwise)
  if (targetIsDb) await assertNotInUse(abs, rel);
  const dir = path.dirname(abs);
  // folders made for the target are removed again if the restore fails: a failed restore changes nothing
  const made: string[] = [];
  for (let d = dir; d.length > vault.dir.length && !(await fsp.lstat(d).then(() => true, () => false)); d = path.dirname(d)) made.push(d);
  const unmake = async () => {
    for (const d of made) await fsp.rmdir(d).catch(() => undefined); // deepest first; only empty folders go
  };
  await fsp.mkdir(dir, { recursive: true }).catch(async (e: unknown) => {
    await unmake();
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new SavepointError('E_INVALID_ARGUMENT', `Cannot restore to ${rel}: a file is where one of its folders would go. Choose another --to path.`, { path: rel }, { cause: e });
    }
    throw fromNodeError(e, `making the folder for ${rel}`); // e.g. a folder name too long (found by fuzzing)
  });
  tmpSeq += 1;
  const tmp = path.join(dir, `.${path.basename(abs)}.savepoint-tmp-${process.pid}-${tmpSeq}`);
  const untrack = trackTemp(tmp);
  let preRestoreSave: RestoreResult['preRestoreSave'];
  let recorded: RestoreResult['recorded'];
  try {
    // read and check the version first: a damaged one must change nothing, not even add a snapshot
    trace.reading = { path: rec.path, version: rec.version };
    // the temp file gets the target's permission bits and is fsynced before it replaces anything
    await materialize(vault, rec, tmp, opts.onProgress, st ? st.mode & 0o7777 : 0o644);
    delete trace.reading;
    if (needsSnapshot) {
      const r = await save(vault, { files: [rel], message: `Pre-restore snapshot of ${rel} before restoring ${rec.path}@${rec.version}`, kind: 'pre-restore', keep: 'pre-change', source: 'pre-restore' });
      const f = r.files[0]!;
      preRestoreSave = { path: f.path, version: f.version, commit: r.commit };
    }
    // (not when the latest version already holds this content and nothing was snapshotted, e.g. a deleted
    // file restored from its latest version: latest == the file without a duplicate version)
    const latest = history.versions.filter((v) => v.path === rel).reduce<VersionRecord | null>((a, v) => (!a || v.version > a.version ? v : a), null);
    if (inPlace && (preRestoreSave || latest?.sha256 !== rec.sha256)) {
      // record the restore as a save of exactly the bytes written (before they replace the file, so a failing
      // save changes nothing): latest == the working file, so export checks pass and retention keeps it
      const r = await save(vault, { files: [rel], contentFrom: { [rel]: tmp }, force: true, message: `Restore ${rel} to v${rec.version}`, kind: 'restore', restoredFrom: rec.version, source: 'restore' });
      const f = r.files[0]!;
      recorded = { path: f.path, version: f.version, commit: r.commit };
    }
    // -wal/-shm beside the target belong to the database being replaced; SQLite would apply them to this one
    if (rec.sqlite || targetIsDb || (await isSqliteFile(tmp))) await removeStaleSidecars(abs);
    await fsp.rename(tmp, abs);
  } catch (e) {
    // (the clean-up must not replace the real error: rm fails too when the temp name is too long)
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    await unmake();
    throw e instanceof SavepointError ? e : fromNodeError(e, `restoring ${rel}`);
  } finally {
    untrack();
  }
  if (await isSqliteFile(abs)) {
    const now = await fsp.stat(abs);
    await recordStats(vault, [{ rel, abs, sha256: rec.sha256, size: rec.size, db: { stat: now, side: await sidecarSignature(abs) } }]);
  } else {
    await recordStat(vault, rel, abs, { sha256: rec.sha256, size: rec.size });
  }
  vault.events.emit('restore', { path: rec.path, version: rec.version, to: rel });
  // the snapshot and the recorded restore are saves like any other: exports, retention, push, compact (after the file is in place)
  let report: AfterSaveReport | undefined;
  const lastCommit = recorded?.commit ?? preRestoreSave?.commit;
  if (lastCommit && opts.afterSave !== false) {
    report = await afterSave(vault, { commit: lastCommit }, opts.afterSave ?? {});
  }
  return {
    path: rec.path,
    version: rec.version,
    to: rel,
    status: 'restored',
    sha256: rec.sha256,
    size: rec.size,
    ...(preRestoreSave ? { preRestoreSave } : {}),
    ...(recorded ? { recorded } : {}),
    ...(report ? { afterSave: report } : {}),
  };
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
