/**
 * The save fast path: one pass over a file computes the git SHA-1, sha256 (and md5 on request) and
 * writes a loose object whose zlib stream is made of stored (uncompressed) deflate blocks with our own
 * Adler-32. That is a valid zlib stream (git fsck --strict accepts it) and costs little more than a copy;
 * `compact` recompresses into packs later. Reads, hashing and writes are pipelined: the next read and
 * the previous write run on libuv's thread pool while this thread hashes. Large files are hashed on two
 * cores: a worker thread computes sha256 (and md5) and part of the Adler-32 from the same read buffers
 * (shared memory, no copies) while this thread computes the SHA-1, the rest of the Adler-32 and the framing.
 */
import { trackTemp } from '../util/cleanup.js';
import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SavepointError, fromNodeError } from '../errors.js';
import type { ProgressCallback } from '../util/progress.js';
import { Worker } from 'node:worker_threads';
import { adler32, adler32Combine } from './adler32.js';
import { looseObjectPath, tempPath } from './reader.js';

export interface LooseWriteOptions {
  md5?: boolean;
  onProgress?: ProgressCallback;
  /** fsync the object before it is renamed into place (default true). */
  fsync?: boolean;
  /** read size per step (default 2 MiB) */
  chunkSize?: number;
  /**
   * Hash on two threads (default: see useTwoThreads). Falls back to one thread when a worker cannot be
   * started.
   */
  parallel?: boolean;
}

/** Files at least this large may be hashed on two threads (a worker costs ~20–40 ms to start). */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Whether to hash on two threads by default: a large file, and a core to spare (the 1-minute load average
 * below the core count). On a busy machine the second thread only adds hand-offs: measured at load average
 * 10–19 on 2 cores, one thread was as fast or faster.
 */
export function useTwoThreads(size: number, cores: number, load: number): boolean {
  return size >= PARALLEL_MIN_BYTES && cores >= 2 && load < cores - 0.5;
}
/** Read buffers shared with the hashing thread (at least 3: see pumpParallel). */
const SLOTS = 8;

export interface LooseWriteResult {
  oid: string;
  size: number;
  sha256: string;
  md5?: string;
  /** false when an object with this id was already stored loose (it is replaced by the fresh copy) */
  written: boolean;
  /** Threads that hashed the file (2 when a worker shared the work). */
  threads: 1 | 2;
}

/** Max payload of one stored deflate block. */
export const STORED_BLOCK_MAX = 0xffff;
/** zlib header for deflate, 32K window, "fastest" level hint: 0x7801 % 31 === 0. */
const ZLIB_HEADER = Buffer.from([0x78, 0x01]);
/** An empty final stored block: BFINAL=1, BTYPE=00, LEN=0, NLEN=0xffff. */
const FINAL_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);

/** Write the 5-byte header of a non-final stored block of `len` bytes at `out[at]`: BFINAL=0, BTYPE=00, LEN, NLEN. */
function writeStoredHeader(out: Uint8Array, at: number, len: number): void {
  out[at] = 0x00;
  out[at + 1] = len & 0xff;
  out[at + 2] = len >>> 8;
  out[at + 3] = ~len & 0xff;
  out[at + 4] = (~len >>> 8) & 0xff;
}

/** Frame `src[0, n)` as non-final stored blocks into `out`; returns the number of bytes written. */
export function frameStoredBlocks(src: Uint8Array, n: number, out: Uint8Array, outAt = 0): number {
  let o = outAt;
  let p = 0;
  while (p < n) {
    const len = Math.min(STORED_BLOCK_MAX, n - p);
    writeStoredHeader(out, o, len);
    out.set(src.subarray(p, p + len), o + 5);
    o += 5 + len;
    p += len;
  }
  return o - outAt;
}

/** `src[0, n)` as stored blocks: each block's 5-byte header, then a view of its bytes (nothing copied). */
export function storedBlockPieces(src: Uint8Array, n: number): Uint8Array[] {
  const blocks = Math.ceil(n / STORED_BLOCK_MAX);
  const heads = Buffer.allocUnsafe(5 * blocks);
  const pieces: Uint8Array[] = [];
  for (let p = 0, h = 0; p < n; p += STORED_BLOCK_MAX, h += 5) {
    const len = Math.min(STORED_BLOCK_MAX, n - p);
    writeStoredHeader(heads, h, len);
    pieces.push(heads.subarray(h, h + 5), src.subarray(p, p + len));
  }
  return pieces;
}

export function framedSize(n: number): number {
  return n + 5 * Math.ceil(n / STORED_BLOCK_MAX);
}

async function writeAll(fh: FileHandle, buf: Uint8Array, len: number): Promise<void> {
  let w = 0;
  while (w < len) w += (await fh.write(buf, w, len - w)).bytesWritten;
}

/** Write all pieces in order (one writev; a short write is finished piece by piece). */
async function writevAll(fh: FileHandle, pieces: Uint8Array[]): Promise<void> {
  if (pieces.length === 0) return;
  let { bytesWritten } = await fh.writev(pieces);
  for (const piece of pieces) {
    if (bytesWritten >= piece.length) { bytesWritten -= piece.length; continue; }
    await writeAll(fh, piece.subarray(bytesWritten), piece.length - bytesWritten);
    bytesWritten = 0;
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

/** Stream `file` into a loose blob in `gitdir` (see module comment). */
export async function writeLooseBlob(gitdir: string, file: string, opts: LooseWriteOptions = {}): Promise<LooseWriteResult> {
  const chunk = opts.chunkSize ?? 2 << 20;
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

    const first = Buffer.alloc(ZLIB_HEADER.length + framedSize(header.length));
    ZLIB_HEADER.copy(first, 0);
    const firstLen = ZLIB_HEADER.length + frameStoredBlocks(header, header.length, first, ZLIB_HEADER.length);
    let pendingWrite: Promise<void> = writeAll(out, first, firstLen);

    const pump = opts.parallel ?? useTwoThreads(size, os.availableParallelism(), os.loadavg()[0]!) ? pumpParallel : pumpSerial;
    const r = await pump(src, out, chunk, header, size, file, pendingWrite, opts);
    const { total, adler } = r;
    await r.pendingWrite;
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

    const oid = r.sha1;
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
    const res: LooseWriteResult = { oid, size, sha256: r.sha256, written, threads: r.threads };
    if (r.md5 !== undefined) res.md5 = r.md5;
    return res;
  } catch (e) {
    await out?.close().catch(() => undefined);
    await src?.close().catch(() => undefined);
    if (tmp) await fsp.rm(tmp, { force: true }).catch(() => undefined);
    untrack();
    throw fromNodeError(e, `saving ${file}`);
  }
}

interface Pumped {
  total: number;
  adler: number;
  sha1: string;
  sha256: string;
  md5?: string;
  pendingWrite: Promise<void>;
  threads: 1 | 2;
}

type Pump = (src: FileHandle, out: FileHandle, chunk: number, header: Buffer, size: number, file: string, pendingWrite: Promise<void>, opts: LooseWriteOptions) => Promise<Pumped>;

/** Read, hash and frame on this thread. */
const pumpSerial: Pump = async (src, out, chunk, header, size, file, pendingWrite, opts) => {
  const sha1: Hash = createHash('sha1').update(header);
  const sha256: Hash = createHash('sha256');
  const md5: Hash | undefined = opts.md5 ? createHash('md5') : undefined;
  let adler = adler32(header);
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
  const r: Pumped = { total, adler, sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), pendingWrite, threads: 1 };
  if (md5) r.md5 = md5.digest('hex');
  return r;
};

/**
 * The hashing thread: sha256 (md5) of each shared read buffer and the Adler-32 of its first `split` bytes.
 * Plain JavaScript source (Node runs it with `eval: true`), so it needs no file next to the bundle.
 */
const HASH_WORKER = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const adler32 = (${adler32.toString()});
let bufs = [], sha256 = null, md5 = null;
parentPort.on('message', (m) => {
  if (m.init) {
    bufs = m.init.buffers.map((b) => new Uint8Array(b.sab, b.offset, b.length));
    sha256 = createHash('sha256');
    md5 = m.init.md5 ? createHash('md5') : null;
    return;
  }
  if (m.end) {
    parentPort.postMessage({ sha256: sha256.digest('hex'), md5: md5 ? md5.digest('hex') : undefined });
    return;
  }
  const view = bufs[m.slot].subarray(0, m.len);
  sha256.update(view);
  if (md5) md5.update(view);
  parentPort.postMessage({ k: m.k, adler: m.split > 0 ? adler32(view, 1, 0, m.split) : 1 });
});
`;

/**
 * Read into buffers shared with a hashing thread (see HASH_WORKER): this thread computes the SHA-1, the
 * Adler-32 of the part the worker does not take, and the framing, then writes; the worker computes sha256
 * (md5) and the Adler-32 of the first part. A buffer is read into again only after the worker is done
 * with it. The Adler-32 parts are joined in order with adler32Combine. Memory: SLOTS read buffers and two
 * framed write buffers, whatever the file size.
 */
const pumpParallel: Pump = async (src, out, chunk, header, size, file, pendingWrite, opts) => {
  let worker: Worker;
  try {
    worker = new Worker(HASH_WORKER, { eval: true });
  } catch {
    return pumpSerial(src, out, chunk, header, size, file, pendingWrite, opts);
  }
  try {
    const sab = new SharedArrayBuffer(SLOTS * chunk);
    const slots = Array.from({ length: SLOTS }, (_, i) => Buffer.from(sab, i * chunk, chunk));
    worker.postMessage({ init: { buffers: slots.map((_, i) => ({ sab, offset: i * chunk, length: chunk })), md5: opts.md5 === true } });
    // With md5 the worker has the slower hash, so this thread sums all of the Adler-32.
    const share = opts.md5 ? 0 : 0.5;

    let failed: unknown = null;
    let acked = 0; // steps the worker has finished
    let wake: (() => void) | null = null;
    const workerAdler: number[] = new Array<number>(SLOTS).fill(1);
    let final: { sha256: string; md5?: string } | null = null;
    worker.on('message', (m: { k?: number; adler?: number; sha256?: string; md5?: string }) => {
      if (m.sha256 !== undefined) final = { sha256: m.sha256, ...(m.md5 !== undefined ? { md5: m.md5 } : {}) };
      else { workerAdler[m.k! % SLOTS] = m.adler!; acked++; }
      wake?.();
    });
    const onFail = (e: unknown) => { failed ??= e; wake?.(); };
    worker.on('error', onFail);
    worker.on('exit', (code) => { if (final === null) onFail(new Error(`the hashing thread stopped (exit code ${code})`)); });
    const until = async (ready: () => boolean): Promise<void> => {
      while (!ready()) {
        if (failed) throw failed;
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = null;
      }
      if (failed) throw failed;
    };

    const sha1 = createHash('sha1').update(header);
    let adler = adler32(header);
    // Per slot: where the worker's Adler-32 part ends, the length, and this thread's Adler-32 of the rest.
    const split = new Array<number>(SLOTS).fill(0);
    const len = new Array<number>(SLOTS).fill(0);
    const mine = new Array<number>(SLOTS).fill(1);
    let joined = 0; // steps whose Adler-32 parts are in `adler`
    const join = (upTo: number) => {
      for (; joined < upTo; joined++) {
        const s = joined % SLOTS;
        adler = adler32Combine(adler, workerAdler[s]!, split[s]!);
        adler = adler32Combine(adler, mine[s]!, len[s]! - split[s]!);
      }
    };

    let total = 0;
    let k = 0;
    let reading = src.read(slots[0]!, 0, chunk, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      const s = k % SLOTS;
      const view = slots[s]!.subarray(0, bytesRead);
      split[s] = Math.floor(bytesRead * share);
      len[s] = bytesRead;
      worker.postMessage({ k, slot: s, len: bytesRead, split: split[s] });
      // The next read goes into the slot of step k+1-SLOTS: wait until the worker is done with it.
      const reuse = k + 1 - SLOTS;
      if (reuse >= 0) {
        await until(() => acked > reuse);
        join(reuse + 1);
      }
      reading = src.read(slots[(k + 1) % SLOTS]!, 0, chunk, null);
      sha1.update(view);
      mine[s] = adler32(view, 1, split[s]!, bytesRead);
      // Written straight from the read buffer, block headers between the pieces (no copy). The slot is read
      // into again SLOTS - 1 steps later, after this write has finished (each step waits for the previous write).
      const pieces = storedBlockPieces(view, bytesRead);
      await pendingWrite;
      pendingWrite = writevAll(out, pieces);
      total += bytesRead;
      k++;
      opts.onProgress?.({ phase: 'save', loaded: total, total: size, item: file });
    }
    worker.postMessage({ end: true });
    await until(() => final !== null);
    join(k);
    const f = final as unknown as { sha256: string; md5?: string };
    const r: Pumped = { total, adler, sha1: sha1.digest('hex'), sha256: f.sha256, pendingWrite, threads: 2 };
    if (f.md5 !== undefined) r.md5 = f.md5;
    return r;
  } finally {
    worker.removeAllListeners('exit');
    void worker.terminate();
  }
};
