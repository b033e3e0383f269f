/**
 * @savepoint/core/browser in real headless Chromium (Debian's /usr/bin/chromium via playwright-core): a page
 * served from one 127.0.0.1 origin loads an esbuild browser bundle (core + LightningFS + isomorphic-git's web
 * HTTP client) and, against the smart-HTTP git server on another origin (CORS), clones a vault, lists its
 * versions, reads one (sha256 checked), diffs, saves a new version from a Blob, tags it and pushes. Native
 * git then checks the server's bare repository.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHistory, openVault as openNodeVault } from '@savepoint/core';
import { diffFiles } from '@savepoint/diff';
import { TEST_AUTHOR, gitCli, makeTempDir } from '../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../packages/core/src/testing/temp-vault.js';
import { bundleForBrowser } from './helpers/browser-bundle.js';
import { chromiumMissing, launchChromium, startStaticServer } from './helpers/chromium.js';
import type { ChromiumSession, StaticServer } from './helpers/chromium.js';
import { startGitHttpServer } from './helpers/git-http-server.js';
import type { GitHttpServer } from './helpers/git-http-server.js';
import { makeVaultWithSaves } from './helpers/vaults.js';

const PAGE_SCRIPT = `
import { cloneVault, sha256Hex, isSavepointError } from '@savepoint/core/browser';
import LightningFS from '@isomorphic-git/lightning-fs';
import http from 'isomorphic-git/http/web';

window.runScenario = async (cfg) => {
  const fs = new LightningFS('sp-chromium-test', { wipe: true });
  const progress = [];
  const v = await cloneVault({ fs, dir: '/vault', http, url: cfg.url, headers: { Authorization: cfg.auth }, author: cfg.author, onProgress: (e) => progress.push(e.phase) });
  const files = await v.files();
  const versions = await v.versions('data.csv');
  const first = await v.read('data.csv', 1);
  const diff = await v.diff('data.csv', 1, versions.length);
  let bad = null;
  try { await v.read('data.csv', 99); } catch (e) { bad = isSavepointError(e) ? e.code : String(e); }
  const saved = await v.save('data.csv', new Blob([cfg.csv], { type: 'text/csv' }), { message: 'saved in Chromium' });
  const tag = await v.tag('data.csv', saved.version);
  const pushed = await v.push();
  const verify = await v.verify();
  return {
    userAgent: navigator.userAgent,
    hasProcess: typeof process !== 'undefined',
    progressSeen: progress.length > 0,
    files,
    versions: versions.map((r) => ({ version: r.version, sha256: r.sha256, size: r.size, commit: r.commit })),
    firstText: new TextDecoder().decode(first),
    firstSha: await sha256Hex(first),
    diff: { format: diff.format, summary: diff.summary, match: diff.match },
    bad,
    saved,
    tag,
    pushed,
    verify: { ok: verify.ok, verified: verify.verified },
    history: await v.history(),
  };
};
window.scenarioReady = true;
`;

const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>savepoint browser test</title><script type="module" src="/bundle.js"></script>`;

const missing = chromiumMissing();

describe.skipIf(missing !== null)('browser vault in real headless Chromium', () => {
  let server: GitHttpServer;
  let site: StaticServer;
  let browser: ChromiumSession;
  let tv: TempVault;
  let bare: string;

  beforeAll(async () => {
    const [bundle] = await Promise.all([bundleForBrowser(PAGE_SCRIPT), (async () => { server = await startGitHttpServer({ users: { tester: 's3cret-pass' } }); })()]);
    expect(bundle.nodeBuiltins).toEqual([]);
    site = await startStaticServer({ '/': ['text/html; charset=utf-8', PAGE_HTML], '/bundle.js': ['text/javascript; charset=utf-8', bundle.code] });
    tv = await makeVaultWithSaves(3);
    bare = await server.createBareRepo('vault');
    tv.git(['push', '-q', server.url('vault').replace('http://', 'http://tester:s3cret-pass@'), 'main', 'refs/notes/savepoint:refs/notes/savepoint']);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await server?.stop({ removeRoot: true });
    await tv?.cleanup();
  });

  it('clones, lists, reads (sha256 checked), diffs, saves a Blob, tags and pushes; native git accepts the result', async () => {
    const { page, log } = browser;
    await page.goto(`${site.origin}/`);
    await page.waitForFunction(() => (window as { scenarioReady?: boolean }).scenarioReady === true, undefined, { timeout: 30_000 }).catch((e: unknown) => {
      throw new Error(`the test page did not start: ${String(e)}\n${log.join('\n')}`);
    });
    const csv = 'id,x\n0,0\n1,100\n2,6\n3,9\n';
    const cfg = { url: server.url('vault'), auth: `Basic ${Buffer.from('tester:s3cret-pass').toString('base64')}`, author: { name: 'Chromium User', email: 'chromium@example.test' }, csv };
    type Result = {
      userAgent: string; hasProcess: boolean; progressSeen: boolean; files: { path: string; latestVersion: number; versions: number }[];
      versions: { version: number; sha256: string; size: number; commit: string }[]; firstText: string; firstSha: string;
      diff: { format: string; summary: unknown; match: unknown }; bad: string; saved: { version: number; commit: string; sha256: string; unchanged: boolean };
      tag: { name: string }; pushed: { pushed: string[]; notes: string }; verify: { ok: boolean; verified: number }; history: unknown[];
    };
    const r = await page.evaluate((c) => (window as unknown as { runScenario: (x: typeof c) => Promise<unknown> }).runScenario(c), cfg).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${log.join('\n')}`);
    }) as Result;

    // it really ran in Chromium, not in Node
    expect(r.userAgent).toMatch(/HeadlessChrome|Chrome\//);
    expect(r.hasProcess).toBe(false);
    expect(r.progressSeen).toBe(true);
    // the CORS preflights reached the git server (the page is on another origin)
    expect((await server.requests()).some((q) => q.method === 'OPTIONS')).toBe(true);

    const node = (await loadHistory(tv.vault)).versions;
    const nodeCsv = node.filter((v) => v.path === 'data.csv');
    expect(r.files.map((f) => [f.path, f.latestVersion, f.versions])).toEqual([['data.csv', 3, 3], ['sub/params.json', 3, 3]]);
    expect(r.versions).toEqual(nodeCsv.map((v) => ({ version: v.version, sha256: v.sha256, size: v.size, commit: v.commit })));
    const first = tv.git(['show', `${nodeCsv[0]!.commit}:data.csv`]);
    expect(r.firstText).toBe(first);
    expect(r.firstSha).toBe(createHash('sha256').update(first).digest('hex'));
    expect(r.bad).toBe('E_UNKNOWN_VERSION');

    // the browser's diff equals the Node diff of the same two versions on disk
    const dir = await makeTempDir('sp-chromium-diff-');
    try {
      await fsp.writeFile(path.join(dir, 'a.csv'), first);
      await fsp.writeFile(path.join(dir, 'b.csv'), tv.git(['show', `${nodeCsv[2]!.commit}:data.csv`]));
      const expected = await diffFiles({ path: path.join(dir, 'a.csv'), label: 'data.csv@1' }, { path: path.join(dir, 'b.csv'), label: 'data.csv@3' }, { name: 'data.csv' });
      if (expected.format !== 'csv') throw new Error('csv expected');
      expect(r.diff).toEqual({ format: 'csv', summary: expected.summary, match: expected.match });
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }

    expect(r.saved).toMatchObject({ version: 4, unchanged: false, sha256: createHash('sha256').update(csv).digest('hex') });
    expect(r.tag.name).toBe('sp/data.csv/v4');
    expect(r.pushed.pushed).toEqual(['refs/heads/main', 'refs/notes/savepoint', 'refs/tags/sp/data.csv/v4']);
    expect(r.verify).toEqual({ ok: true, verified: 7 });

    // native git on the server's bare repository
    gitCli(bare, ['fsck', '--strict', '--no-progress']);
    expect(gitCli(bare, ['rev-parse', 'refs/heads/main']).trim()).toBe(r.saved.commit);
    expect(gitCli(bare, ['show', 'main:data.csv'])).toBe(csv);
    const body = gitCli(bare, ['log', '-1', '--format=%B', 'main']);
    expect(body).toBe(`saved in Chromium\n\nSavepoint-Version: data.csv=4\nSavepoint-Sha256: data.csv=${r.saved.sha256}\n\n`);
    expect(gitCli(bare, ['log', '-1', '--format=%an <%ae>', 'main']).trim()).toBe('Chromium User <chromium@example.test>');
    const note = JSON.parse(gitCli(bare, ['notes', '--ref', 'savepoint', 'show', 'main'])) as { files: Record<string, unknown> };
    expect(note).toMatchObject({ schema: 1, status: 'active', kind: 'manual', files: { 'data.csv': { version: 4, sha256: r.saved.sha256, size: csv.length, source: 'browser', description: 'saved in Chromium' } } });
    expect(gitCli(bare, ['cat-file', '-p', 'refs/tags/sp/data.csv/v4'])).toContain(`data.csv v4\n\nSavepoint-Version: data.csv=4\nSavepoint-Sha256: data.csv=${r.saved.sha256}\n`);

    // Node core on a native clone reads the same records the page showed
    const clone = path.join(await makeTempDir('sp-chromium-clone-'), 'c');
    try {
      gitCli(path.dirname(clone), ['clone', '-q', bare, clone]);
      gitCli(clone, ['fetch', '-q', 'origin', 'refs/notes/savepoint:refs/notes/savepoint', '+refs/tags/*:refs/tags/*']);
      expect((await loadHistory(await openNodeVault({ dir: clone, author: TEST_AUTHOR }))).versions).toEqual(r.history);
    } finally {
      await fsp.rm(path.dirname(clone), { recursive: true, force: true });
    }
  }, 180_000);
});

describe.skipIf(missing === null)('browser vault in real headless Chromium (skipped)', () => {
  it(`skipped: ${missing ?? ''}`, () => {
    console.warn(`browser-chromium.test.ts skipped: ${missing}`);
  });
});
