/** The page's handle on the vault worker: each call is one request, answered by one reply (plus progress). */
import { VaultError, type Reply, type Request } from './protocol.js';
import type { DroppedFile, Progress, VaultSource, WebVault } from './types.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void; onProgress?: (p: Progress) => void };
type Body<R> = R extends unknown ? Omit<R, 'id'> : never;

/** The vault's operations (WebVault's, one request each) plus opening a vault and ending the worker. */
export interface VaultClient extends Omit<WebVault, 'source'> {
  openUrl(url: string, onProgress?: (p: Progress) => void): Promise<VaultSource>;
  openFolder(name: string, files: DroppedFile[], onProgress?: (p: Progress) => void): Promise<VaultSource>;
  terminate(): void;
}

/** A client over any Worker-like port (the real Worker in the page; a fake port in Node tests). */
export function createVaultClient(worker: Pick<Worker, 'postMessage' | 'terminate'> & { onmessage: ((ev: MessageEvent<Reply>) => void) | null }): VaultClient {
  let next = 1;
  const pending = new Map<number, Pending>();
  worker.onmessage = (ev: MessageEvent<Reply>) => {
    const r = ev.data;
    const p = pending.get(r.id);
    if (!p) return;
    if (r.kind === 'progress') return void p.onProgress?.(r.progress);
    pending.delete(r.id);
    if (r.kind === 'ok') p.resolve(r.value);
    else p.reject(new VaultError(r.error));
  };
  function call<T>(body: Body<Request>, onProgress?: (p: Progress) => void): Promise<T> {
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      worker.postMessage({ ...body, id } as Request);
    });
  }
  return {
    openUrl: (url, onProgress) => call({ method: 'openUrl', url }, onProgress),
    openFolder: (name, files, onProgress) => call({ method: 'openFolder', name, files }, onProgress),
    files: () => call({ method: 'files' }),
    versions: (path) => call({ method: 'versions', path }),
    read: (path, version) => call({ method: 'read', path, version }),
    verify: (onProgress) => call({ method: 'verify' }, onProgress),
    diff: (path, from, to) => call({ method: 'diff', path, from, to }),
    save: (path, data, options = {}) => call({ method: 'save', path, data, options }),
    push: (onProgress) => call({ method: 'push' }, onProgress),
    terminate: () => {
      worker.terminate();
      for (const p of pending.values()) p.reject(new VaultError({ code: 'E_INTERRUPTED', message: 'The vault worker was stopped.' }));
      pending.clear();
    },
  };
}

export function startVaultWorker(): VaultClient {
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'savepoint-vault' });
  return createVaultClient(w as Worker & { onmessage: ((ev: MessageEvent<Reply>) => void) | null });
}
