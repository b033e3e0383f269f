/**
 * The save fast path: one pass over a file computes the git SHA-1, sha256 (and md5 on request) and
 * writes a loose object whose zlib stream is made of stored (uncompressed) deflate blocks. That is a valid
 * zlib stream (git fsck --strict accepts it) and costs little more than a copy; `compact` recompresses into
 * packs later. The stored blocks and their Adler-32 come from native zlib at level 0 (which stores every
 * block), run on libuv's thread pool beside the reads and writes while this thread hashes; large files on a
 * machine with a core to spare hand one content hash to a worker thread (see `pump`).
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
import zlib from 'node:zlib';
import { looseObjectPath, tempPath } from './reader.js';
import { EARLY_FLUSH } from './stored-copy.js';

export interface LooseWriteOptions {
  md5?: boolean;
  onProgress?: ProgressCallback;
  /** fsync the object before it is renamed into place (default true). */
  fsync?: boolean;
  /** read size per step (default 1 MiB: peak RSS 98 MB against 110 MB at 2 MiB on a 100 MB save, same CPU) */
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
/** Read buffers in flight (being read, framed by zlib, hashed by the worker). */
const SLOTS = 4;
/** zlib output waiting for the disk, in read-buffer sizes. */
const OUT_BACKLOG = 2;

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
    const twoThreads = opts.parallel ?? useTwoThreads(size, os.availableParallelism(), os.loadavg()[0]!);
    const r = await pump(src, out, chunk, header, size, file, opts, twoThreads);
    const total = r.total;
    if (total !== size) {
      throw new SavepointError('E_INVALID_ARGUMENT', `The file ${file} changed size while it was being saved (${size} → ${total} bytes). Wait until it is fully written, then save again.`, { file, expected: size, actual: total });
    }
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
  sha1: string;
  sha256: string;
  md5?: string;
  threads: 1 | 2;
}

/**
 * The hashing thread: sha256 or md5 of each shared read buffer, acknowledged per step.
 * Plain JavaScript source (Node runs it with `eval: true`), so it needs no file next to the bundle.
 */
const HASH_WORKER = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let bufs = [], hashes = [];
parentPort.on('message', (m) => {
  if (m.init) {
    bufs = m.init.buffers.map((b) => new Uint8Array(b.sab, b.offset, b.length));
    hashes = m.init.algorithms.map((a) => createHash(a));
    return;
  }
  if (m.end) {
    parentPort.postMessage({ digests: hashes.map((h) => h.digest('hex')) });
    return;
  }
  const view = bufs[m.slot].subarray(0, m.len);
  for (const h of hashes) h.update(view);
  parentPort.postMessage({ k: m.k });
});
`;

/**
 * One pass over the file with three kinds of work overlapping:
 * - libuv's thread pool reads the next buffer and writes earlier output while
 * - native zlib (deflate level 0, also on the thread pool) frames each buffer as stored blocks and sums the
 *   Adler-32 (SIMD in Node's zlib: several times our JavaScript Adler-32, and off this thread), while
 * - this thread computes the SHA-1 (and sha256/md5), or, with `twoThreads`, a worker computes the slower of
 *   the content hashes from the same read buffers (shared memory, no copies).
 * A read buffer is read into again only when zlib has consumed it and the worker is done with it; zlib's
 * output waits for the disk at most OUT_BACKLOG buffers deep. Memory: SLOTS read buffers plus that
 * backlog, whatever the file size.
 */
async function pump(src: FileHandle, out: FileHandle, chunk: number, header: Buffer, size: number, file: string, opts: LooseWriteOptions, twoThreads: boolean): Promise<Pumped> {
  const flushEarly = opts.fsync !== false;
  let worker: Worker | null = null;
  if (twoThreads) {
    try {
      worker = new Worker(HASH_WORKER, { eval: true });
    } catch {
      worker = null; // e.g. no threads left: hash here
    }
  }
  const deflate = zlib.createDeflate({ level: 0, chunkSize: Math.max(64 << 10, chunk + (chunk >> 4)) });
  let failed: unknown = null;
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  const onFail = (e: unknown) => {
    failed ??= e;
    poke();
  };
  const until = async (ready: () => boolean): Promise<void> => {
    while (!failed && !ready()) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
    if (failed) throw failed;
  };
  let reading: Promise<{ bytesRead: number }> | null = null;
  // zlib's output, written in order; `written` trails `emitted` by the disk's backlog
  let writing: Promise<void> = Promise.resolve();
  let flushing: Promise<void> = Promise.resolve();
  try {
    let emitted = 0;
    let written = 0;
    let ended = false;
    let flushedAt = 0;
    deflate.on('data', (c: Buffer) => {
      emitted += c.length;
      writing = writing
        .then(async () => {
          if (failed) return;
          await writeAll(out, c, c.length);
          written += c.length;
          poke();
          // start the disk writing early (see stored-copy.ts EARLY_FLUSH; the object is fsynced at the end)
          if (flushEarly && written - flushedAt >= EARLY_FLUSH) {
            flushedAt = written;
            // (its error fails the save: Linux reports a writeback error to one fsync only)
            flushing = flushing.then(() => out.datasync()).catch(onFail);
          }
        })
        .catch(onFail);
    });
    deflate.on('end', () => {
      ended = true;
      poke();
    });
    deflate.on('error', onFail);

    const shared = worker !== null;
    const sab = shared ? new SharedArrayBuffer(SLOTS * chunk) : null;
    const slots = Array.from({ length: SLOTS }, (_, i) => (sab ? Buffer.from(sab, i * chunk, chunk) : Buffer.allocUnsafe(chunk)));
    // With a worker: it takes md5 when asked for (the slowest hash), else sha256; this thread takes the rest.
    const md5Wanted = opts.md5 === true;
    const offload: string[] = shared ? [md5Wanted ? 'md5' : 'sha256'] : [];
    const here = ['sha1', 'sha256', ...(md5Wanted ? ['md5'] : [])].filter((a) => !offload.includes(a));
    const hashes = new Map<string, Hash>(here.map((a) => [a, createHash(a)]));
    let workerDigests: string[] | null = null;
    let acked = 0; // steps the worker has hashed
    if (worker) {
      const w = worker;
      w.on('message', (m: { k?: number; digests?: string[] }) => {
        if (m.digests) workerDigests = m.digests;
        else acked++;
        poke();
      });
      w.on('error', onFail);
      w.on('exit', (code) => {
        if (workerDigests === null) onFail(new Error(`the hashing thread stopped (exit code ${code})`));
      });
      w.postMessage({ init: { buffers: slots.map((_, i) => ({ sab, offset: i * chunk, length: chunk })), algorithms: offload } });
    }
    const sha1 = hashes.get('sha1')!.update(header);
    const others = [...hashes].filter(([a]) => a !== 'sha1').map(([, h]) => h);

    let deflated = 0; // steps zlib has consumed (write callbacks come in order)
    const deflateDone = (err?: Error | null) => {
      if (err) onFail(err);
      deflated++;
      poke();
    };
    deflate.write(header);
    let total = 0;
    let k = 0;
    reading = src.read(slots[0]!, 0, chunk, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (failed) throw failed;
      if (bytesRead === 0) break;
      const s = k % SLOTS;
      const view = slots[s]!.subarray(0, bytesRead);
      deflate.write(view, deflateDone);
      worker?.postMessage({ k, slot: s, len: bytesRead });
      // The next read goes into the slot of step k+1-SLOTS: zlib and the worker must be done with it, and
      // the output must not pile up in memory while the disk catches up.
      const reuse = k + 1 - SLOTS;
      await until(() => (reuse < 0 || (deflated > reuse && (!worker || acked > reuse))) && emitted - written <= OUT_BACKLOG * chunk);
      reading = src.read(slots[(k + 1) % SLOTS]!, 0, chunk, null);
      sha1.update(view);
      for (const h of others) h.update(view);
      total += bytesRead;
      k++;
      opts.onProgress?.({ phase: 'save', loaded: total, total: size, item: file });
    }
    deflate.end();
    worker?.postMessage({ end: true });
    await until(() => ended && (!worker || workerDigests !== null));
    await writing;
    await flushing;
    if (failed) throw failed;
    const digest = new Map<string, string>([...hashes].map(([a, h]) => [a, h.digest('hex')]));
    offload.forEach((a, i) => digest.set(a, workerDigests![i]!));
    const r: Pumped = { total, sha1: digest.get('sha1')!, sha256: digest.get('sha256')!, threads: worker ? 2 : 1 };
    if (md5Wanted) r.md5 = digest.get('md5')!;
    return r;
  } finally {
    // on failure: let the read and writes under way end before the caller closes the files
    await reading?.catch(() => undefined);
    deflate.destroy();
    await writing;
    await flushing;
    if (worker) {
      worker.removeAllListeners('exit');
      void worker.terminate();
    }
  }
}
