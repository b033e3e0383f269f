/**
 * The single seam for blob content: every save, restore and verify of file content goes through here,
 * so the streaming engine can evolve without touching the API layer. Small objects (trees, commits,
 * notes, tags) go through isomorphic-git instead.
 *
 * - writes: `loose-writer.ts` (one pass, stored-block zlib framing, constant memory)
 * - reads: `reader.ts` (loose objects of any zlib level, packs with ofs/ref delta chains, streaming)
 */
import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { SavepointError, fromNodeError } from '../errors.js';
import type { ProgressCallback } from '../util/progress.js';
import { writeLooseBlob } from './loose-writer.js';
import { looseObjectPath, streamObject, type StreamObjectOptions } from './reader.js';
import { copyStoredBlob } from './stored-copy.js';

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
  /**
   * Accepted for compatibility; saves always write uncompressed (stored-block) loose objects because
   * zlib is slower than the disk. `compact` compresses them into packs.
   */
  level?: number;
  /** fsync the object before it is renamed into place (default true). */
  fsync?: boolean;
}
export interface ReadBlobOptions {
  md5?: boolean;
  onProgress?: ProgressCallback;
  /** readBlobToFile only: fsync `dest` before returning (default true, so a rename after it is crash-safe). */
  fsync?: boolean;
  /** readBlobToFile only: permission bits given to `dest` (exactly, whatever the umask) before that fsync. */
  mode?: number;
  /**
   * verify --quick: hash the content with sha256 only (no git SHA-1 of the object, no zlib Adler-32 of a
   * loose file). Sound for the content when the caller compares the sha256 with the one recorded at save;
   * it does not check the storage framing (see `savepoint verify --help`).
   */
  quick?: boolean;
  /**
   * digestBlob only: skip the sha256 (the returned `sha256` is then ''), because another thread hashes the
   * same content (digest-pool.ts splits one big blob this way); the git SHA-1 and zlib checks still run.
   */
  skipSha256?: boolean;
  /** told about damaged copies skipped for an intact one (see reader.ts) */
  onDamagedCopy?: StreamObjectOptions['onDamagedCopy'];
}

/** Stream a file into a loose blob object in one pass: git SHA-1, sha256 (md5) and framing together. */
export async function writeBlobFromFile(gitdir: string, file: string, opts: WriteBlobOptions = {}): Promise<BlobInfo> {
  const res = await writeLooseBlob(gitdir, file, { md5: opts.md5, onProgress: opts.onProgress, fsync: opts.fsync });
  const info: BlobInfo = { oid: res.oid, size: res.size, sha256: res.sha256 };
  if (res.md5) info.md5 = res.md5;
  return info;
}

/** Where the content should go: a file path (created, must not exist) or nowhere (hash only). */
type Sink = { kind: 'file'; path: string } | { kind: 'hash' };

async function streamBlob(gitdir: string, oid: string, sink: Sink, opts: ReadBlobOptions, phase: string): Promise<ContentDigest> {
  const wantSha256 = !(opts.skipSha256 && sink.kind === 'hash' && !opts.quick);
  let sha256: Hash | undefined = wantSha256 ? createHash('sha256') : undefined;
  let md5: Hash | undefined = opts.md5 ? createHash('md5') : undefined;
  let out: FileHandle | undefined;
  let created = false;
  let total = 0;
  let loaded = 0;
  let pending: Promise<void> = Promise.resolve();
  // Writes are double-buffered: hashing the next chunk overlaps the previous write.
  const CHUNK = 1 << 20;
  const outBufs = sink.kind === 'file' ? [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] : [];
  let which = 0;
  let fill = 0;
  // writes are positional, so a reset (truncate, start again) needs no seek
  let writeAt = 0;
  const flush = async (): Promise<void> => {
    const fh = out;
    if (!fh || fill === 0) return;
    const b = outBufs[which]!;
    const len = fill;
    const at = writeAt;
    which ^= 1;
    fill = 0;
    writeAt += len;
    await pending;
    pending = (async () => {
      let w = 0;
      while (w < len) w += (await fh.write(b, w, len - w, at + w)).bytesWritten;
    })();
  };
  try {
    if (sink.kind === 'file') {
      out = await fsp.open(sink.path, 'wx', 0o644);
      created = true;
    }
    const fh = out;
    const res = await streamObject(gitdir, oid, {
      header(type, size) {
        if (type !== 'blob') throw new SavepointError('E_OBJECT_CORRUPT', `Stored object ${oid} is a ${type}, not file content. Run \`savepoint verify\`.`, { oid, type });
        total = size;
      },
      async chunk(c) {
        sha256?.update(c);
        md5?.update(c);
        loaded += c.length;
        if (fh) {
          // Chunks are only valid during this call and may be small (delta copies): coalesce them into
          // 1 MiB buffers we own, and write each full buffer while the next one fills.
          let p = 0;
          while (p < c.length) {
            const n = Math.min(c.length - p, CHUNK - fill);
            outBufs[which]!.set(c.subarray(p, p + n), fill);
            fill += n;
            p += n;
            if (fill === CHUNK) await flush();
          }
        }
        opts.onProgress?.({ phase, loaded, total, item: oid });
      },
      // a damaged copy found part-way: start again from another stored copy
      async reset() {
        await pending;
        fill = 0;
        writeAt = 0;
        await fh?.truncate(0);
        sha256 = wantSha256 ? createHash('sha256') : undefined;
        md5 = opts.md5 ? createHash('md5') : undefined;
        loaded = 0;
      },
    }, { skipZlibChecksum: sink.kind === 'file' || !!opts.quick, ...(opts.quick ? { verifyOid: false, contentCheckedByCaller: true } : {}), ...(opts.onDamagedCopy ? { onDamagedCopy: opts.onDamagedCopy } : {}) });
    await flush();
    await pending;
    if (out) {
      if (opts.mode !== undefined) await out.chmod(opts.mode);
      if (opts.fsync !== false) await out.sync();
      await out.close();
      out = undefined;
    }
    const d: ContentDigest = { size: res.size, sha256: sha256 ? sha256.digest('hex') : '' };
    if (md5) d.md5 = md5.digest('hex');
    return d;
  } catch (e) {
    await pending.catch(() => undefined);
    await out?.close().catch(() => undefined);
    if (created && sink.kind === 'file') await fsp.rm(sink.path, { force: true }).catch(() => undefined);
    if (e instanceof SavepointError) throw e;
    throw fromNodeError(e, phase === 'restore' ? `restoring ${oid}` : `reading ${oid}`);
  }
}

/** Stream a blob's content into `dest` (which must not exist) and return its digest. Removes `dest` on failure. */
export async function readBlobToFile(gitdir: string, oid: string, dest: string, opts: ReadBlobOptions = {}): Promise<ContentDigest> {
  return (await copyLooseStored(gitdir, oid, dest, opts)) ?? streamBlob(gitdir, oid, { kind: 'file', path: dest }, opts, 'restore');
}

/**
 * readBlobToFile's fast path (stored-copy.ts): a loose object of stored blocks, as saves write them. Null,
 * with `dest` removed again, when it does not apply or the object does not hash to its id (without `quick`);
 * the general path then reads every stored copy with every check.
 */
async function copyLooseStored(gitdir: string, oid: string, dest: string, opts: ReadBlobOptions): Promise<ContentDigest | null> {
  const loose = looseObjectPath(gitdir, oid);
  let out: FileHandle | undefined;
  try {
    out = await fsp.open(dest, 'wx', 0o644);
    const sha256 = createHash('sha256');
    const md5 = opts.md5 ? createHash('md5') : undefined;
    const sha1 = opts.quick ? undefined : createHash('sha1');
    const size = await copyStoredBlob(loose, out, { content: md5 ? [sha256, md5] : [sha256], ...(sha1 ? { object: sha1 } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), item: oid });
    if (size === null || (sha1 && sha1.digest('hex') !== oid)) {
      await out.close();
      out = undefined;
      await fsp.rm(dest, { force: true });
      return null;
    }
    if (opts.mode !== undefined) await out.chmod(opts.mode);
    if (opts.fsync !== false) await out.sync();
    await out.close();
    out = undefined;
    const d: ContentDigest = { size, sha256: sha256.digest('hex') };
    if (md5) d.md5 = md5.digest('hex');
    return d;
  } catch (e) {
    await out?.close().catch(() => undefined);
    if (out) await fsp.rm(dest, { force: true }).catch(() => undefined);
    throw fromNodeError(e, `restoring ${oid}`);
  }
}

/** Re-hash a stored blob without writing it anywhere (verify). Also checks the git object id. */
export function digestBlob(gitdir: string, oid: string, opts: ReadBlobOptions = {}): Promise<ContentDigest> {
  return streamBlob(gitdir, oid, { kind: 'hash' }, opts, 'verify');
}

/** Hash a working file the way a save would (sha256, optional md5) without storing it. */
export async function digestFile(file: string, opts: ReadBlobOptions = {}): Promise<ContentDigest> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(file, 'r');
    const st = await fh.stat();
    const sha256 = createHash('sha256');
    const md5 = opts.md5 ? createHash('md5') : undefined;
    const chunk = 1 << 20;
    const bufs = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)];
    let k = 0;
    let size = 0;
    let reading = fh.read(bufs[0]!, 0, chunk, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      const cur = bufs[k & 1]!;
      reading = fh.read(bufs[(k + 1) & 1]!, 0, chunk, null);
      const view = cur.subarray(0, bytesRead);
      sha256.update(view);
      md5?.update(view);
      size += bytesRead;
      k++;
      opts.onProgress?.({ phase: 'hash', loaded: size, total: st.size, item: file });
    }
    const d: ContentDigest = { size, sha256: sha256.digest('hex') };
    if (md5) d.md5 = md5.digest('hex');
    return d;
  } catch (e) {
    throw fromNodeError(e, `reading ${file}`);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
