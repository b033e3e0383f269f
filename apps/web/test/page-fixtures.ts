/** Shared set-up for the page's Chromium tests: the built page on a static server, vaults pushed to a git server. */
import http from 'node:http';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { save, tagVersion } from '@savepoint/core';
import { gitCli, makeTempVault, type TempVault } from '../../../packages/core/src/testing/temp-vault.js';
import type { GitHttpServer } from '../../../test/helpers/git-http-server.js';
// @ts-expect-error plain JS module of the page's own server script
import { staticHandler } from '../scripts/static.mjs';

export const DIST = fileURLToPath(new URL('../dist', import.meta.url));

/** The built page (apps/web/dist) on 127.0.0.1, as `pnpm web` serves it. */
export async function startPageServer(): Promise<{ origin: string; stop(): Promise<void> }> {
  if (!existsSync(`${DIST}/index.html`)) throw new Error(`${DIST} is not built: run \`node apps/web/scripts/build.mjs\` (the root test script does).`);
  const server = http.createServer(staticHandler(DIST) as http.RequestListener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Save {
  files: Record<string, string | Uint8Array>;
  message: string;
  experiment?: string;
  tag?: { address: string; name: string };
}

/** A vault with the given saves, pushed (branch, notes, tags) with native git to a new repository on `server`. */
export async function pushedVault(server: GitHttpServer, name: string, saves: Save[]): Promise<{ tv: TempVault; url: string; repo: string }> {
  const tv = await makeTempVault();
  for (const s of saves) {
    for (const [p, c] of Object.entries(s.files)) await tv.write(p, c);
    await save(tv.vault, { files: Object.keys(s.files), message: s.message, ...(s.experiment ? { experiment: s.experiment } : {}) });
    if (s.tag) await tagVersion(tv.vault, s.tag);
  }
  const repo = await server.createBareRepo(name);
  const url = server.url(name);
  const branch = gitCli(tv.dir, ['rev-parse', '--abbrev-ref', 'HEAD']).trim();
  gitCli(tv.dir, ['push', '-q', url, `refs/heads/${branch}:refs/heads/${branch}`, 'refs/notes/savepoint:refs/notes/savepoint', '--tags']);
  return { tv, url, repo };
}
