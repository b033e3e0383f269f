/**
 * Worker thread entry: fingerprints one CSV file (see fingerprintToArrays) so the two versions of a
 * large file are read on two cores at once. Results are transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DiffError } from '../errors.js';
import { fingerprintToArrays, type FingerprintJob } from './fingerprint.js';

const run = (job: FingerprintJob): void => void fingerprintToArrays(job).then(
  (a) => {
    const list = [a.kh1.buffer, a.kh2.buffer, a.h1.buffer, a.h2.buffer, a.line.buffer, a.r1.buffer, a.r2.buffer] as ArrayBuffer[];
    if (a.keys) list.push(a.keys.bytes.buffer as ArrayBuffer, a.keys.ends.buffer as ArrayBuffer);
    parentPort!.postMessage({ ok: a }, list);
  },
  (e: unknown) => {
    const err = e instanceof DiffError ? e.toJSON() : { code: 'E_INTERNAL', message: (e as Error)?.message ?? String(e), details: {} };
    parentPort!.postMessage({ error: err });
  },
);

// The job comes with the worker, or later by message (a worker started early, while the files are opened).
if (workerData) run(workerData as FingerprintJob);
else parentPort!.once('message', (job: FingerprintJob) => run(job));
