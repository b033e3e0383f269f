/** Smart-HTTP(S) remotes behind the RemoteTransport seam (the protocol itself lives in transport.ts). */
import path from 'node:path';
import { storeReceivedPack } from './pack-receive.js';
import { writePackFile } from './pack-io.js';
import { RemoteSession } from './transport.js';
import type { TransportOptions } from './transport.js';
import type { RemoteTransport, TransportFactory } from './transports.js';

export const httpTransport: TransportFactory = (url: string, opts: TransportOptions, remoteName?: string): RemoteTransport => {
  const session = new RemoteSession(url, opts, remoteName);
  return {
    kind: 'http',
    shownUrl: session.shownUrl,
    discover: (service) => session.discover(service),
    async fetchObjects(gitdir, wants, haves, adv) {
      const file = await session.uploadPackToFile(wants, haves, adv.capabilities, gitdir);
      if (file) await storeReceivedPack(gitdir, file, opts);
    },
    async push(gitdir, updates, oids, adv) {
      const pack = oids.length || updates.some((u) => !/^0{40}$/.test(u.new)) ? await writePackFile(gitdir, oids, path.join(gitdir, 'objects', 'pack'), opts.onProgress) : null;
      try {
        return await session.receivePack(updates, pack ? { file: pack.file, size: pack.size } : null, adv.capabilities);
      } finally {
        await pack?.remove();
      }
    },
    scrub: (t) => session.scrub(t),
    close: async () => undefined,
  };
};
