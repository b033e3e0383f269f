/**
 * @savepoint/core/browser in Node, on LightningFS (fake-indexeddb) with isomorphic-git's web HTTP client,
 * against the real smart-HTTP test server: clone, list, read, diff, verify, save, tag, push; then native
 * git checks what arrived (fsck --strict, notes, trailers) and Node core reads the same records.
 */
import 'fake-indexeddb/auto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import FS from '@isomorphic-git/lightning-fs';
import http from 'isomorphic-git/http/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHistory, openVault as openNodeVault, save, tagVersion, verify } from '@savepoint/core';
import { cloneVault, isSavepointError, openVault } from '@savepoint/core/browser';
import type { BrowserVault } from '@savepoint/core/browser';
import { TEST_AUTHOR, addUnrelatedNotes, fixedClock, gitCli, makeTempDir, makeTempVault } from '../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../packages/core/src/testing/temp-vault.js';
import { startGitHttpServer } from './helpers/git-http-server.js';
import type { GitHttpServer } from './helpers/git-http-server.js';

// Node 20 has no global `navigator`; LightningFS reads `navigator.locks` (absent: its IndexedDB mutex is used)
const g = globalThis as { navigator?: unknown };
if (typeof g.navigator === 'undefined') g.navigator = {};

const USER = { tester: 's3cret-pass' };
const AUTH = { Authorization: `Basic ${Buffer.from('tester:s3cret-pass').toString('base64')}` };
let fsCount = 0;
const freshFs = () => new FS(`sp-browser-vault-${process.pid}-${fsCount++}`, { wipe: true });
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(isSavepointError(err), `expected ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

/** Push the vault's branch, notes and tags to `url` with native git. */
function nativePush(tv: TempVault, url: string): void {
  const withCreds = url.replace('http://', 'http://tester:s3cret-pass@');
  tv.git(['push', '-q', withCreds, 'main', 'refs/notes/savepoint:refs/notes/savepoint', '--tags']);
}

/** A native clone of the bare repo (branch, notes, tags) in a temp dir. */
async function nativeClone(bare: string): Promise<string> {
  const dir = path.join(await makeTempDir('sp-native-'), 'c');
  gitCli(path.dirname(dir), ['clone', '-q', bare, dir]);
  gitCli(dir, ['fetch', '-q', 'origin', 'refs/notes/savepoint:refs/notes/savepoint']);
  return dir;
}

describe('browser vault over smart HTTP (Node, LightningFS)', () => {
  let server: GitHttpServer;
  let tv: TempVault;
  let bare: string;
  let url: string;
  const csv1 = 'id,name,score\n1,ada,10\n2,bob,20\n3,cy,30\n';
  const csv2 = 'id,name,score\n1,ada,10\n2,bob,25\n4,dee,40\n';
  const blobBytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31) % 256);

  beforeAll(async () => {
    server = await startGitHttpServer({ users: USER });
    tv = await makeTempVault();
    await tv.write('data/scores.csv', csv1);
    await save(tv.vault, { files: ['data/scores.csv'], message: 'first scores' });
    await tv.write('params.json', JSON.stringify({ lr: 0.1, layers: [1, 2] }, null, 2));
    await tv.write('model.bin', blobBytes);
    await save(tv.vault, { files: ['params.json', 'model.bin'], experiment: 'exp-1' });
    await tv.write('data/scores.csv', csv2);
    await tv.write('params.json', JSON.stringify({ lr: 0.2, layers: [1, 2, 3] }, null, 2));
    await save(tv.vault, { files: ['data/scores.csv', 'params.json'], message: 'second run\n\nmore detail' });
    await tagVersion(tv.vault, { address: 'data/scores.csv@1' });
    await tagVersion(tv.vault, { address: 'params.json@2', name: 'baseline' });
    // ~300 unrelated notes, so native git fans the notes tree out (ab/cdef…)
    await addUnrelatedNotes(tv, 300);
    await tv.write('data/scores.csv', csv2 + '5,eve,50\n');
    await save(tv.vault, { files: ['data/scores.csv'] });
    bare = await server.createBareRepo('vault');
    url = server.url('vault');
    nativePush(tv, url);
  });

  afterAll(async () => {
    await server?.stop({ removeRoot: true });
    await tv?.cleanup();
  });

  it('the notes tree on the server really is fanned out', () => {
    const root = gitCli(bare, ['ls-tree', 'refs/notes/savepoint']).trim().split('\n');
    expect(root.every((l) => /^040000 tree [0-9a-f]{40}\t[0-9a-f]{2}$/.test(l))).toBe(true);
  });

  it('clones, lists files and versions exactly as Node core records them, reads every version sha256-checked', async () => {
    const v = await cloneVault({ fs: freshFs(), dir: '/vault', http, url, headers: AUTH, author: TEST_AUTHOR });
    expect(v.branch).toBe('main');
    // one shared builder: the browser's records equal Node core's for the same history (fanned-out notes included)
    const node = (await loadHistory(await tv.reopen())).versions;
    expect(await v.history()).toEqual(node);
    expect(node.map((r) => `${r.path}@${r.version}`)).toEqual(['data/scores.csv@1', 'params.json@1', 'model.bin@1', 'data/scores.csv@2', 'params.json@2', 'data/scores.csv@3']);
    const files = await v.files();
    expect(files.map((f) => [f.path, f.latestVersion, f.versions])).toEqual([
      ['data/scores.csv', 3, 3],
      ['model.bin', 1, 1],
      ['params.json', 2, 2],
    ]);
    expect(files.find((f) => f.path === 'params.json')!.tags).toEqual(['baseline']);
    // a named tag marks the whole save (both files of it), an sp/ tag only its own file
    expect(files.find((f) => f.path === 'data/scores.csv')!.tags).toEqual(['baseline', 'sp/data/scores.csv/v1']);
    const scores = await v.versions('data/scores.csv');
    expect(scores.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(scores[1]!.description).toBe('more detail');
    expect((await v.versions('params.json'))[0]!.experiment).toBe('exp-1');
    expect(dec(await v.read('data/scores.csv', 1))).toBe(csv1);
    expect(dec(await v.read('data/scores.csv', 2))).toBe(csv2);
    expect(Buffer.from(await v.read('model.bin', 1)).equals(Buffer.from(blobBytes))).toBe(true);
    await expectCode(v.read('data/scores.csv', 9), 'E_UNKNOWN_VERSION');
    await expectCode(v.read('nope.csv', 1), 'E_NOT_TRACKED');
    const report = await v.verify();
    expect(report).toMatchObject({ ok: true, verified: 6, corrupted: 0, missing: 0, unnoted: 0 });
  });

  it('diffs CSV by key, JSON by path and binary as bytes', async () => {
    const v = await cloneVault({ fs: freshFs(), dir: '/vault', http, url, headers: AUTH });
    const d = await v.diff('data/scores.csv', 1, 2);
    expect(d.format).toBe('csv');
    if (d.format !== 'csv') throw new Error('csv expected');
    expect(d.summary).toMatchObject({ added: 1, removed: 1, changed: 1 });
    expect(d.match).toEqual({ mode: 'keyed', key: ['id'], keySource: 'detected' });
    const j = await v.diff('params.json', 1, 2);
    if (j.format !== 'json') throw new Error('json expected');
    expect(j.changes.map((c) => c.path)).toEqual(expect.arrayContaining(['$.lr', '$.layers[2]']));
    const same = await v.diff('model.bin', 1, 1);
    expect(same).toMatchObject({ format: 'binary', identical: true });
  });

  it('verify and read catch a version whose note disagrees with its content, and report a save without a note', async () => {
    const dir = path.join(await makeTempDir('sp-bad-'), 'v');
    try {
      await fsp.cp(tv.dir, dir, { recursive: true });
      const [first, second] = (await loadHistory(await tv.reopen())).versions;
      const note = JSON.parse(gitCli(dir, ['notes', '--ref=savepoint', 'show', first!.commit])) as { files: Record<string, { sha256: string }> };
      note.files['data/scores.csv']!.sha256 = '0'.repeat(64);
      gitCli(dir, ['notes', '--ref=savepoint', 'add', '-f', '-m', JSON.stringify(note), first!.commit]);
      gitCli(dir, ['notes', '--ref=savepoint', 'remove', second!.commit]);
      await server.createBareRepo('bad');
      gitCli(dir, ['push', '-q', server.url('bad').replace('http://', 'http://tester:s3cret-pass@'), 'main', 'refs/notes/savepoint:refs/notes/savepoint']);
      const v = await cloneVault({ fs: freshFs(), dir: '/vault', http, url: server.url('bad'), headers: AUTH });
      await expectCode(v.read('data/scores.csv', 1), 'E_CHECKSUM_MISMATCH');
      expect(dec(await v.read('data/scores.csv', 2))).toBe(csv2);
      const report = await v.verify();
      expect(report).toMatchObject({ ok: false, verified: 3, corrupted: 1, missing: 0, unnoted: 2 });
      expect(report.items.filter((i) => i.status !== 'verified').map((i) => [i.path, i.version, i.code])).toEqual([
        ['data/scores.csv', 1, 'E_CHECKSUM_MISMATCH'],
        ['params.json', 1, 'E_NOTE_MISSING'],
        ['model.bin', 1, 'E_NOTE_MISSING'],
      ]);
    } finally {
      await fsp.rm(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('a wrong password is E_AUTH_FAILED', async () => {
    await expectCode(cloneVault({ fs: freshFs(), dir: '/vault', http, url, headers: { Authorization: `Basic ${Buffer.from('tester:nope').toString('base64')}` } }), 'E_AUTH_FAILED');
  });

  describe('save, tag, push', () => {
    let v: BrowserVault;
    let lfs: FS;
    const csv4 = 'id,name,score\n1,ada,11\n2,bob,25\n4,dee,40\n5,eve,50\n';

    beforeAll(async () => {
      lfs = freshFs();
      v = await cloneVault({ fs: lfs, dir: '/vault', http, url, headers: AUTH, author: { name: 'Web User', email: 'web@example.test' }, clock: fixedClock(Date.parse('2026-06-01T12:00:00Z')) });
    });

    it('saves a new version as a save commit with trailers and a CLI-shaped note; unchanged content is a no-op', async () => {
      const r = await v.save('data/scores.csv', new Blob([csv4]), { message: 'fixed ada', experiment: 'web-1' });
      expect(r).toMatchObject({ version: 4, unchanged: false, size: csv4.length });
      expect(dec(await v.read('data/scores.csv', 4))).toBe(csv4);
      const again = await v.save('data/scores.csv', enc(csv4));
      expect(again).toMatchObject({ version: 4, unchanged: true, commit: r.commit });
      const fresh = await v.save('new/notes.txt', enc('hello\n'));
      expect(fresh).toMatchObject({ version: 1, unchanged: false });
      // a reopened vault (same fs) sees them
      const reopened = await openVault({ fs: lfs, dir: '/vault', http });
      expect(reopened.branch).toBe('main');
      await expectCode(openVault({ fs: freshFs(), dir: '/empty', http }), 'E_NOT_A_VAULT');
      expect((await reopened.versions('data/scores.csv')).map((x) => x.version)).toEqual([1, 2, 3, 4]);
      await expectCode(v.save('../escape.csv', enc('x')), 'E_PATH_OUTSIDE_VAULT');
      await expectCode(v.save('.git/config', enc('x')), 'E_INVALID_ARGUMENT');
      await expectCode(v.save('a.csv', enc('x'), { experiment: 'bad\nid' }), 'E_INVALID_ARGUMENT');
    });

    it('tags a version (sp/<path>/v<n> or a name); a taken or bad name is refused', async () => {
      expect((await v.tag('data/scores.csv', 4)).name).toBe('sp/data/scores.csv/v4');
      expect((await v.tag('new/notes.txt', 1, { name: 'web-release', message: 'first web save' })).name).toBe('web-release');
      await expectCode(v.tag('data/scores.csv', 4), 'E_TAG_EXISTS');
      await expectCode(v.tag('data/scores.csv', 4, { name: 'bad name' }), 'E_BAD_TAG_NAME');
      expect((await v.versions('data/scores.csv'))[3]!.tags).toEqual(['sp/data/scores.csv/v4']);
    });

    it('pushes branch, notes and tags; native git accepts them and Node core reads the same records', async () => {
      // meanwhile the CLI verified the vault and pushed only its notes: the browser must merge, not overwrite
      await verify(tv.vault);
      tv.git(['push', '-q', url.replace('http://', 'http://tester:s3cret-pass@'), 'refs/notes/savepoint:refs/notes/savepoint']);
      const serverNotesBefore = gitCli(bare, ['rev-parse', 'refs/notes/savepoint']).trim();

      const r = await v.push();
      expect(r.notes).toBe('merged');
      expect(r.pushed).toEqual(['refs/heads/main', 'refs/notes/savepoint', 'refs/tags/sp/data/scores.csv/v4', 'refs/tags/web-release']);
      expect(r.tagConflicts).toEqual([]);
      expect(gitCli(bare, ['merge-base', '--is-ancestor', serverNotesBefore, 'refs/notes/savepoint'])).toBe('');

      gitCli(bare, ['fsck', '--strict', '--no-progress']);
      const tip = gitCli(bare, ['rev-parse', 'refs/heads/main^{commit}']).trim();
      const webSaves = gitCli(bare, ['log', '--format=%H', '-2', tip]).trim().split('\n');
      const body = gitCli(bare, ['log', '-1', '--format=%B', webSaves[1]!]);
      expect(body).toContain('Savepoint-Version: data/scores.csv=4');
      expect(body).toMatch(/Savepoint-Sha256: data\/scores.csv=[0-9a-f]{64}/);
      expect(body).toContain('Savepoint-Experiment: web-1');
      expect(gitCli(bare, ['log', '-1', '--format=%an <%ae> %aI', webSaves[1]!]).trim()).toBe('Web User <web@example.test> 2026-06-01T12:00:00+00:00');
      const note = JSON.parse(gitCli(bare, ['notes', '--ref', 'savepoint', 'show', webSaves[1]!])) as Record<string, unknown>;
      expect(Object.keys(note)).toEqual(['schema', 'files', 'status', 'kind']);
      expect(note).toMatchObject({ schema: 1, status: 'active', kind: 'manual', files: { 'data/scores.csv': { version: 4, size: csv4.length, source: 'browser', experiment: 'web-1', description: 'fixed ada' } } });
      // the CLI's verified marks survived the merge
      const firstSave = (await v.versions('data/scores.csv'))[0]!.commit;
      expect(JSON.parse(gitCli(bare, ['notes', '--ref', 'savepoint', 'show', firstSave])).status).toBe('verified');
      expect(gitCli(bare, ['cat-file', '-t', 'refs/tags/web-release']).trim()).toBe('tag');
      expect(gitCli(bare, ['cat-file', '-p', 'refs/tags/web-release'])).toContain('first web save\n\nSavepoint-Version: new/notes.txt=1\n');

      // Node core on a native clone reads exactly the records the browser shows
      const dir = await nativeClone(bare);
      try {
        gitCli(dir, ['fetch', '-q', 'origin', '+refs/tags/*:refs/tags/*']);
        const nodeVault = await openNodeVault({ dir, author: TEST_AUTHOR });
        expect((await loadHistory(nodeVault)).versions).toEqual(await v.history());
        const nodeReport = await verify(nodeVault, { markNotes: false });
        expect(nodeReport.ok).toBe(true);
      } finally {
        await fsp.rm(path.dirname(dir), { recursive: true, force: true });
      }
      // nothing more to push
      expect((await v.push()).pushed).toEqual([]);
    });

    it('refuses to push over saves it does not have (E_PUSH_REJECTED), overwriting nothing', async () => {
      const other = await cloneVault({ fs: freshFs(), dir: '/vault', http, url, headers: AUTH, author: TEST_AUTHOR });
      await other.save('data/scores.csv', enc('id\n1\n'));
      await v.save('data/scores.csv', enc('id\n2\n'));
      await other.push();
      const serverTip = gitCli(bare, ['rev-parse', 'refs/heads/main']).trim();
      await expectCode(v.push(), 'E_PUSH_REJECTED');
      expect(gitCli(bare, ['rev-parse', 'refs/heads/main']).trim()).toBe(serverTip);
      gitCli(bare, ['fsck', '--strict', '--no-progress']);
    });
  });
});
