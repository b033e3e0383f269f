/// <reference lib="webworker" />
/**
 * The vault lives here, off the page's main thread: cloning, pack parsing, sha256 checks and diffs of large
 * files run without freezing the page.
 */
import './polyfills.js';
import { toWireError, type Reply, type Request } from './protocol.js';
import type { WebVault } from './types.js';

declare const self: DedicatedWorkerGlobalScope;

let vault: WebVault | null = null;
const adapter = import('./adapter.js');

function send(r: Reply, transfer: Transferable[] = []): void {
  self.postMessage(r, transfer);
}

function need(): WebVault {
  if (!vault) throw Object.assign(new Error('No vault is open. Open one by URL or drop its folder first.'), { code: 'E_NOT_A_VAULT' });
  return vault;
}

async function handle(req: Request): Promise<{ value: unknown; transfer?: Transferable[] }> {
  const progress = (p: { phase: string; loaded?: number; total?: number }) => send({ id: req.id, kind: 'progress', progress: p });
  switch (req.method) {
    case 'ping':
      return { value: 'pong' };
    case 'openUrl':
      vault = null;
      vault = await (await adapter).openUrl(req.url, progress);
      return { value: vault.source };
    case 'openFolder':
      vault = null;
      vault = await (await adapter).openFolder(req.name, req.files, progress);
      return { value: vault.source };
    case 'files':
      return { value: await need().files() };
    case 'versions':
      return { value: await need().versions(req.path) };
    case 'read': {
      const bytes = await need().read(req.path, req.version);
      return { value: bytes, transfer: [bytes.buffer as ArrayBuffer] };
    }
    case 'verify':
      return { value: await need().verify(progress) };
    case 'diff':
      return { value: await need().diff(req.path, req.from, req.to) };
    case 'save':
      return { value: await need().save(req.path, req.data, req.options) };
    case 'push':
      return { value: await need().push(progress) };
  }
}

self.onmessage = (ev: MessageEvent<Request>) => {
  const req = ev.data;
  handle(req).then(
    ({ value, transfer }) => send({ id: req.id, kind: 'ok', value }, transfer),
    (e: unknown) => send({ id: req.id, kind: 'error', error: toWireError(e) }),
  );
};
