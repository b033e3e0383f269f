/** Open a stored object as a delta base: the one `openBase` for compact and archive files. */
import { promises as fsp } from 'node:fs';
import { BufferedFileWriter, fileBase, tempPath } from './base-file.js';
import { DeltaError, memoryBase, type BaseReader } from './delta.js';
import { sharedBuffer } from './delta-parallel.js';
import { streamObject } from './reader.js';

/**
 * Bases up to this size are read into memory: the delta encoder's window (128 MiB by default) holds that
 * much of the base anyway, so a temp file below it would only be written and read back.
 */
export const BASE_MEMORY_LIMIT = 128 << 20;

export interface OpenBaseOptions {
  /** check the object against its id while reading it (default true) */
  verifyOid?: boolean;
  /** bases up to this many bytes go to memory, larger ones to a temp file in `tmpDir` (default BASE_MEMORY_LIMIT) */
  memoryLimit?: number;
  /**
   * Scratch memory reused from one base to the next (compact opens one base per version): used when large
   * enough, replaced (`scratch.buf`) when not. The returned base is valid until the next openBase with it.
   */
  scratch?: { buf: Buffer };
  /** in-memory bases go to shared memory (a SharedArrayBuffer), for delta-parallel.ts's worker to read */
  shared?: boolean;
}

/** A stored object as a delta base: in one buffer when small enough, else streamed to a temp file read by position. */
export async function openBase(gitdir: string, oid: string, size: number, tmpDir: string, opts: OpenBaseOptions = {}): Promise<BaseReader & { close(): Promise<void>; whole?: Buffer }> {
  const verifyOid = opts.verifyOid !== false;
  if (size <= (opts.memoryLimit ?? BASE_MEMORY_LIMIT)) {
    // straight into one buffer of the announced size (no list of chunks joined afterwards)
    const alloc = (n: number): Buffer => (opts.shared ? sharedBuffer(n) : Buffer.allocUnsafe(n));
    let buf: Buffer = Buffer.allocUnsafe(0);
    let at = 0;
    await streamObject(gitdir, oid, {
      header(_t, n) {
        if (opts.scratch) {
          if (opts.scratch.buf.length < n || (opts.shared && !(opts.scratch.buf.buffer instanceof SharedArrayBuffer))) opts.scratch.buf = alloc(n);
          buf = opts.scratch.buf.subarray(0, n);
        } else buf = alloc(n);
        at = 0;
      },
      chunk(c) {
        if (at + c.length > buf.length) throw new DeltaError('delta base is longer than its header says');
        buf.set(c, at);
        at += c.length;
      },
      reset() {
        at = 0;
      },
    }, { verifyOid });
    const data = buf.subarray(0, at);
    return Object.assign(memoryBase(data), { close: async () => undefined, whole: data });
  }
  await fsp.mkdir(tmpDir, { recursive: true });
  const tmp = tempPath(tmpDir, 'tmp_base');
  const fh = await fsp.open(tmp, 'wx', 0o600);
  try {
    const bw = new BufferedFileWriter(fh);
    await streamObject(gitdir, oid, { header() {}, chunk: (c) => bw.write(c) }, { verifyOid });
    await bw.flush();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  return fileBase(tmp, size, true);
}
