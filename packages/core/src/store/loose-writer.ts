/**
 * The save fast path: one pass over a file computes the git SHA-1, sha256 (and md5 on request) and
 * writes a loose object whose zlib stream is made of stored (uncompressed) deflate blocks with our own
 * Adler-32. That is a valid zlib stream (git fsck --strict accepts it) and costs little more than a copy;
 * `compact` recompresses into packs later. Reads, hashing and writes are pipelined: the next read and
 * the previous write run on libuv's thread pool while this thread hashes.
 */
import { trackTemp } from '../util/cleanup.js';
import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SavepointError, fromNodeError } from '../errors.js';
import type { ProgressCallback } from '../util/progress.js';
import { adler32 } from './adler32.js';
import { looseObjectPath, tempPath } from './reader.js';

export interface LooseWriteOptions {
  md5?: boolean;
  onProgress?: ProgressCallback;
  /** fsync the object before it is renamed into place (default true). */
  fsync?: boolean;
  /** read size per step (default 1 MiB) */
  chunkSize?: number;
}

export interface LooseWriteResult {
  oid: string;
  size: number;
  sha256: string;
  md5?: string;
  /** false when an object with this id was already stored loose (it is replaced by the fresh copy) */
  written: boolean;
}

/** Max payload of one stored deflate block. */
export const STORED_BLOCK_MAX = 0xffff;
/** zlib header for deflate, 32K window, "fastest" level hint: 0x7801 % 31 === 0. */
const ZLIB_HEADER = Buffer.from([0x78, 0x01]);
/** An empty final stored block: BFINAL=1, BTYPE=00, LEN=0, NLEN=0xffff. */
const FINAL_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);

/** Frame `src[0, n)` as non-final stored blocks into `out`; returns the number of bytes written. */
export function frameStoredBlocks(src: Uint8Array, n: number, out: Uint8Array, outAt = 0): number {
  let o = outAt;
  let p = 0;
  while (p < n) {
    const len = Math.min(STORED_BLOCK_MAX, n - p);
    out[o] = 0x00;
    out[o + 1] = len & 0xff;
    out[o + 2] = len >>> 8;
    out[o + 3] = ~len & 0xff;
    out[o + 4] = (~len >>> 8) & 0xff;
    out.set(src.subarray(p, p + len), o + 5);
    o += 5 + len;
    p += len;
  }
  return o - outAt;
}

export function framedSize(n: number): number {
  return n + 5 * Math.ceil(n / STORED_BLOCK_MAX);
}

async function writeAll(fh: FileHandle, buf: Uint8Array, len: number): Promise<void> {
  let w = 0;
  while (w < len) w += (await fh.write(buf, w, len - w)).bytesWritten;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Stream `file` into a loose blob in `gitdir` (see module comment). */
export async function writeLooseBlob(gitdir: string, file: string, opts: LooseWriteOptions = {}): Promise<LooseWriteResult> {
  const chunk = opts.chunkSize ?? 1 << 20;
  let src: FileHandle | undefined;
  let out: FileHandle | undefined;
  let tmp: string | undefined;
  let untrack = () => {};
  try {
    src = await fsp.open(file, 'r');
    const st = await src.stat();
    if (!st.isFile()) throw new SavepointError('E_NOT_A_FILE', `${file} is not a regular file; only files can be saved.`, { file });
    const size = st.size;
    const objectsDir = path.join(gitdir, 'objects');
    tmp = tempPath(objectsDir, 'tmp_obj');
    // Ctrl-C mid-save: the CLI's signal handler removes it (see util/cleanup.ts)
    untrack = trackTemp(tmp);
    out = await fsp.open(tmp, 'wx', 0o444);

    const header = Buffer.from(`blob ${size}\0`, 'latin1');
    const sha1: Hash = createHash('sha1').update(header);
    const sha256: Hash = createHash('sha256');
    const md5: Hash | undefined = opts.md5 ? createHash('md5') : undefined;
    let adler = adler32(header);

    const first = Buffer.alloc(ZLIB_HEADER.length + framedSize(header.length));
    ZLIB_HEADER.copy(first, 0);
    const firstLen = ZLIB_HEADER.length + frameStoredBlocks(header, header.length, first, ZLIB_HEADER.length);
    let pendingWrite: Promise<void> = writeAll(out, first, firstLen);

    const inBufs = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)];
    const outBufs = [Buffer.allocUnsafe(framedSize(chunk)), Buffer.allocUnsafe(framedSize(chunk))];
    let total = 0;
    let k = 0;
    let reading = src.read(inBufs[0]!, 0, chunk, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      const cur = inBufs[k & 1]!;
      // Start the next read into the other buffer (its previous contents were framed into an out buffer already).
      reading = src.read(inBufs[(k + 1) & 1]!, 0, chunk, null);
      const view = cur.subarray(0, bytesRead);
      sha1.update(view);
      sha256.update(view);
      md5?.update(view);
      adler = adler32(view, adler);
      const ob = outBufs[k & 1]!;
      // outBufs[k&1] was last written at step k-2, whose write finished before step k-1 started its write.
      const n = frameStoredBlocks(view, bytesRead, ob);
      await pendingWrite;
      pendingWrite = writeAll(out, ob, n);
      total += bytesRead;
      k++;
      opts.onProgress?.({ phase: 'save', loaded: total, total: size, item: file });
    }
    await pendingWrite;
    if (total !== size) {
      throw new SavepointError('E_INVALID_ARGUMENT', `The file ${file} changed size while it was being saved (${size} → ${total} bytes). Wait until it is fully written, then save again.`, { file, expected: size, actual: total });
    }
    const trailer = Buffer.alloc(FINAL_BLOCK.length + 4);
    FINAL_BLOCK.copy(trailer, 0);
    trailer.writeUInt32BE(adler >>> 0, FINAL_BLOCK.length);
    await writeAll(out, trailer, trailer.length);
    if (opts.fsync !== false) await out.sync();
    await out.close();
    out = undefined;
    await src.close();
    src = undefined;

    const oid = sha1.digest('hex');
    const dest = looseObjectPath(gitdir, oid);
    // An object with this id may already be stored, but it may be damaged (a flipped bit on disk): keeping it
    // would make "saved" a lie. We hold a fresh, fsynced copy of the right bytes, so replace it (an atomic
    // rename; readers that have the old file open keep reading it). Costs the same as discarding the temp.
    // A packed copy is not looked at: the loose object is written anyway and readers try it first.
    const written = !(await exists(dest));
    if (written) await fsp.mkdir(path.dirname(dest), { recursive: true });
    try {
      await fsp.rename(tmp, dest);
    } catch (e) {
      // Windows refuses to rename over a read-only file (objects are 0444): make it writable, try once more
      if (written || !['EPERM', 'EACCES'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      await fsp.chmod(dest, 0o644);
      await fsp.rename(tmp, dest);
    }
    tmp = undefined;
    untrack();
    const res: LooseWriteResult = { oid, size, sha256: sha256.digest('hex'), written };
    if (md5) res.md5 = md5.digest('hex');
    return res;
  } catch (e) {
    await out?.close().catch(() => undefined);
    await src?.close().catch(() => undefined);
    if (tmp) await fsp.rm(tmp, { force: true }).catch(() => undefined);
    untrack();
    throw fromNodeError(e, `saving ${file}`);
  }
}
