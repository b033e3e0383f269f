/**
 * Worker thread for the digest pool (digest-pool.ts): re-hashes whole blobs on its own core. Receives
 * `{ id, gitdir, oid, quick }`, answers `{ id, progress }` while reading and then `{ id, ok }` or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { SavepointError } from '../errors.js';
import { digestBlob } from './object-store.js';

export interface DigestJobMessage {
  id: number;
  gitdir: string;
  oid: string;
  quick: boolean;
}

export type DigestReply =
  | { id: number; progress: number }
  | { id: number; ok: { size: number; sha256: string }; damaged: Array<{ location: string; message: string }> }
  | { id: number; error: { code: string; message: string; details: Record<string, unknown>; savepoint: boolean } };

const port = parentPort;
if (port) {
  port.on('message', (job: DigestJobMessage) => {
    void (async () => {
      const damaged: Array<{ location: string; message: string }> = [];
      let last = 0;
      try {
        const d = await digestBlob(job.gitdir, job.oid, {
          quick: job.quick,
          onDamagedCopy: (c) => damaged.push({ location: c.location, message: c.message }),
          onProgress: (e) => {
            // a message per ~8 MiB keeps the progress bar moving without flooding the port
            if (e.loaded - last >= 8 << 20) {
              last = e.loaded;
              port.postMessage({ id: job.id, progress: e.loaded } satisfies DigestReply);
            }
          },
        });
        port.postMessage({ id: job.id, ok: { size: d.size, sha256: d.sha256 }, damaged } satisfies DigestReply);
      } catch (e) {
        const err = e as Error;
        const sp = e instanceof SavepointError;
        port.postMessage({ id: job.id, error: { code: sp ? e.code : ((err as NodeJS.ErrnoException).code ?? 'E_INTERNAL'), message: err?.message ?? String(e), details: sp ? e.details : {}, savepoint: sp } } satisfies DigestReply);
      }
    })();
  });
}
