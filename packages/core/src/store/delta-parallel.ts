/**
 * Delta encoding on two cores (compact's data pack). The base is held whole in shared memory; two worker
 * threads (delta-worker.ts) each index half of the hash table's buckets, then the target is cut into fixed
 * segments that the workers encode in turn while this thread reads the next ones. The segments' instructions
 * are joined in order behind one header. The result depends only on the segment size, never on timing, so a
 * run is reproducible; it differs from the one-thread encoder's only where a copy crosses a segment boundary
 * (one more instruction). This thread only reads and hands out: the encoder's hot loops stay on threads that
 * see one kind of memory (shared), which V8 compiles tighter.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledWorkerExists } from '../util/worker-file.js';
import { DeltaEncoder, SLOTS, deltaHeader, indexTableLength, memoryBase, type BlockIndex } from './delta.js';

/** Target bytes per segment: large enough that the instructions lost at a boundary do not matter. */
export const SEGMENT_BYTES = 4 << 20;

/** The base and its index, as the worker receives them (views over shared memory). */
export interface SharedBaseMessage {
  kind: 'base';
  id: number;
  /** the buckets this worker indexes (the other worker indexes the rest) */
  from: number;
  to: number;
  base: SharedArrayBuffer;
  baseOffset: number;
  baseLength: number;
  table: SharedArrayBuffer;
}

export interface SegmentMessage {
  kind: 'segment';
  id: number;
  segment: SharedArrayBuffer;
  length: number;
  maxDelta: number;
}

export type SegmentReply = { id: number; ops: Uint8Array[] | null } | { id: number; indexed: true } | { id: number; error: string };

/** Encode one segment of a target against an index of the whole base: instructions only, no header. */
export async function encodeSegment(index: BlockIndex, segment: Uint8Array, maxDelta: number): Promise<Uint8Array[] | null> {
  return new DeltaEncoder(memoryBase(index.win), segment.length, { index, headerless: true, maxDeltaSize: maxDelta }).encodeAll(segment);
}

/** A buffer in shared memory, for a base the worker must read (openBase's `shared` scratch). */
export function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(Math.max(1, size)));
}

export interface DeltaThreadsOptions {
  /** the compiled worker module (default: delta-worker.js next to this module) */
  workerUrl?: URL;
  /** two threads even on one core (tests) */
  force?: boolean;
  /** target bytes per segment (default SEGMENT_BYTES) */
  segmentBytes?: number;
}

const DEFAULT_WORKER_URL = new URL('./delta-worker.js', import.meta.url);

/** Two workers for a run of encodes (compact's chains); `close` when the run is over. */
export class DeltaThreads {
  private tableMemory: SharedArrayBuffer | null = null;
  private readonly segments: SharedArrayBuffer[] = [];
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (ops: Uint8Array[] | null) => void; reject: (e: Error) => void }>();
  private broken: Error | null = null;

  private constructor(
    private readonly workers: Worker[],
    /** target bytes per segment */
    readonly segmentBytes: number,
  ) {
    for (const worker of workers) {
      worker.on('message', (m: SegmentReply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if ('error' in m) p.reject(new Error(`delta worker: ${m.error}`));
        else p.resolve('ops' in m ? m.ops : null);
      });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => this.fail(new Error(`delta worker exited (${code})`)));
    }
  }

  /**
   * Two threads when this machine has two cores and the compiled worker is there (not under a TypeScript
   * test runner); otherwise null, and the caller encodes on one thread.
   */
  static create(opts: DeltaThreadsOptions = {}): DeltaThreads | null {
    const url = opts.workerUrl ?? DEFAULT_WORKER_URL;
    const cores = os.availableParallelism?.() ?? os.cpus().length;
    if (!opts.force && cores < 2) return null;
    if (!compiledWorkerExists(url)) return null;
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < 2; i++) workers.push(new Worker(url));
      return new DeltaThreads(workers, opts.segmentBytes ?? SEGMENT_BYTES);
    } catch {
      for (const w of workers) void w.terminate();
      return null; // thread limits: one thread
    }
  }

  private fail(e: Error): void {
    this.broken ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private segment(i: number): SharedArrayBuffer {
    while (this.segments.length <= i) this.segments.push(new SharedArrayBuffer(this.segmentBytes));
    return this.segments[i]!;
  }

  private ask(worker: Worker, message: (id: number) => SharedBaseMessage | SegmentMessage): Promise<Uint8Array[] | null> {
    if (this.broken) return Promise.reject(this.broken);
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(message(id));
    });
  }

  /**
   * Delta of a target against `base` (a Buffer over shared memory, see sharedBuffer), or null when it would be
   * larger than `maxDelta`. `feed` writes the target's bytes, in order, through the sink it is given.
   */
  async encode(base: Buffer, targetSize: number, maxDelta: number, feed: (sink: (chunk: Uint8Array) => Promise<void>) => Promise<void>): Promise<Uint8Array[] | null> {
    if (!(base.buffer instanceof SharedArrayBuffer)) throw new TypeError('DeltaThreads.encode needs a base in shared memory');
    const entries = indexTableLength(base.length);
    if (!this.tableMemory || this.tableMemory.byteLength !== entries * 4) this.tableMemory = new SharedArrayBuffer(entries * 4);
    new Int32Array(this.tableMemory).fill(0);
    const buckets = entries / SLOTS;
    const half = Math.floor(buckets / 2);
    const baseMemory = base.buffer;
    const tableMemory = this.tableMemory;
    // both halves of the table must be filled before any segment is looked up in it
    await Promise.all(
      this.workers.map((w, i) =>
        this.ask(w, (id) => ({ kind: 'base', id, from: i === 0 ? 0 : half, to: i === 0 ? half : buckets, base: baseMemory, baseOffset: base.byteOffset, baseLength: base.length, table: tableMemory })),
      ),
    );

    // Segment k fills buffer k % 3 and goes to worker k % 2. Dispatching segment k first waits for that
    // worker's segment k-2, so the buffer segment k+1 reuses (that of k-2) is free by the time it is filled.
    const results: Array<Promise<Uint8Array[] | null>> = [];
    const done: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve()];
    let k = 0;
    let fill = 0;
    let seen = 0;
    let view = new Uint8Array(this.segment(0));
    const dispatch = async (): Promise<void> => {
      const memory = this.segment(k % 3);
      const length = fill;
      const w = k % 2;
      await done[w];
      const job = this.ask(this.workers[w]!, (id) => ({ kind: 'segment', id, segment: memory, length, maxDelta }));
      results.push(job);
      done[w] = job.catch(() => undefined);
      k++;
      fill = 0;
      view = new Uint8Array(this.segment(k % 3));
    };
    try {
      await feed(async (chunk) => {
        seen += chunk.length;
        let c = 0;
        while (c < chunk.length) {
          const take = Math.min(chunk.length - c, this.segmentBytes - fill);
          view.set(chunk.subarray(c, c + take), fill);
          fill += take;
          c += take;
          if (fill === this.segmentBytes) await dispatch();
        }
      });
      if (seen !== targetSize) throw new Error(`delta target had ${seen} bytes, expected ${targetSize}`);
      if (fill > 0 || k === 0) await dispatch();
      const parts = await Promise.all(results);
      const out: Uint8Array[] = [deltaHeader(base.length, targetSize)];
      let bytes = out[0]!.length;
      for (const p of parts) {
        if (!p) return null;
        for (const b of p) {
          out.push(b);
          bytes += b.length;
        }
      }
      return bytes > maxDelta ? null : out;
    } finally {
      // never leave a worker reading a segment buffer this call no longer owns
      await Promise.allSettled(results);
    }
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.removeAllListeners('exit');
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.tableMemory = null;
    this.segments.length = 0;
  }
}
