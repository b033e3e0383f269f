/**
 * Savepoint archive files: `<archiveLocation>/<period>/<key>_<stamp>.tar.gz`, a gzip-compressed ustar with
 *   manifest.json   what the archive holds (schema below), with the bundle's sha256
 *   archive.bundle  a git v2 bundle ("# v2 git bundle", refs, blank line, packfile) that `git bundle verify`
 *                   accepts and `git clone` can open: one commit per archived version, holding only that file
 *   archive.idx     the pack's v2 index, so a reader can find one blob without indexing the pack
 * plus a sidecar `<file>.sha256` in `sha256sum -c` format holding the checksum of the archive file itself
 * (also recorded in index.json). Everything streams: blob content never sits in memory.
 */
import { createHash } from 'node:crypto';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { SavepointError } from '../errors.js';
import type { VersionRecord } from '../model/version.js';
import { hashObject, serializeCommit, serializeTree } from '../history/objects.js';
import type { Commit, TreeEntry } from '../history/objects.js';
import { buildIndexV2, fsyncDir, PackWriter } from '../store/pack-writer.js';
import { streamObject } from '../store/reader.js';
import { openBase } from '../store/delta-base.js';
import { DeltaEncoder } from '../store/delta.js';
import { digestBlob } from '../store/object-store.js';
import { readTar, tarHeader, tarPadding, TAR_END, TarFormatError } from './tar.js';
import { Keyring, MAGIC as ENC_MAGIC, createDecryptStream, createEncryptStream, newKdf } from '../crypto/chunked.js';
import type { KeyProvider } from '../crypto/chunked.js';

export const BUNDLE_REF = 'refs/heads/archive';

export interface ArchivedVersion extends VersionRecord {
  /** the commit in the bundle that holds this version */
  archiveCommit: string;
}

export interface ArchiveManifest {
  schema: 1;
  format: 'savepoint-archive';
  createdAt: string;
  period: string;
  periodKey: string;
  branch: string;
  bundle: { path: 'archive.bundle'; size: number; sha256: string; head: string; ref: string; packChecksum: string; objects: number };
  index: { path: 'archive.idx'; sha256: string };
  versions: ArchivedVersion[];
}

export interface WrittenArchive {
  /** absolute path of the archive file */
  file: string;
  sha256: string;
  size: number;
  manifest: ArchiveManifest;
}

/** A nested tree holding just `filepath → blob`; returns the trees bottom-up (last = root). */
function treesFor(filepath: string, blob: string): { oid: string; data: Buffer }[] {
  const parts = filepath.split('/');
  const out: { oid: string; data: Buffer }[] = [];
  let entry: TreeEntry = { mode: '100644', path: parts[parts.length - 1]!, oid: blob, type: 'blob' };
  for (let i = parts.length - 1; i >= 0; i--) {
    const data = serializeTree([entry]);
    const oid = hashObject('tree', data);
    out.push({ oid, data });
    if (i > 0) entry = { mode: '040000', path: parts[i - 1]!, oid, type: 'tree' };
  }
  return out;
}

const MAX_DEPTH = 50;
/** Deltas larger than this are not worth holding in memory; the version is stored whole instead. */
const MAX_DELTA = 64 << 20;

async function addWholeBlob(writer: PackWriter, gitdir: string, oid: string, size: number): Promise<void> {
  await writer.addStream(oid, 'blob', size, async (push) => {
    await streamObject(gitdir, oid, {
      header(type, s) {
        if (type !== 'blob' || s !== size) throw new SavepointError('E_OBJECT_CORRUPT', `Stored object ${oid} is a ${type} of ${s} bytes; its note says a blob of ${size}. Run \`savepoint verify\`.`, { oid });
      },
      chunk: (c) => push(c),
    });
  });
}

async function deltaAgainst(gitdir: string, baseOid: string, baseSize: number, oid: string, size: number, tmpDir: string): Promise<Uint8Array[] | null> {
  const base = await openBase(gitdir, baseOid, baseSize, tmpDir);
  try {
    const enc = new DeltaEncoder(base, size, { maxDeltaSize: Math.min(Math.floor(size / 2), MAX_DELTA) });
    await streamObject(gitdir, oid, { header() {}, chunk: (c) => enc.push(c) });
    return await enc.finish();
  } finally {
    await base.close();
  }
}

async function fsyncFile(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Write one archive holding `versions` (read from `gitdir`) to `dest` (absolute; must not exist).
 * `originals` maps each version's save commit to its commit object (for author, date and message).
 * The file is written to a temp name, fsynced and renamed; the sidecar checksum likewise.
 */
export async function writeArchiveFile(opts: {
  gitdir: string;
  dest: string;
  tmpDir: string;
  versions: VersionRecord[];
  originals: Map<string, Commit>;
  createdAt: string;
  period: string;
  periodKey: string;
  branch: string;
  level: number;
  /** issue 12: encrypt the archive file with this key (a fresh salt per archive) */
  encrypt?: KeyProvider;
}): Promise<WrittenArchive> {
  const versions = [...opts.versions].sort((a, b) => a.seq - b.seq || (a.path < b.path ? -1 : 1) || a.version - b.version);
  // plan the objects: blobs (deduped), trees and one commit per version, chained
  const small = new Map<string, { type: 'tree' | 'commit'; data: Buffer }>();
  const blobs = new Map<string, number>();
  const archived: ArchivedVersion[] = [];
  let parent: string | null = null;
  for (const v of versions) {
    if (!v.blob) throw new SavepointError('E_OBJECT_MISSING', `${v.path}@${v.version} has no stored content to archive. Run \`savepoint verify\`.`, { path: v.path, version: v.version });
    blobs.set(v.blob, v.size);
    const trees = treesFor(v.path, v.blob);
    for (const t of trees) small.set(t.oid, { type: 'tree', data: t.data });
    const orig = opts.originals.get(v.commit);
    if (!orig) throw new SavepointError('E_INTERNAL', `The save commit ${v.commit} of ${v.path}@${v.version} could not be read.`, { commit: v.commit });
    const message = `${orig.message.replace(/\n*$/, '\n')}Savepoint-Archived-From: ${v.commit}\n`;
    const commit: Commit = { tree: trees[trees.length - 1]!.oid, parent: parent ? [parent] : [], author: orig.author, committer: orig.committer, message };
    const data = serializeCommit(commit);
    const oid = hashObject('commit', data);
    small.set(oid, { type: 'commit', data });
    parent = oid;
    archived.push({ ...v, archiveCommit: oid });
  }
  const head = parent!;
  await fsp.mkdir(opts.tmpDir, { recursive: true });
  // Pack entries are stored uncompressed (level 0): the whole tar is gzipped once afterwards. Versions of the
  // same file are stored as deltas against the previous one (chains of at most MAX_DEPTH), which is what makes
  // an archive of many versions of a big CSV small.
  const writer = await PackWriter.create(opts.tmpDir, blobs.size + small.size, 0);
  let packChecksum: string;
  try {
    const sizes = new Map<string, number>();
    for (const [oid, size] of blobs) sizes.set(oid, size >= 0 ? size : (await digestBlob(opts.gitdir, oid)).size);
    const chains = new Map<string, string[]>();
    for (const v of [...versions].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.version - b.version))) {
      if (!chains.has(v.path)) chains.set(v.path, []);
      chains.get(v.path)!.push(v.blob);
    }
    const added = new Set<string>();
    for (const chain of chains.values()) {
      let prev: string | null = null;
      let depth = 0;
      for (const oid of chain) {
        if (added.has(oid)) continue;
        const size = sizes.get(oid)!;
        let stored = false;
        if (prev && depth < MAX_DEPTH && size > 64 && sizes.get(prev)! > 64) {
          const delta = await deltaAgainst(opts.gitdir, prev, sizes.get(prev)!, oid, size, opts.tmpDir);
          if (delta) {
            await writer.addOfsDelta(oid, prev, delta);
            stored = true;
            depth++;
          }
        }
        if (!stored) {
          await addWholeBlob(writer, opts.gitdir, oid, size);
          depth = 0;
        }
        added.add(oid);
        prev = oid;
      }
    }
    for (const [oid, o] of small) await writer.addBuffer(oid, o.type, o.data);
    packChecksum = await writer.finish();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  const packFile = writer.tmpPack;
  try {
    const idx = buildIndexV2(writer.entries, packChecksum);
    const bundleHead = Buffer.from(`# v2 git bundle\n${head} ${BUNDLE_REF}\n${head} HEAD\n\n`, 'utf8');
    const packStat = await fsp.stat(packFile);
    const bundleHash = createHash('sha256').update(bundleHead);
    for await (const c of fs.createReadStream(packFile, { highWaterMark: 1 << 20 })) bundleHash.update(c as Buffer);
    const bundleSize = bundleHead.length + packStat.size;
    const manifest: ArchiveManifest = {
      schema: 1,
      format: 'savepoint-archive',
      createdAt: opts.createdAt,
      period: opts.period,
      periodKey: opts.periodKey,
      branch: opts.branch,
      bundle: { path: 'archive.bundle', size: bundleSize, sha256: bundleHash.digest('hex'), head, ref: BUNDLE_REF, packChecksum, objects: writer.entries.length },
      index: { path: 'archive.idx', sha256: createHash('sha256').update(idx).digest('hex') },
      versions: archived,
    };
    const manifestBuf = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
    const mtime = Math.floor(Date.parse(opts.createdAt) / 1000);
    async function* tarStream(): AsyncGenerator<Buffer> {
      yield tarHeader('manifest.json', manifestBuf.length, mtime);
      yield manifestBuf;
      yield tarPadding(manifestBuf.length);
      yield tarHeader('archive.bundle', bundleSize, mtime);
      yield bundleHead;
      for await (const c of fs.createReadStream(packFile, { highWaterMark: 1 << 20 })) yield c as Buffer;
      yield tarPadding(bundleSize);
      yield tarHeader('archive.idx', idx.length, mtime);
      yield idx;
      yield tarPadding(idx.length);
      yield TAR_END;
    }
    await fsp.mkdir(path.dirname(opts.dest), { recursive: true, mode: 0o700 }); // archives are owner-only (issue 13 item 5)
    const tmp = `${opts.dest}.tmp-${process.pid}`;
    const fileHash = createHash('sha256');
    let size = 0;
    const tap = async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) {
        fileHash.update(c);
        size += c.length;
        yield c;
      }
    };
    try {
      if (opts.encrypt) {
        // issue 12: gzip, then the chunked AES-256-GCM format; the sidecar checksum is of the encrypted file
        const ring = new Keyring(opts.encrypt);
        const enc = await createEncryptStream(ring, await newKdf(ring));
        await pipeline(tarStream, zlib.createGzip({ level: opts.level, chunkSize: 1 << 20 }), enc, tap, fs.createWriteStream(tmp, { flags: 'wx', mode: 0o400 }));
      } else await pipeline(tarStream, zlib.createGzip({ level: opts.level, chunkSize: 1 << 20 }), tap, fs.createWriteStream(tmp, { flags: 'wx', mode: 0o400 }));
      await fsyncFile(tmp);
      const sha256 = fileHash.digest('hex');
      const sidecar = `${opts.dest}.sha256`;
      await fsp.writeFile(`${sidecar}.tmp-${process.pid}`, `${sha256}  ${path.basename(opts.dest)}\n`, { mode: 0o600 });
      await fsyncFile(`${sidecar}.tmp-${process.pid}`);
      await fsp.rename(tmp, opts.dest);
      await fsp.rename(`${sidecar}.tmp-${process.pid}`, sidecar);
      await fsyncDir(path.dirname(opts.dest));
      return { file: opts.dest, sha256, size, manifest };
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      await fsp.rm(`${opts.dest}.sha256.tmp-${process.pid}`, { force: true });
      throw e;
    }
  } finally {
    await fsp.rm(packFile, { force: true });
  }
}

export interface OpenedArchive {
  manifest: ArchiveManifest;
  /** a scratch git directory holding the archive's pack (read it with the store functions) */
  gitdir: string;
  sha256: string;
  size: number;
  close(): Promise<void>;
}

function corrupt(file: string, why: string, cause?: unknown): SavepointError {
  return new SavepointError('E_ARCHIVE_CORRUPT', `The archive ${file} is damaged (${why}). Restore it from a backup copy; the versions it holds cannot be read from it.`, { archive: file, why }, cause ? { cause } : undefined);
}

/**
 * Unpack an archive into a scratch git directory under `tmpRoot`, checking as it streams: the file's sha256
 * (against `expectedSha256` when given), the manifest, the bundle header and its sha256, the pack checksum
 * and the index. Memory stays bounded; disk use is the size of the pack.
 */
export async function openArchive(file: string, tmpRoot: string, label: string, expectedSha256?: string, key?: KeyProvider): Promise<OpenedArchive> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(file);
  } catch {
    throw new SavepointError('E_ARCHIVE_MISSING', `The archive ${label} is missing (${file}). Put it back from a backup copy; the versions it holds cannot be restored without it.`, { archive: label, file });
  }
  await fsp.mkdir(tmpRoot, { recursive: true });
  const scratch = await fsp.mkdtemp(path.join(tmpRoot, 'archive-'));
  const packDir = path.join(scratch, 'objects', 'pack');
  await fsp.mkdir(packDir, { recursive: true });
  const close = () => fsp.rm(scratch, { recursive: true, force: true });
  const fileHash = createHash('sha256');
  let manifest: ArchiveManifest | null = null;
  let sawBundle = false;
  let sawIdx = false;
  try {
    const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    const tapped = (async function* () {
      for await (const c of raw) {
        fileHash.update(c as Buffer);
        yield c as Buffer;
      }
    })();
    const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
    // issue 12: an encrypted archive is decrypted (and authenticated chunk by chunk) before gunzip
    const head = Buffer.alloc(ENC_MAGIC.length);
    const fh = await fsp.open(file, 'r');
    try {
      await fh.read(head, 0, head.length, 0);
    } finally {
      await fh.close();
    }
    let feeding: Promise<void>;
    if (head.equals(ENC_MAGIC)) {
      if (!key) throw new SavepointError('E_INVALID_ARGUMENT', `The archive ${label} is encrypted: set SAVEPOINT_PASSPHRASE (or SAVEPOINT_KEY_FILE), or run in a terminal to be asked.`, { archive: label });
      feeding = pipeline(tapped, createDecryptStream(new Keyring(key), `the archive ${label}`), gunzip);
    } else feeding = pipeline(tapped, gunzip);
    feeding.catch(() => undefined); // awaited below; a reader failure surfaces from readTar first
    await readTar(gunzip as AsyncIterable<Buffer>, async (entry) => {
      if (entry.name === 'manifest.json') {
        if (entry.size > 256 << 20) throw corrupt(label, 'manifest too large');
        const parts: Buffer[] = [];
        return {
          chunk: (c) => void parts.push(Buffer.from(c)),
          end: () => {
            try {
              manifest = JSON.parse(Buffer.concat(parts).toString('utf8')) as ArchiveManifest;
            } catch (e) {
              throw corrupt(label, 'manifest.json is not JSON', e);
            }
            if (!manifest || typeof manifest !== 'object' || manifest.format !== 'savepoint-archive' || manifest.schema !== 1) throw corrupt(label, 'not a Savepoint archive manifest');
            // the fields used below (one names a file in the scratch folder): a damaged manifest stops here
            const hex = (v: unknown, n: number) => typeof v === 'string' && v.length === n && /^[0-9a-f]+$/.test(v);
            const b = manifest.bundle as Partial<ArchiveManifest['bundle']> | undefined;
            if (!b || typeof b !== 'object' || !hex(b.packChecksum, 40) || !hex(b.sha256, 64) || typeof b.size !== 'number' || typeof b.head !== 'string' || typeof b.ref !== 'string') throw corrupt(label, 'manifest.json has a damaged bundle entry');
            if (!manifest.index || typeof manifest.index !== 'object' || !hex(manifest.index.sha256, 64)) throw corrupt(label, 'manifest.json has a damaged index entry');
            if (!Array.isArray(manifest.versions) || !manifest.versions.every((v) => v && typeof v === 'object' && typeof v.path === 'string' && Number.isInteger(v.version) && hex(v.blob, 40) && hex(v.sha256, 64))) throw corrupt(label, 'manifest.json has a damaged version list');
          },
        };
      }
      if (entry.name === 'archive.bundle') {
        const m = manifest as ArchiveManifest | null;
        if (!m) throw corrupt(label, 'archive.bundle comes before manifest.json');
        sawBundle = true;
        const bundleHash = createHash('sha256');
        const packHash = createHash('sha1');
        const packPath = path.join(packDir, `pack-${m.bundle.packChecksum}.pack`);
        const out = await fsp.open(packPath, 'wx');
        let header: Buffer | null = Buffer.alloc(0);
        let packBytes = 0;
        let tail = Buffer.alloc(0);
        const writePack = async (c: Buffer) => {
          // the last 20 bytes are the pack checksum: hash everything before them
          const joined = Buffer.concat([tail, c]);
          const keep = Math.min(20, joined.length);
          packHash.update(joined.subarray(0, joined.length - keep));
          tail = Buffer.from(joined.subarray(joined.length - keep));
          packBytes += c.length;
          let w = 0;
          while (w < c.length) w += (await out.write(c, w, c.length - w)).bytesWritten;
        };
        return {
          async chunk(c) {
            bundleHash.update(c);
            if (header) {
              header = Buffer.concat([header, c]);
              const end = header.indexOf('\n\n');
              if (end === -1) {
                if (header.length > 1 << 20) throw corrupt(label, 'bundle header too long');
                return;
              }
              const text = header.subarray(0, end).toString('utf8');
              const lines = text.split('\n');
              if (lines[0] !== '# v2 git bundle') throw corrupt(label, 'archive.bundle is not a v2 git bundle');
              if (!lines.slice(1).some((l) => l === `${m.bundle.head} ${m.bundle.ref}`)) throw corrupt(label, 'bundle refs do not match the manifest');
              if (lines.slice(1).some((l) => l.startsWith('-'))) throw corrupt(label, 'bundle has prerequisites; archives must be self-contained');
              const rest = header.subarray(end + 2);
              header = null;
              if (rest.length) await writePack(rest);
              return;
            }
            await writePack(c);
          },
          async end() {
            await out.sync();
            await out.close();
            if (header) throw corrupt(label, 'bundle header is incomplete');
            if (bundleHash.digest('hex') !== m.bundle.sha256) throw corrupt(label, 'archive.bundle does not match the sha256 in its manifest');
            if (packBytes < 32 || packHash.digest('hex') !== tail.toString('hex') || tail.toString('hex') !== m.bundle.packChecksum) throw corrupt(label, 'pack checksum mismatch');
          },
        };
      }
      if (entry.name === 'archive.idx') {
        const m = manifest as ArchiveManifest | null;
        if (!m) throw corrupt(label, 'archive.idx comes before manifest.json');
        sawIdx = true;
        const parts: Buffer[] = [];
        return {
          chunk: (c) => void parts.push(Buffer.from(c)),
          async end() {
            const buf = Buffer.concat(parts);
            if (createHash('sha256').update(buf).digest('hex') !== m.index.sha256) throw corrupt(label, 'archive.idx does not match its manifest');
            await fsp.writeFile(path.join(packDir, `pack-${m.bundle.packChecksum}.idx`), buf);
          },
        };
      }
      return null;
    });
    await feeding;
    const sha256 = fileHash.digest('hex');
    if (expectedSha256 && sha256 !== expectedSha256) throw corrupt(label, `its sha256 is ${sha256.slice(0, 12)}…, the archive index says ${expectedSha256.slice(0, 12)}…`);
    if (!manifest || !sawBundle || !sawIdx) throw corrupt(label, 'manifest, bundle or index missing');
    return { manifest, gitdir: scratch, sha256, size: st.size, close };
  } catch (e) {
    await close();
    if (e instanceof SavepointError) throw e;
    if (e instanceof TarFormatError) throw corrupt(label, e.message, e);
    const code = (e as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && code.startsWith('Z_')) throw corrupt(label, `gzip: ${(e as Error).message}`, e);
    throw e;
  }
}
