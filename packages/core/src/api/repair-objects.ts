/**
 * repair, part 2: damaged stored versions. Every live version's blob is re-read; one that is missing, damaged
 * (zlib, delta chain, object id) or hashes to something other than its recorded sha256 is looked for in every
 * other copy Savepoint knows: each configured remote (smart HTTP: the remote's refs are fetched into a scratch
 * git directory, never into the vault) and each retention archive (unpacked into a scratch directory). A copy
 * replaces nothing until it has proved itself: its content must hash to the object id (sha1, checked while it
 * streams) and to the version's sha256. It is then written as a fresh loose object (readers prefer an intact
 * copy over a damaged pack entry; a damaged loose file is replaced by rename). Damaged archives are reported:
 * they cannot be rebuilt from here.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { VersionRecord } from '../model/version.js';
import { readArchiveIndex } from '../history/archived.js';
import { archivePath } from '../retention/archive.js';
import { openArchive } from '../retention/archive-file.js';
import { listRemotes } from '../remote/config.js';
import { openTransport } from '../remote/transports.js';
import type { RemoteTransport } from '../remote/transports.js';
import { isS3Url } from '../remote/s3/url.js';
import type { TransportOptions } from '../remote/transport.js';
import { digestBlob, readBlobToFile } from '../store/object-store.js';
import { writeLooseBlob } from '../store/loose-writer.js';
import { makeScratchDir } from '../util/scratch.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';

export interface DamagedVersion {
  path: string;
  version: number;
  commit: string;
}

export interface ObjectRepair {
  /** the git blob id of the damaged content */
  blob: string;
  sha256: string;
  /** every live version stored in this blob */
  versions: DamagedVersion[];
  /** set when the blob is the checksum note of this save commit */
  note?: string;
  code: ErrorCode;
  /** why it is damaged (as verify says it) */
  damage: string;
  /** `replaced` (or `would-replace` with dryRun): a good copy was found; `unfixed`: none of the sources had one */
  status: 'replaced' | 'would-replace' | 'unfixed';
  /** where the good copy came from: `remote <name>` or `archive <file>` */
  source?: string;
  /** the sources asked, and what each said when it had no good copy */
  tried: { source: string; result: string }[];
}

/** A place a good copy was looked for; `ok: false` with the reason when it could not be opened. */
export interface RepairSourceReport {
  source: string;
  ok: boolean;
  error?: string;
}

interface RepairSource {
  source: string;
  /** null: the source could not be opened (unreachable remote, damaged archive) */
  gitdir: string | null;
  error?: string;
}

export interface ObjectRepairOptions extends TransportOptions {
  dryRun?: boolean;
  onProgress?: ProgressCallback;
}

interface Damage {
  blob: string;
  /** empty for a note blob */
  sha256: string;
  /** the save commit whose checksum note this blob is */
  note?: string;
  versions: DamagedVersion[];
  code: ErrorCode;
  damage: string;
}

/** Re-read every live version's blob; return the damaged ones (missing, corrupt, or wrong sha256). */
export async function findDamagedBlobs(vault: Vault, versions: VersionRecord[], onProgress?: ProgressCallback): Promise<Damage[]> {
  const byBlob = new Map<string, Damage | null>();
  const live = versions.filter((v) => !v.archive && v.blob);
  let done = 0;
  for (const v of live) {
    onProgress?.({ phase: 'repair: checking', loaded: done++, total: live.length, item: `${v.path}@${v.version}` });
    const seen = byBlob.get(v.blob);
    if (seen !== undefined) {
      seen?.versions.push({ path: v.path, version: v.version, commit: v.commit });
      continue;
    }
    const damaged: string[] = [];
    let d: Damage | null = null;
    const where = { path: v.path, version: v.version, commit: v.commit };
    try {
      const got = await digestBlob(vault.gitdir, v.blob, { onDamagedCopy: (c) => damaged.push(`${c.location}: ${c.message}`) });
      if (got.sha256 !== v.sha256) d = { blob: v.blob, sha256: v.sha256, versions: [where], code: 'E_CHECKSUM_MISMATCH', damage: `content hashes to ${got.sha256}, expected ${v.sha256}` };
      else if (damaged.length) d = { blob: v.blob, sha256: v.sha256, versions: [where], code: 'E_OBJECT_CORRUPT', damage: `an intact copy reads, but a damaged copy is stored too (${damaged.join('; ')})` };
    } catch (e) {
      if (!(e instanceof SavepointError)) throw e;
      d = { blob: v.blob, sha256: v.sha256, versions: [where], code: e.code, damage: e.message };
    }
    byBlob.set(v.blob, d);
  }
  return [...byBlob.values()].filter((d): d is Damage => d !== null);
}

/**
 * Fetch every ref a remote advertises into a fresh scratch git directory (the vault is not touched), through the
 * remote's own transport (http, local path or ssh; the pack streams to disk and is checked while it is indexed).
 */
async function openRemote(name: string, url: string, root: string, opts: TransportOptions): Promise<RepairSource> {
  const source = `remote ${name}`;
  if (isS3Url(url)) return { source, gitdir: null, error: 's3:// remotes are not yet a repair source (clone the bucket and repair from that copy)' };
  let session: RemoteTransport | null = null;
  try {
    session = await openTransport(url, opts, name);
    const adv = await session.discover('git-upload-pack');
    const wants = [...new Set([...adv.refs].filter(([r]) => !r.endsWith('^{}')).map(([, oid]) => oid))];
    const gitdir = await fsp.mkdtemp(path.join(root, 'remote-'));
    await fsp.mkdir(path.join(gitdir, 'objects', 'pack'), { recursive: true });
    if (wants.length) await session.fetchObjects(gitdir, wants, [], adv);
    return { source, gitdir };
  } catch (e) {
    return { source, gitdir: null, error: e instanceof SavepointError ? e.message : `${(e as Error)?.message ?? e}` };
  } finally {
    await session?.close();
  }
}

/** Find damaged blobs, fetch good copies from remotes and archives, and write them back (unless dryRun). */
export async function repairObjects(vault: Vault, versions: VersionRecord[], opts: ObjectRepairOptions = {}, damagedNotes: Map<string, { commit: string; damage: string; code: ErrorCode }> = new Map()): Promise<{ objects: ObjectRepair[]; sources: RepairSourceReport[] }> {
  const damaged = await findDamagedBlobs(vault, versions, opts.onProgress);
  // damaged note blobs: a copy proves itself by its object id alone (no sha256 is recorded for a note)
  for (const [blob, n] of damagedNotes) damaged.push({ blob, sha256: '', versions: [], note: n.commit, code: n.code, damage: `checksum note of ${n.commit.slice(0, 12)}: ${n.damage}` });
  const index = await readArchiveIndex(vault).catch(() => ({ archives: [] as Array<{ file: string; sha256: string }> }));
  if (damaged.length === 0 && index.archives.length === 0) return { objects: [], sources: [] };
  const root = await makeScratchDir(path.join(vault.gitdir, 'savepoint', 'tmp'), 'repair-');
  const sources: RepairSource[] = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    // sources, in order: remotes (a full copy of the history), then archives (versions retention moved out)
    // (remotes only when something needs a copy; archives always, so a damaged archive is reported)
    if (damaged.length) for (const r of listRemotes(vault)) sources.push(await openRemote(r.name, r.url, root, opts));
    for (const a of index.archives) {
      try {
        const opened = await openArchive(archivePath(vault, a.file), root, a.file, a.sha256);
        closers.push(opened.close);
        sources.push({ source: `archive ${a.file}`, gitdir: opened.gitdir });
      } catch (e) {
        sources.push({ source: `archive ${a.file}`, gitdir: null, error: e instanceof SavepointError ? e.message : String(e) });
      }
    }
    const out: ObjectRepair[] = [];
    let n = 0;
    for (const d of damaged) {
      opts.onProgress?.({ phase: 'repair: fetching good copies', loaded: n++, total: damaged.length, item: d.blob.slice(0, 10) });
      const rep: ObjectRepair = { ...d, status: 'unfixed', tried: [] };
      for (const s of sources) {
        if (!s.gitdir) {
          rep.tried.push({ source: s.source, result: `not available: ${s.error}` });
          continue;
        }
        const tmp = path.join(root, `blob-${d.blob}`);
        await fsp.rm(tmp, { force: true });
        try {
          // readBlobToFile checks the content against the object id (sha1) as it streams
          const got = await readBlobToFile(s.gitdir, d.blob, tmp);
          if (d.sha256 && got.sha256 !== d.sha256) {
            rep.tried.push({ source: s.source, result: `its copy hashes to ${got.sha256}, not ${d.sha256}` });
            continue;
          }
          if (!opts.dryRun) {
            const w = await writeLooseBlob(vault.gitdir, tmp, { fsync: true });
            if (w.oid !== d.blob || (d.sha256 && w.sha256 !== d.sha256)) throw new SavepointError('E_INTERNAL', `the copy of ${d.blob} changed while it was written back`, {});
            // prove it: the vault now reads an intact copy with the right sha256
            const again = await digestBlob(vault.gitdir, d.blob);
            if (d.sha256 && again.sha256 !== d.sha256) throw new SavepointError('E_CHECKSUM_MISMATCH', `${d.blob} still reads wrong after the repair`, {});
          }
          rep.status = opts.dryRun ? 'would-replace' : 'replaced';
          rep.source = s.source;
          break;
        } catch (e) {
          if (!(e instanceof SavepointError) || e.code === 'E_INTERNAL') throw e;
          rep.tried.push({ source: s.source, result: e.code === 'E_OBJECT_MISSING' ? 'does not hold this object' : e.message });
        } finally {
          await fsp.rm(tmp, { force: true });
        }
      }
      out.push(rep);
    }
    return { objects: out, sources: sources.map(({ source, gitdir, error }) => ({ source, ok: gitdir !== null, ...(error ? { error } : {}) })) };
  } finally {
    for (const c of closers) await c().catch(() => undefined);
    await fsp.rm(root, { recursive: true, force: true });
  }
}
