/**
 * Real headless Chromium for browser tests: the Debian package `chromium` (/usr/bin/chromium) driven by
 * playwright-core, with a fresh user-data-dir per launch, plus a tiny static server on 127.0.0.1 that serves
 * a test page and its script (an esbuild browser bundle).
 */
import { existsSync, promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why real Chromium tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} not found: install the Debian package with \`apt-get install chromium\` (.ci/run does this when it runs as root)`;
}

export interface ChromiumSession {
  context: BrowserContext;
  page: Page;
  /** what the page printed (console) and threw (pageerror), for failure messages */
  log: string[];
  close(): Promise<void>;
}

/** Launch Chromium headless with a fresh --user-data-dir and open one page. */
export async function launchChromium(): Promise<ChromiumSession> {
  const why = chromiumMissing();
  if (why) throw new Error(why);
  const userDataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-chromium-'));
  let context: BrowserContext;
  try {
    // a persistent context is how playwright takes a user-data-dir of our choosing (a fresh empty one)
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
  } catch (e) {
    await fsp.rm(userDataDir, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    log,
    async close() {
      await context.close().catch(() => undefined);
      await fsp.rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface StaticServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  stop(): Promise<void>;
}

/** Serve fixed files (URL path → [content type, body]) on 127.0.0.1; anything else is 404. */
export async function startStaticServer(files: Record<string, [string, string | Uint8Array]>): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': file[0], 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
