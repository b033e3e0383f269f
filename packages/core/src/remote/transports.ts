/**
 * The transport seam (issue 12): one small interface every remote kind implements, chosen by the URL's
 * kind. sync.ts (push/fetch/pull), clone.ts and copies.ts only talk to a RemoteTransport; a new kind (an
 * object-storage bucket, say) adds a factory to TRANSPORTS and a branch to remoteKind (url.ts).
 *
 * Contract: `discover` lists the remote's refs; `fetchObjects` brings the objects needed for `wants` into
 * the local object store (fully written and indexed before it returns: the caller moves refs only after);
 * `push` stores the objects first and updates the refs last, each ref only if it still holds `old`
 * (compare-and-swap), and reports per ref like git's receive-pack. Memory stays bounded: packs stream
 * through temp files, never a whole pack in memory.
 */
import type { ProgressCallback } from '../util/progress.js';
import type { ReceivePackReport, RefAdvertisement } from './pkt-line.js';
import type { TransportOptions } from './transport.js';
import { remoteKind } from './url.js';
import type { RemoteKind } from './url.js';

export interface RefUpdate {
  ref: string;
  /** 40 zeros: the ref must not exist yet */
  old: string;
  new: string;
}

export interface RemoteTransport {
  readonly kind: RemoteKind;
  /** the URL without credentials, for messages */
  readonly shownUrl: string;
  discover(service: 'git-upload-pack' | 'git-receive-pack'): Promise<RefAdvertisement>;
  /** Bring `wants` (and everything they reach that we lack) into `gitdir`; `haves` are tips we already have. */
  fetchObjects(gitdir: string, wants: string[], haves: string[], adv: RefAdvertisement): Promise<void>;
  /** Send `oids` (read from `gitdir`) and apply `updates`. */
  push(gitdir: string, updates: RefUpdate[], oids: string[], adv: RefAdvertisement): Promise<ReceivePackReport>;
  /** Remove secrets from a text before it is shown. */
  scrub(text: string): string;
  /** Release connections (idempotent). */
  close(): Promise<void>;
}

export type TransportFactory = (url: string, opts: TransportOptions & { onProgress?: ProgressCallback }, remoteName?: string) => RemoteTransport;

const factories = new Map<RemoteKind, () => Promise<TransportFactory>>([
  ['http', async () => (await import('./http-transport.js')).httpTransport],
  ['local', async () => (await import('./local-transport.js')).localTransport],
  ['ssh', async () => (await import('./ssh-transport.js')).sshTransport],
]);

/** Register the transport of another remote kind (see module comment). */
export function registerTransport(kind: RemoteKind, load: () => Promise<TransportFactory>): void {
  factories.set(kind, load);
}

/** The transport for a stored remote URL. */
export async function openTransport(url: string, opts: TransportOptions, remoteName?: string): Promise<RemoteTransport> {
  const kind = remoteKind(url);
  const load = factories.get(kind);
  if (!load) throw new Error(`no transport for ${kind} remotes`);
  return (await load())(url, opts, remoteName);
}
