import { openSync, closeSync, existsSync, fstatSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DiffError, fromNodeError, type DiffErrorCode } from '../errors.js';
import { uniqueNames } from '../table/compare.js';
import { fingerprintCsv, wrongWidth, type FingerprintJob, type RowArrays } from './fingerprint.js';
import type { BackgroundScan, RowSource } from '../table/source.js';
import type { Cell } from '../table/types.js';
import { readCsvHeader, readCsvSpans, scanCsvFile } from './file.js';
import type { CsvDialect } from './scanner.js';
import { MAX_CELL_BYTES } from '../clip.js';

export interface CsvSource extends RowSource {
  readonly dialect: CsvDialect;
  /** Header exactly as in the file (before making names unique). */
  readonly rawHeader: string[];
  /** Stop a worker thread started early (`startWorker`) that was never given a scan. */
  close(): void;
}

export interface CsvSourceOptions {
  /** Offer the canonical row fingerprint (default true; false gives the general one, for tests). */
  canonical?: boolean;
  /** Bytes read at a time (tests use small chunks). */
  chunk?: number;
  /** Scan in this thread even for large files (tests). */
  noWorker?: boolean;
  /**
   * Start the worker thread for scanInBackground now (a large file only), so that it has started up by the
   * time the scan is asked for; `close()` stops it if it is never used.
   */
  startWorker?: boolean;
}

/** Files at least this large are fingerprinted in a worker thread while the other version is read. */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

const WORKER_URL = new URL('./scan-worker.js', import.meta.url);
/** The worker needs the compiled .js file; under a TypeScript test runner the in-thread path is used. */
const workerAvailable = (() => {
  try {
    return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
  } catch {
    return false;
  }
})();

function worthAWorker(path: string): boolean {
  if (!workerAvailable) return false;
  try {
    return statSync(path).size >= WORKER_MIN_BYTES;
  } catch {
    return false;
  }
}

/** A worker waiting for its job (scan-worker.ts), not keeping the process alive meanwhile; null when not worthwhile. */
function startIdleWorker(path: string): Worker | null {
  if (!worthAWorker(path)) return null;
  try {
    const w = new Worker(WORKER_URL);
    w.unref();
    w.on('error', () => undefined); // reported to whoever gives it a job; an idle worker's failure is harmless
    return w;
  } catch {
    return null;
  }
}

function backgroundScan(job: FingerprintJob, idle: Worker | null): BackgroundScan | null {
  let worker: Worker;
  if (idle) {
    worker = idle;
    worker.ref();
    worker.postMessage(job);
  } else {
    if (!worthAWorker(job.path)) return null;
    try {
      worker = new Worker(WORKER_URL, { workerData: job });
    } catch {
      return null; // e.g. thread limits: the caller scans in this thread
    }
  }
  const promise = new Promise<RowArrays>((resolve, reject) => {
    worker.once('message', (m: { ok?: RowArrays; error?: { code: string; message: string; details: Record<string, unknown> } }) => {
      if (m.ok) resolve(m.ok);
      else reject(new DiffError(m.error!.code as DiffErrorCode, m.error!.message, m.error!.details));
      void worker.terminate();
    });
    worker.once('error', (e) => reject(e));
  });
  promise.catch(() => undefined); // handled by whoever awaits it; avoid unhandled rejection on cancel
  return { promise, cancel: () => void worker.terminate() };
}

/** Rows in a file, estimated from the line ends in its first 64 KiB (5% over; at most 4 Mi: beyond that arrays grow). */
export function estimateRows(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return 0;
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.allocUnsafe(Math.min(size, 64 * 1024));
    const got = readSync(fd, head, 0, head.length, 0);
    let lines = 0;
    for (let i = head.indexOf(10); i >= 0 && i < got; i = head.indexOf(10, i + 1)) lines++;
    return got === 0 ? 0 : Math.min(1 << 22, Math.ceil(((lines + 1) * size * 1.05) / got));
  } finally {
    closeSync(fd);
  }
}

/**
 * Open a CSV/TSV file as a streaming row source. Rows are fingerprinted straight from the bytes
 * (no strings are made except key cells), so a pass over a large file allocates almost nothing.
 */
export async function openCsvSource(path: string, label: string, dialect: CsvDialect, maxCellBytes = MAX_CELL_BYTES, opts: CsvSourceOptions = {}): Promise<CsvSource> {
  let idle = opts.startWorker && !opts.noWorker ? startIdleWorker(path) : null;
  try {
    return await openCsvSourceWith(path, label, dialect, maxCellBytes, opts, () => { const w = idle; idle = null; return w; });
  } catch (e) {
    void idle?.terminate();
    throw e;
  }
}

async function openCsvSourceWith(
  path: string, label: string, dialect: CsvDialect, maxCellBytes: number, opts: CsvSourceOptions, takeIdle: () => Worker | null,
): Promise<CsvSource> {
  const { header: rawHeader } = await readCsvHeader(path, dialect);
  const header = uniqueNames(rawHeader);
  const width = rawHeader.length;
  const rowEstimate = estimateRows(path);
  const job = (keyCols: readonly number[] | null, unionIndex: readonly number[], canonical = false): FingerprintJob => ({
    path, label, dialect, width, keyCols: keyCols ? [...keyCols] : null, unionIndex: [...unionIndex],
    canonical: canonical && opts.canonical !== false, chunk: opts.chunk, maxCellBytes, rowEstimate,
  });

  const scanRows = async (
    visitRecord: (s: import('./scanner.js').CsvScanner, base: number) => void | false,
  ): Promise<void> => {
    let first = true;
    await scanCsvFile(path, dialect, (s, base) => {
      if (first) { first = false; return; }
      if (s.nf !== width) throw wrongWidth(label, s.recLine, width, s.nf);
      return visitRecord(s, base);
    }, maxCellBytes);
  };

  const source: CsvSource = {
    label,
    header,
    rawHeader,
    dialect,
    rowEstimate,
    canonicalRowHash: opts.canonical === false ? undefined : `csv ${JSON.stringify([dialect.delimiter, dialect.quote])}`,
    async scan(keyCols, unionIndex, visit, canonical) {
      return fingerprintCsv(job(keyCols, unionIndex, canonical), visit);
    },
    scanInBackground(keyCols, unionIndex, canonical) {
      return opts.noWorker ? null : backgroundScan(job(keyCols, unionIndex, canonical), takeIdle());
    },
    close() {
      void takeIdle()?.terminate();
    },
    async fetch(refs) {
      if (refs.length === 0) return [];
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (e) {
        throw fromNodeError(e, path);
      }
      try {
        return readCsvSpans(fd, dialect, refs.map((r) => ({ offset: r.ref1, length: r.ref2 })), maxCellBytes);
      } finally {
        closeSync(fd);
      }
    },
    async sample(n) {
      const out: Cell[][] = [];
      if (n <= 0) return out;
      await scanRows((s) => {
        out.push(s.cellsClipped(maxCellBytes));
        return out.length < n ? undefined : false;
      });
      return out;
    },
  };
  return source;
}
