/**
 * Re-hash many stored blobs on every core: a pool of worker threads (digest-worker.ts), each taking the next
 * blob, largest first, so two cores hash two versions at once. Without the compiled worker (a TypeScript test
 * runner) or with one job, one core, or `workers: 1`, the blobs are hashed in this thread one after the other.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SavepointError, type ErrorCode } from '../errors.js';
import type { DigestJobMessage, DigestReply } from './digest-worker.js';
import { digestBlob, type ContentDigest } from './object-store.js';

export interface DigestJob {
  oid: string;
  /** expected size (for scheduling and progress; -1 when unknown) */
  size: number;
}

export interface DigestOutcome {
  digest?: ContentDigest;
  error?: SavepointError;
  damaged?: Array<{ location: string; message: string }>;
}

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
}

const DEFAULT_WORKER_URL = new URL('./digest-worker.js', import.meta.url);

function workerExists(url: URL): boolean {
  try {
    return url.protocol === 'file:' && existsSync(fileURLToPath(url));
  } catch {
    return false;
  }
}

/** Digest each job's blob; the outcome map is keyed by oid. Errors other than SavepointErrors are thrown. */
export async function digestBlobs(gitdir: string, jobs: DigestJob[], opts: DigestPoolOptions = {}): Promise<Map<string, DigestOutcome>> {
  const unique = [...new Map(jobs.map((j) => [j.oid, j])).values()].sort((a, b) => b.size - a.size);
  const out = new Map<string, DigestOutcome>();
  const url = opts.workerUrl ?? DEFAULT_WORKER_URL;
  const n = Math.max(1, Math.min(opts.workers ?? Math.min(4, os.availableParallelism?.() ?? os.cpus().length), unique.length));
  let doneBytes = 0;
  const workers: Worker[] = [];
  if (n > 1 && workerExists(url)) {
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
