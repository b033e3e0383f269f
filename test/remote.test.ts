/**
 * Remotes end-to-end through core's API against a real smart-HTTP server (git http-backend), cross-checked
 * with native git: push/clone/fetch/pull, notes merging between two vaults, auth and network failures,
 * the push queue, 3-2-1 copies — and that the password never shows up anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import {
  addRemote,
  autoPush,
  cloneVault,
  copiesStatus,
  fetchRemote,
  isSavepointError,
  listRemotes,
  log,
  pullRemote,
  pushQueue,
  pushRemote,
  pushRemotes,
  removeRemote,
  restore,
  save,
  tagVersion,
  verify,
} from '@savepoint/core';
import type { RemoteCredentials, Vault } from '@savepoint/core';
import { TEST_AUTHOR, fixedClock, gitCli, makeTempDir, makeTempVault } from '../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../packages/core/src/testing/temp-vault.js';
import { makeVaultWithSaves } from './helpers/vaults.js';
import { startGitHttpServer } from './helpers/git-http-server.js';
import type { GitHttpServer } from './helpers/git-http-server.js';

const USER = 'tester';
const PASSWORD = 'pw-Zq81-unique-secret';
const creds: RemoteCredentials = { username: USER, password: PASSWORD };
const auth = { onAuth: () => creds };

let server: GitHttpServer;
let scratch: string;
const vaults: TempVault[] = [];

beforeAll(async () => {
  server = await startGitHttpServer({ users: { [USER]: PASSWORD } });
  scratch = await makeTempDir('sp-remote-');
});
afterAll(async () => {
  await server.stop({ removeRoot: true });
  for (const v of vaults) await v.cleanup();
  await fsp.rm(scratch, { recursive: true, force: true });
});

async function vaultWithSaves(n: number): Promise<TempVault> {
  const t = await makeVaultWithSaves(n);
  vaults.push(t);
  return t;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(isSavepointError(e) ? e.code : (e as Error).message).toBe(code);
    return e as Error;
  }
  throw new Error(`expected ${code}, got success`);
}

const nativeEnv = { GIT_TERMINAL_PROMPT: '0' };
const withCreds = (url: string) => url.replace('http://', `http://${USER}:${PASSWORD}@`);

describe('push and clone', () => {
  let a: TempVault;
  let clonedDir: string;

  it('pushes branch, tags and notes; native git clone sees all three', async () => {
    a = await vaultWithSaves(3);
    await tagVersion(a.vault, { address: 'data.csv@2', name: 'good-run' });
    await server.createBareRepo('alpha');
    await addRemote(a.vault, { name: 'origin', url: server.url('alpha'), media: 'cloud' });
    const r = await pushRemote(a.vault, { ...auth, remote: 'origin' });
    expect(r.status).toBe('pushed');
    expect(r.tags.pushed).toEqual(['good-run']);

    const nat = path.join(scratch, 'native');
    gitCli(scratch, ['clone', '-q', withCreds(server.url('alpha')), nat]);
    gitCli(nat, ['fetch', '-q', 'origin', 'refs/notes/savepoint:refs/notes/savepoint']);
    expect(gitCli(nat, ['log', '--format=%s', 'main']).trim().split('\n')).toEqual(['run 3', 'run 2', 'run 1', 'Initialize Savepoint vault']);
    expect(gitCli(nat, ['tag']).trim()).toBe('good-run');
    const tip = gitCli(nat, ['rev-parse', 'main']).trim();
    const note = JSON.parse(gitCli(nat, ['notes', '--ref=savepoint', 'show', tip]));
    expect(note.files['data.csv'].version).toBe(3);
    gitCli(nat, ['fsck', '--strict', '--no-dangling']);
    // .git/config mirrors the remote for native git, without credentials
    const cfg = await fsp.readFile(path.join(a.vault.gitdir, 'config'), 'utf8');
    expect(cfg).toContain(`url = ${server.url('alpha')}`);
    expect(cfg).toContain('fetch = +refs/notes/savepoint:refs/notes/savepoint-remotes/origin');
    expect(cfg).not.toContain(PASSWORD);
    expect(await fsp.readFile(path.join(a.dir, 'savepoint.json'), 'utf8')).not.toContain(PASSWORD);
  });

  it('a second push is up to date; a later save pushes only what is new', async () => {
    expect((await pushRemote(a.vault, { ...auth, remote: 'origin' })).status).toBe('up-to-date');
    await a.write('data.csv', 'id,x\n9,9\n');
    await save(a.vault, { files: ['data.csv'], message: 'run 4' });
    const r = await pushRemote(a.vault, { ...auth, remote: 'origin' });
    expect(r.status).toBe('pushed');
    // commit + root tree + blob + notes commit + notes root tree + notes fanout dir + note blob; sub/ tree unchanged
    expect(r.objects).toBeLessThanOrEqual(7);
    gitCli(path.join(server.root, 'alpha.git'), ['fsck', '--strict', '--no-dangling']);
  });

  it('a vault cloned from the remote restores and verifies every version', async () => {
    clonedDir = path.join(scratch, 'clone1');
    const c = await cloneVault({ ...auth, url: server.url('alpha'), dir: clonedDir, clock: fixedClock(Date.parse('2026-06-01T00:00:00Z')), author: TEST_AUTHOR });
    expect(c.branch).toBe('main');
    const versions = await log(c.vault);
    expect(versions.map((v) => `${v.path}@${v.version}`).sort()).toEqual((await log(a.vault)).map((v) => `${v.path}@${v.version}`).sort());
    const v = await verify(c.vault);
    expect(v.ok).toBe(true);
    expect(v.verified).toBe(versions.length);
    for (const rec of versions) {
      const r = await restore(c.vault, { address: `${rec.path}@${rec.version}`, to: `restored/${rec.path}.v${rec.version}` });
      expect(r.sha256).toBe(rec.sha256);
    }
    expect(await fsp.readFile(path.join(clonedDir, 'data.csv'), 'utf8')).toBe('id,x\n9,9\n');
    expect(gitCli(clonedDir, ['status', '--porcelain', '--untracked-files=no']).split('\n').filter((l) => l && !l.endsWith('savepoint.json'))).toEqual([]);
    expect(listRemotes(c.vault).map((r) => r.name)).toEqual(['origin']);
    expect(gitCli(clonedDir, ['tag']).trim()).toBe('good-run');
    gitCli(clonedDir, ['fsck', '--strict', '--no-dangling']);
    expect(gitCli(clonedDir, ['notes', '--ref=savepoint', 'list']).trim().split('\n')).toHaveLength(4); // one note per save
  });

  it('pull fast-forwards the clone; pull into a diverged vault is refused and explained', async () => {
    await a.write('data.csv', 'id,x\n10,10\n');
    await save(a.vault, { files: ['data.csv'], message: 'run 5' });
    await pushRemote(a.vault, { ...auth, remote: 'origin' });
    const c = await (await import('@savepoint/core')).openVault({ dir: clonedDir, clock: fixedClock(Date.parse('2026-06-02T00:00:00Z')), author: TEST_AUTHOR });
    const p = await pullRemote(c, { ...auth, remote: 'origin' });
    expect(p.status).toBe('fast-forward');
    expect(p.updatedFiles).toEqual(['data.csv']);
    expect(await fsp.readFile(path.join(clonedDir, 'data.csv'), 'utf8')).toBe('id,x\n10,10\n');
    expect(gitCli(clonedDir, ['status', '--porcelain', 'data.csv'])).toBe('');
    // both sides save: diverged
    await fsp.writeFile(path.join(clonedDir, 'data.csv'), 'id,x\nclone\n');
    await save(c, { files: ['data.csv'], message: 'clone side' });
    await a.write('data.csv', 'id,x\norigin\n');
    await save(a.vault, { files: ['data.csv'], message: 'origin side' });
    await pushRemote(a.vault, { ...auth, remote: 'origin' });
    const e = await expectCode(pullRemote(c, { ...auth, remote: 'origin' }), 'E_HISTORY_DIVERGED');
    expect(e.message).toMatch(/both have saves/);
    const pe = await expectCode(pushRemote(c, { ...auth, remote: 'origin' }), 'E_PUSH_REJECTED');
    expect(pe.message).toMatch(/diverged/);
  });
});

describe('notes from two vaults', () => {
  it('two vaults pushing notes to the same remote both keep their notes (merge, never overwrite)', async () => {
    const a = await vaultWithSaves(2);
    await server.createBareRepo('shared');
    await addRemote(a.vault, { name: 'origin', url: server.url('shared') });
    await pushRemote(a.vault, { ...auth, remote: 'origin' });
    const bDir = path.join(scratch, 'b-vault');
    const b = (await cloneVault({ ...auth, url: server.url('shared'), dir: bDir, clock: fixedClock(Date.parse('2026-07-01T00:00:00Z')), author: { name: 'Bob', email: 'bob@example.test' } })).vault;
    // B verifies (notes → verified) and pushes; A meanwhile saves (a new note) and pushes
    await verify(b);
    await pushRemote(b, { ...auth, remote: 'origin' });
    await a.write('data.csv', 'id,x\nfrom-a\n');
    await save(a.vault, { files: ['data.csv'], message: 'a saves' });
    const r = await pushRemote(a.vault, { ...auth, remote: 'origin' });
    expect(r.notes.merged).toBe('merged');

    const nat = path.join(scratch, 'native-shared');
    gitCli(scratch, ['clone', '-q', withCreds(server.url('shared')), nat]);
    gitCli(nat, ['fetch', '-q', 'origin', 'refs/notes/savepoint:refs/notes/savepoint']);
    const commits = gitCli(nat, ['log', '--format=%H', 'main']).trim().split('\n');
    const notes = commits.map((c) => {
      try {
        return JSON.parse(gitCli(nat, ['notes', '--ref=savepoint', 'show', c]));
      } catch {
        return null;
      }
    });
    // newest save (by A) has its note; the two older saves carry B's verification
    expect(notes[0].files['data.csv'].version).toBe(3);
    expect(notes[1].status).toBe('verified');
    expect(notes[1].verifiedBy).toBe('Bob');
    expect(notes[2].status).toBe('verified');
    // the notes history is a merge of both sides
    const parents = gitCli(nat, ['log', '-1', '--format=%P', 'refs/notes/savepoint']).trim().split(' ');
    expect(parents).toHaveLength(2);
    gitCli(nat, ['fsck', '--strict', '--no-dangling']);
    // B fetches and gets A's new note merged with its own verification
    const f = await fetchRemote(b, { ...auth, remote: 'origin' });
    expect(['fast-forward', 'merged']).toContain(f.notes.action);
  });
});

describe('vault inside a code repository', () => {
  it('pushes only the savepoint branch and its tags; clone picks that branch; native git fetch uses the refspecs', async () => {
    const t = await makeTempVault({ existingRepo: true });
    vaults.push(t);
    t.git(['tag', 'code-v1']);
    await t.write('results.csv', 'a,b\n1,2\n');
    await save(t.vault, { files: ['results.csv'], message: 'results', tag: 'res-1' });
    await server.createBareRepo('coderepo');
    await addRemote(t.vault, { name: 'origin', url: server.url('coderepo') });
    const r = await pushRemote(t.vault, { ...auth, remote: 'origin' });
    expect(r.branch.ref).toBe('refs/heads/savepoint');
    expect(r.tags.pushed).toEqual(['res-1']);
    const bare = path.join(server.root, 'coderepo.git');
    expect(gitCli(bare, ['for-each-ref', '--format=%(refname)']).trim().split('\n').sort()).toEqual(['refs/heads/savepoint', 'refs/notes/savepoint', 'refs/tags/res-1']);
    // the user's branch, index and files were not touched
    expect(t.git(['status', '--porcelain', '--untracked-files=no'])).toBe('');
    const c = await cloneVault({ ...auth, url: server.url('coderepo'), dir: path.join(scratch, 'code-clone'), author: TEST_AUTHOR });
    expect(c.branch).toBe('savepoint');
    expect(c.vault.config.historyBranch).toBe('savepoint');
    expect((await verify(c.vault)).verified).toBe(1);
    // native git in the original vault: `git fetch origin` brings the notes into the tracking ref too
    gitCli(t.dir, ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, 'fetch', '-q', 'origin']);
    expect(t.git(['rev-parse', 'refs/notes/savepoint-remotes/origin']).trim()).toBe(t.git(['rev-parse', 'refs/notes/savepoint']).trim());
  });
});

describe('failures', () => {
  let t: TempVault;
  beforeAll(async () => {
    t = await vaultWithSaves(1);
    await server.createBareRepo('gamma');
    await addRemote(t.vault, { name: 'origin', url: server.url('gamma') });
  });

  it('wrong password → E_AUTH_FAILED, and the password is in no message', async () => {
    const bad = 'WRONG-pw-77x';
    const e = await expectCode(pushRemote(t.vault, { onAuth: () => ({ username: USER, password: bad }), remote: 'origin' }), 'E_AUTH_FAILED');
    expect(JSON.stringify({ m: e.message, j: (e as { toJSON?: () => unknown }).toJSON?.() })).not.toContain(bad);
    await expectCode(fetchRemote(t.vault, { remote: 'origin' }), 'E_AUTH_FAILED');
    // onAuthFailure may offer other credentials once
    const r = await pushRemote(t.vault, { onAuth: () => ({ username: USER, password: bad }), onAuthFailure: () => creds, remote: 'origin' });
    expect(r.status).toBe('pushed');
  });

  it('server down → E_REMOTE_UNREACHABLE', async () => {
    const down = await startGitHttpServer({ users: { [USER]: PASSWORD } });
    const url = down.url('nothing');
    await down.stop({ removeRoot: true });
    await addRemote(t.vault, { name: 'down', url, media: 'nas', offsite: false });
    const e = await expectCode(pushRemote(t.vault, { ...auth, remote: 'down' }), 'E_REMOTE_UNREACHABLE');
    expect(e.message).toContain('ECONNREFUSED');
    await expectCode(pushRemote(t.vault, { ...auth, remote: 'nope' }), 'E_REMOTE_NOT_FOUND');
    await expectCode(addRemote(t.vault, { name: 'origin', url: server.url('x') }), 'E_REMOTE_EXISTS');
    await expectCode(addRemote(t.vault, { name: 'leak', url: `http://u:${PASSWORD}@127.0.0.1/x.git` }), 'E_INVALID_ARGUMENT');
    expect(await fsp.readFile(path.join(t.dir, 'savepoint.json'), 'utf8')).not.toContain(PASSWORD);
    await removeRemote(t.vault, 'down');
    expect(listRemotes(t.vault).map((r) => r.name)).toEqual(['origin']);
    expect(gitCli(t.dir, ['config', '--get-regexp', '^remote\\.'])).not.toContain('down');
  });

  it('a 404 repository is reported as unreachable with the cause', async () => {
    await addRemote(t.vault, { name: 'missing', url: server.url('does-not-exist') });
    const e = await expectCode(fetchRemote(t.vault, { ...auth, remote: 'missing' }), 'E_REMOTE_UNREACHABLE');
    expect(e.message).toMatch(/404/);
    await removeRemote(t.vault, 'missing');
  });
});

describe('auto-push queue and copies', () => {
  it('a failed auto-push is queued with backoff and drained by a later push; copies count remotes', async () => {
    const t = await vaultWithSaves(1);
    const repo = await server.createBareRepo('delta');
    await addRemote(t.vault, { name: 'backup', url: server.url('delta'), media: 'nas', offsite: false, autoPush: true });
    await addRemote(t.vault, { name: 'cloud', url: server.url('delta-cloud'), media: 'cloud' });
    // only "backup" auto-pushes; wrong credentials make that push fail, which must queue, not throw
    const first = await autoPush(t.vault, { onAuth: () => ({ username: USER, password: 'nope-wrong' }) });
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ remote: 'backup', ok: false, queued: true });
    expect(first[0]!.error!.code).toBe('E_AUTH_FAILED');
    const q = await pushQueue(t.vault);
    expect(q).toHaveLength(1);
    expect(q[0]!.attempts).toBe(1);
    expect(Date.parse(q[0]!.nextAttempt)).toBeGreaterThan(Date.parse(q[0]!.lastAttempt));
    expect(JSON.stringify(q)).not.toContain('nope-wrong');
    // the next save retries only after the backoff: one second after the failure (30 s backoff) it is skipped
    await t.write('data.csv', 'id,x\n2,2\n');
    await save(t.vault, { files: ['data.csv'] });
    const soon: typeof t.vault = { ...t.vault, clock: () => new Date(Date.parse(q[0]!.lastAttempt) + 1_000) };
    const second = await autoPush(soon, auth);
    expect(second).toEqual([expect.objectContaining({ remote: 'backup', ok: false, skipped: 'backoff', queued: true })]);
    expect(await pushQueue(t.vault)).toEqual(q);
    // an explicit push at that same moment ignores the backoff and drains the queue
    const drained = await pushRemotes(soon, { ...auth, remotes: ['backup'] });
    expect(drained[0]!.ok).toBe(true);
    expect(await pushQueue(t.vault)).toEqual([]);
    expect(gitCli(repo, ['rev-parse', 'main']).trim()).toBe(gitCli(t.dir, ['rev-parse', 'main']).trim());

    // copies: local + backup (nas, on-site); the cloud remote was never pushed
    let copies = await copiesStatus(t.vault);
    expect(copies.versions.every((v) => v.copies === 2 && v.media === 2 && !v.offsite && !v.ok321)).toBe(true);
    await server.createBareRepo('delta-cloud');
    await pushRemote(t.vault, { ...auth, remote: 'cloud' });
    copies = await copiesStatus(t.vault);
    expect(copies.summary.ok321).toBe(copies.summary.versions);
    expect(copies.versions[0]!.locations.map((l) => l.name)).toEqual(['this vault', 'backup', 'cloud']);
    // a save not pushed yet has one copy, and --refresh asks the servers without changing that
    await t.write('data.csv', 'id,x\n3,3\n');
    await save(t.vault, { files: ['data.csv'] });
    copies = await copiesStatus(t.vault, { ...auth, refresh: true });
    expect(copies.summary.singleCopy).toBe(1);
    expect(copies.remotes.every((r) => !r.refreshError)).toBe(true);
  });

  it('never sends or prints the password beyond the Authorization header', async () => {
    const reqs = await server.requests();
    expect(reqs.some((r) => r.status === 401)).toBe(true);
    expect(JSON.stringify(reqs)).not.toContain(PASSWORD);
    for (const v of vaults) {
      const files = [path.join(v.dir, 'savepoint.json'), path.join(v.vault.gitdir, 'config')];
      for (const f of files) expect(await fsp.readFile(f, 'utf8')).not.toContain(PASSWORD);
    }
  });
});

export type { Vault };
