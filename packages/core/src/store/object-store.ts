/**
 * The single seam for blob content: every save, restore and verify of file content goes through here,
 * so the streaming engine can evolve without touching the API layer. Small objects (trees, commits,
 * notes, tags) go through isomorphic-git instead.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import zlib from 'node:zlib';
import git from 'isomorphic-git';
import fs from 'node:fs';
import { SavepointError, fromNodeError } from '../errors.js';
import type { ProgressCallback } from '../util/progress.js';

export interface ContentDigest {
  size: number;
  sha256: string;
  md5?: string;
}
export interface BlobInfo extends ContentDigest {
  /** git blob id (SHA-1 of `blob <size>\0<content>`) */
  oid: string;
}
export interface WriteBlobOptions {
  md5?: boolean;
  onProgress?: ProgressCallback;
  /** zlib level for the loose object; low levels keep saves fast, `compact` recompresses later. */
  level?: number;
}
export interface ReadBlobOptions {
  md5?: boolean;
  onProgress?: ProgressCallback;
}

function looseObjectPath(gitdir: string, oid: string): string {
  return path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
}

/** Hashes everything passing through; optionally counts progress. */
class DigestTap extends Transform {
  readonly sha256 = createHash('sha256');
  readonly md5?: ReturnType<typeof createHash>;
  readonly sha1?: ReturnType<typeof createHash>;
  bytes = 0;
  constructor(opts: { md5?: boolean; sha1Header?: string; total: number; onProgress?: ProgressCallback; phase: string }) {
    super();
    if (opts.md5) this.md5 = createHash('md5');
    if (opts.sha1Header !== undefined) {
      this.sha1 = createHash('sha1');
      this.sha1.update(opts.sha1Header);
    }
    this.total = opts.total;
    this.onProgress = opts.onProgress;
    this.phase = opts.phase;
  }
  private total: number;
  private onProgress?: ProgressCallback;
  private phase: string;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.sha256.update(chunk);
    this.md5?.update(chunk);
    this.sha1?.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.({ phase: this.phase, loaded: this.bytes, total: this.total });
    cb(null, chunk);
  }
}

let tmpCounter = 0;
function tmpName(dir: string, prefix: string): string {
  tmpCounter += 1;
  return path.join(dir, `${prefix}-${process.pid}-${Date.now().toString(36)}-${tmpCounter}`);
}

/** Stream a file into a loose blob object in one pass: git SHA-1, sha256 (md5) and deflate together. */
export async function writeBlobFromFile(gitdir: string, file: string, opts: WriteBlobOptions = {}): Promise<BlobInfo> {
  const st = await fsp.stat(file);
  const size = st.size;
  const objectsDir = path.join(gitdir, 'objects');
  const tmp = tmpName(objectsDir, 'tmp_obj');
  const tap = new DigestTap({ md5: opts.md5, sha1Header: `blob ${size}\0`, total: size, onProgress: opts.onProgress, phase: 'save' });
  const deflate = zlib.createDeflate({ level: opts.level ?? 1 });
  deflate.write(Buffer.from(`blob ${size}\0`));
  try {
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), tap, deflate, createWriteStream(tmp, { flags: 'wx', mode: 0o444 }));
    if (tap.bytes !== size) {
      throw new SavepointError('E_INVALID_ARGUMENT', `The file ${file} changed size while it was being saved (${size} → ${tap.bytes} bytes). Wait until it is fully written, then save again.`, { file });
    }
    const oid = tap.sha1!.digest('hex');
    const dest = looseObjectPath(gitdir, oid);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    if (await exists(dest)) {
      await fsp.rm(tmp, { force: true });
    } else {
      await fsp.rename(tmp, dest);
    }
    const info: BlobInfo = { oid, size, sha256: tap.sha256.digest('hex') };
    if (tap.md5) info.md5 = tap.md5.digest('hex');
    return info;
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw fromNodeError(e, `saving ${file}`);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Strips the `blob <size>\0` header from an inflated loose object stream. */
class LooseHeaderStrip extends Transform {
  private header: Buffer | null = Buffer.alloc(0);
  size = -1;
  type = '';
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    if (this.header === null) return cb(null, chunk);
    const buf = Buffer.concat([this.header, chunk]);
    const nul = buf.indexOf(0);
    if (nul === -1) {
      if (buf.length > 64) return cb(new SavepointError('E_OBJECT_CORRUPT', 'A stored object has a corrupt header. Run `savepoint verify` to see which versions are affected.'));
      this.header = buf;
      return cb();
    }
    const [type, sizeText] = buf.subarray(0, nul).toString('latin1').split(' ');
    this.type = type ?? '';
    this.size = Number(sizeText);
    this.header = null;
    cb(null, buf.subarray(nul + 1));
  }
}

/** Where the content should go: a file path (written as-is) or a sink that just hashes. */
type Sink = { kind: 'file'; path: string } | { kind: 'hash' };

async function streamBlob(gitdir: string, oid: string, sink: Sink, opts: ReadBlobOptions): Promise<ContentDigest> {
  const loose = looseObjectPath(gitdir, oid);
  if (await exists(loose)) {
    const strip = new LooseHeaderStrip();
    const tap = new DigestTap({ md5: opts.md5, total: 0, onProgress: opts.onProgress, phase: 'read' });
    const out = sink.kind === 'file' ? createWriteStream(sink.path, { flags: 'wx' }) : new Writable({ write: (_c, _e, cb) => cb() });
    try {
      await pipeline(createReadStream(loose), zlib.createInflate(), strip, tap, out);
    } catch (e) {
      if (e instanceof SavepointError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw fromNodeError(e, 'restoring');
      throw new SavepointError('E_OBJECT_CORRUPT', `Stored object ${oid} cannot be read (${(e as Error).message}). Run \`savepoint verify\`; restore this version from a remote or archive if one has it.`, { oid }, { cause: e });
    }
    if (strip.type !== 'blob' || strip.size !== tap.bytes) {
      throw new SavepointError('E_OBJECT_CORRUPT', `Stored object ${oid} is truncated or not a blob. Run \`savepoint verify\`; restore this version from a remote or archive if one has it.`, { oid });
    }
    const d: ContentDigest = { size: tap.bytes, sha256: tap.sha256.digest('hex') };
    if (tap.md5) d.md5 = tap.md5.digest('hex');
    return d;
  }
  // Packed object: isomorphic-git resolves packs and deltas (in memory for now).
  let blob: Uint8Array;
  try {
    ({ blob } = await git.readBlob({ fs, gitdir, oid }));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'NotFoundError') {
      throw new SavepointError('E_OBJECT_MISSING', `Stored object ${oid} is missing from the vault. Fetch it from a remote (\`savepoint fetch\`) or restore from an archive.`, { oid }, { cause: e });
    }
    throw new SavepointError('E_OBJECT_CORRUPT', `Stored object ${oid} cannot be read (${(e as Error).message}). Run \`savepoint verify\`.`, { oid }, { cause: e });
  }
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (sink.kind === 'file') await fsp.writeFile(sink.path, buf, { flag: 'wx' });
  const d: ContentDigest = { size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
  if (opts.md5) d.md5 = createHash('md5').update(buf).digest('hex');
  opts.onProgress?.({ phase: 'read', loaded: buf.length, total: buf.length });
  return d;
}

/** Stream a blob's content into `dest` (which must not exist) and return its digest. */
export function readBlobToFile(gitdir: string, oid: string, dest: string, opts: ReadBlobOptions = {}): Promise<ContentDigest> {
  return streamBlob(gitdir, oid, { kind: 'file', path: dest }, opts);
}

/** Re-hash a stored blob without writing it anywhere (verify). */
export function digestBlob(gitdir: string, oid: string, opts: ReadBlobOptions = {}): Promise<ContentDigest> {
  return streamBlob(gitdir, oid, { kind: 'hash' }, opts);
}

/** Hash a working file the way a save would (sha256, optional md5) without storing it. */
export async function digestFile(file: string, opts: ReadBlobOptions = {}): Promise<ContentDigest> {
  const st = await fsp.stat(file);
  const tap = new DigestTap({ md5: opts.md5, total: st.size, onProgress: opts.onProgress, phase: 'hash' });
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), tap, new Writable({ write: (_c, _e, cb) => cb() }));
  const d: ContentDigest = { size: tap.bytes, sha256: tap.sha256.digest('hex') };
  if (tap.md5) d.md5 = tap.md5.digest('hex');
  return d;
}
