/**
 * Re-hash many stored blobs on every core: a pool of worker threads (digest-worker.ts), each taking the next
 * blob, largest first, so two cores hash two versions at once. A single large blob in a full run is split
 * instead when a core is free: this thread checks the git SHA-1 and the zlib framing while one worker reads
 * the same object for its sha256. Without the compiled worker (a TypeScript test runner), with one core, or `workers: 1`, the
 * blobs are hashed in this thread one after the other.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledWorkerExists } from '../util/worker-file.js';
import { SavepointError, type ErrorCode } from '../errors.js';
import type { DigestJobMessage, DigestReply } from './digest-worker.js';
import { digestBlob, type ContentDigest, type ReadBlobOptions } from './object-store.js';
import { useTwoThreads } from './loose-writer.js';

export interface DigestJob {
  oid: string;
  /** expected size (for scheduling and progress; -1 when unknown) */
  size: number;
}

export interface DigestOutcome {
  digest?: ContentDigest;
  error?: SavepointError;
  damaged?: Array<{ location: string; message: string }>;
  /**
   * The blob was split over two threads (two reads of the same object: SHA-1 and framing in one, sha256 in
   * the other). A caller that finds the sha256 unexpected should digest it again on one thread (workers: 1),
   * so the report comes from a single read.
   */
  split?: true;
}

/**
 * A single blob at least this large is split over two threads in a full run. A worker costs ~40 ms (more on a
 * busy machine) to start: at 100 MB one thread (~150 ms) was as fast as the split, even at load average 2.4.
 */
export const SPLIT_MIN_BYTES = 256 << 20;

export interface DigestPoolOptions {
  /** sha256 only (see ReadBlobOptions.quick) */
  quick?: boolean;
  /** number of worker threads (default: available cores, at most 4) */
  workers?: number;
  /** total bytes hashed so far, across all jobs */
  onProgress?: (loaded: number) => void;
  /** the compiled worker module (default: digest-worker.js next to this module) */
  workerUrl?: URL;
  /** stops the run (the TUI's Esc): pending jobs are dropped, workers terminated, the reason thrown */
  signal?: AbortSignal;
  /**
   * Split a single blob over two threads (default: from SPLIT_MIN_BYTES, when a core is free: the save's rule,
   * useTwoThreads in loose-writer.ts; at load average 9 on 2 cores one thread was faster).
   */
  split?: boolean;
}

const DEFAULT_WORKER_URL = new URL('./digest-worker.js', import.meta.url);


/** Digest each job's blob; the outcome map is keyed by oid. Errors other than SavepointErrors are thrown. */
export async function digestBlobs(gitdir: string, jobs: DigestJob[], opts: DigestPoolOptions = {}): Promise<Map<string, DigestOutcome>> {
  const unique = [...new Map(jobs.map((j) => [j.oid, j])).values()].sort((a, b) => b.size - a.size);
  const out = new Map<string, DigestOutcome>();
  const url = opts.workerUrl ?? DEFAULT_WORKER_URL;
  const cores = opts.workers ?? Math.min(4, os.availableParallelism?.() ?? os.cpus().length);
  const n = Math.max(1, Math.min(cores, unique.length));
  const only = unique[0];
  const split = opts.split ?? (!!only && only.size >= SPLIT_MIN_BYTES && useTwoThreads(only.size, cores, os.loadavg()[0] ?? 0));
  if (unique.length === 1 && only && split && !opts.quick && cores >= 2 && compiledWorkerExists(url)) {
    const split = await digestSplit(gitdir, only, url, opts);
    if (split) {
      out.set(only.oid, split);
      return out;
    }
  }
  let doneBytes = 0;
  const workers: Worker[] = [];
  if (n > 1 && compiledWorkerExists(url)) {
    for (let i = 0; i < n; i++) {
      try {
        workers.push(new Worker(url));
      } catch {
        break; // thread limits: fewer workers (none: this thread)
      }
    }
  }
  if (workers.length === 0) {
    const signal = opts.signal;
    for (const j of unique) {
      signal?.throwIfAborted();
      const damaged: Array<{ location: string; message: string }> = [];
      const base = doneBytes;
      try {
        const d = await digestBlob(gitdir, j.oid, {
          quick: !!opts.quick,
          onDamagedCopy: (c) => damaged.push({ location: c.location, message: c.message }),
          ...(opts.onProgress || signal
            ? {
                onProgress: (e: { loaded: number }) => {
                  signal?.throwIfAborted();
                  opts.onProgress?.(base + e.loaded);
                },
              }
            : {}),
        });
        out.set(j.oid, { digest: d, ...(damaged.length ? { damaged } : {}) });
        doneBytes += d.size;
      } catch (e) {
        signal?.throwIfAborted();
        if (!(e instanceof SavepointError)) throw e;
        out.set(j.oid, { error: e });
        doneBytes += Math.max(j.size, 0);
      }
    }
    return out;
  }
  try {
    let next = 0;
    let seq = 0;
    const inFlight = new Map<number, number>(); // job id → bytes reported so far
    await new Promise<void>((resolve, reject) => {
      let active = 0;
      let failed = false;
      const progress = () => {
        if (!opts.onProgress) return;
        let sum = doneBytes;
        for (const v of inFlight.values()) sum += v;
        opts.onProgress(sum);
      };
      const feed = (w: Worker): void => {
        if (failed) return;
        if (next >= unique.length) {
          if (active === 0) resolve();
          return;
        }
        const job = unique[next++]!;
        const id = ++seq;
        active++;
        inFlight.set(id, 0);
        const onMessage = (m: DigestReply): void => {
          if (m.id !== id) return;
          if ('progress' in m) {
            inFlight.set(id, m.progress);
            progress();
            return;
          }
          w.off('message', onMessage);
          inFlight.delete(id);
          active--;
          if ('ok' in m) {
            out.set(job.oid, { digest: m.ok, ...(m.damaged.length ? { damaged: m.damaged } : {}) });
            doneBytes += m.ok.size;
          } else if (m.error.savepoint) {
            out.set(job.oid, { error: new SavepointError(m.error.code as ErrorCode, m.error.message, m.error.details) });
            doneBytes += Math.max(job.size, 0);
          } else {
            failed = true;
            const e = new Error(m.error.message) as NodeJS.ErrnoException;
            e.code = m.error.code;
            reject(e);
            return;
          }
          progress();
          feed(w);
          if (active === 0 && next >= unique.length) resolve();
        };
        w.on('message', onMessage);
        w.postMessage({ id, gitdir, oid: job.oid, quick: !!opts.quick } satisfies DigestJobMessage);
      };
      const signal = opts.signal;
      if (signal) {
        const abort = (): void => {
          failed = true;
          reject(signal.reason);
        };
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      }
      for (const w of workers) {
        w.on('error', (e) => {
          failed = true;
          reject(e);
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}

/**
 * One blob on two threads: this thread reads it with every check but the sha256 (git SHA-1, zlib framing and
 * Adler-32, damaged copies), a worker reads it again for the sha256 alone (verify --quick's read). When this
 * thread skipped a damaged copy, or the two reads disagree on the size, or the worker failed, the blob is read
 * again here with every check, so the outcome always describes one read. Null when no worker starts.
 */
async function digestSplit(gitdir: string, job: DigestJob, url: URL, opts: DigestPoolOptions): Promise<DigestOutcome | null> {
  let w: Worker;
  try {
    w = new Worker(url);
  } catch {
    return null;
  }
  const signal = opts.signal;
  let onAbort: (() => void) | undefined;
  try {
    const reply = new Promise<DigestReply>((resolve, reject) => {
      w.on('message', (m: DigestReply) => {
        if (!('progress' in m)) resolve(m);
      });
      w.on('error', reject);
      w.on('exit', () => reject(new Error('the sha256 worker stopped')));
      if (signal) {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    reply.catch(() => undefined); // awaited below; a failure before then must not go unhandled
    w.postMessage({ id: 1, gitdir, oid: job.oid, quick: true } satisfies DigestJobMessage);
    const damaged: Array<{ location: string; message: string }> = [];
    let shown = 0; // progress never goes back (a second read starts from 0 again)
    const read = (extra: ReadBlobOptions): Promise<ContentDigest> =>
      digestBlob(gitdir, job.oid, {
        onDamagedCopy: (c) => damaged.push({ location: c.location, message: c.message }),
        onProgress: (e) => {
          signal?.throwIfAborted();
          if (e.loaded > shown) opts.onProgress?.((shown = e.loaded));
        },
        ...extra,
      });
    let here: ContentDigest;
    try {
      here = await read({ skipSha256: true });
    } catch (e) {
      signal?.throwIfAborted();
      if (!(e instanceof SavepointError)) throw e;
      return { error: e }; // every check ran here: the same outcome a one-thread read gives
    }
    let theirs: DigestReply | undefined;
    try {
      theirs = await reply;
    } catch (e) {
      signal?.throwIfAborted();
      theirs = undefined;
    }
    if (damaged.length === 0 && theirs && 'ok' in theirs && theirs.ok.size === here.size) return { digest: { size: here.size, sha256: theirs.ok.sha256 }, split: true };
    damaged.length = 0;
    try {
      const d = await read({});
      return { digest: d, ...(damaged.length ? { damaged } : {}) };
    } catch (e) {
      signal?.throwIfAborted();
      if (!(e instanceof SavepointError)) throw e;
      return { error: e };
    }
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    w.removeAllListeners('exit');
    await w.terminate();
  }
}
