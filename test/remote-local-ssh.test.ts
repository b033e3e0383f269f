/**
 * Local-path and SSH remotes (issue 12 items 1, 2, 6) through core's API: a bare repository on a "mounted
 * disk" created on first push and read by native git; clone/fetch/pull from it without any server; notes
 * merged, never overwritten; an unmounted disk refused with nothing changed; the same over a real sshd
 * (both URL forms), a refused key → E_AUTH_FAILED; media defaults per URL kind in the 3-2-1 count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { addRemote, cloneVault, copiesStatus, fetchRemote, isSavepointError, log, pullRemote, pushRemote, pushRemotes, restore, save, tagVersion, verify } from '@savepoint/core';
import { TEST_AUTHOR, fixedClock, gitCli, makeTempDir } from '../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../packages/core/src/testing/temp-vault.js';
import { makeVaultWithSaves } from './helpers/vaults.js';
import { sp } from './helpers/cli.js';
import { startSshServer } from './helpers/sshd.js';
import type { SshServer } from './helpers/sshd.js';

let scratch: string;
const vaults: TempVault[] = [];
beforeAll(async () => {
  scratch = await makeTempDir('sp-remote-local-');
});
afterAll(async () => {
  for (const v of vaults) await v.cleanup();
  await fsp.rm(scratch, { recursive: true, force: true });
});

async function vaultWithSaves(n: number): Promise<TempVault> {
  const t = await makeVaultWithSaves(n);
  vaults.push(t);
  return t;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isSavepointError(e) ? e.code : `not a SavepointError: ${(e as Error).message}`;
  }
  return 'success';
}

async function refsOf(gitdir: string): Promise<string> {
  return gitCli(gitdir, ['for-each-ref', '--format=%(refname) %(objectname)']);
}

describe('local-path remotes', () => {
  let a: TempVault;
  let usb: string;

  it('first push creates a bare repository native git clones: history branch, tags and notes', async () => {
    a = await vaultWithSaves(3);
    await tagVersion(a.vault, { address: 'data.csv@2', name: 'good-run' });
    await fsp.mkdir(path.join(scratch, 'media', 'usb'), { recursive: true });
    usb = path.join(scratch, 'media', 'usb', 'lab.git');
    const r = await addRemote(a.vault, { name: 'usb', url: usb });
    expect(r.media).toBe('disk'); // not under /media itself: a folder on a disk
    expect((await pushRemote(a.vault, { remote: 'usb' })).status).toBe('pushed');
    expect(gitCli(usb, ['rev-parse', '--is-bare-repository']).trim()).toBe('true');
    gitCli(usb, ['fsck', '--strict', '--no-dangling']);
    const nat = path.join(scratch, 'native');
    gitCli(scratch, ['clone', '-q', usb, nat]);
    expect(gitCli(nat, ['log', '--format=%s']).trim().split('\n')).toEqual(['run 3', 'run 2', 'run 1', 'Initialize Savepoint vault']);
    expect(gitCli(nat, ['tag']).trim()).toBe('good-run');
    gitCli(nat, ['fetch', '-q', 'origin', 'refs/notes/savepoint:refs/notes/savepoint']);
    const note = JSON.parse(gitCli(nat, ['notes', '--ref=savepoint', 'show', 'HEAD']));
    expect(note.files['data.csv'].version).toBe(3);
    expect((await pushRemote(a.vault, { remote: 'usb' })).status).toBe('up-to-date');
  });

  it('clone, fetch and pull work from the folder; notes from two vaults are merged, never overwritten', async () => {
    const dir = path.join(scratch, 'clone1');
    const c = await cloneVault({ url: `file://${usb}`, dir, clock: fixedClock(Date.parse('2026-06-01T00:00:00Z')), author: TEST_AUTHOR });
    expect((await verify(c.vault)).ok).toBe(true);
    const versions = await log(c.vault);
    expect(versions).toHaveLength(6);
    for (const v of versions) expect((await restore(c.vault, { address: `${v.path}@${v.version}`, to: `out/${v.path}.${v.version}` })).sha256).toBe(v.sha256);
    // the clone verifies (its notes become "verified") and pushes; vault a saves meanwhile and pushes after a pull
    await pushRemote(c.vault, { remote: 'origin' });
    await a.write('data.csv', 'id,x\n9,9\n');
    await save(a.vault, { files: ['data.csv'], message: 'run 4' });
    expect(await codeOf(pushRemote(a.vault, { remote: 'usb' }))).toBe('success');
    gitCli(usb, ['fsck', '--strict', '--no-dangling']);
    const notesTip = gitCli(usb, ['rev-parse', 'refs/notes/savepoint']).trim();
    expect(gitCli(usb, ['log', '--format=%P', '-1', notesTip]).trim().split(' ')).toHaveLength(2); // a merge: both sides kept
    const first = (await log(a.vault)).find((v) => v.path === 'data.csv' && v.version === 1)!;
    const merged = JSON.parse(gitCli(usb, ['notes', '--ref=savepoint', 'show', first.commit]));
    expect(merged.status).toBe('verified');
    const p = await pullRemote(c.vault, { remote: 'origin' });
    expect(p.status).toBe('fast-forward');
    expect(await fsp.readFile(path.join(dir, 'data.csv'), 'utf8')).toBe('id,x\n9,9\n');
    expect((await fetchRemote(c.vault, { remote: 'origin' })).branch).toBe(p.to);
  });

  it('an unmounted disk (parent folder missing) is E_REMOTE_NOT_MOUNTED and changes nothing', async () => {
    const t = await vaultWithSaves(1);
    await addRemote(t.vault, { name: 'stick', url: path.join(scratch, 'not-mounted', 'lab.git') });
    const before = await refsOf(t.vault.gitdir);
    expect(await codeOf(pushRemote(t.vault, { remote: 'stick' }))).toBe('E_REMOTE_NOT_MOUNTED');
    expect(await codeOf(fetchRemote(t.vault, { remote: 'stick' }))).toBe('E_REMOTE_NOT_MOUNTED');
    expect(await refsOf(t.vault.gitdir)).toBe(before);
    await expect(fsp.stat(path.join(scratch, 'not-mounted'))).rejects.toThrow();
    // a folder that holds something else is not taken over
    const other = path.join(scratch, 'media', 'photos');
    await fsp.mkdir(other, { recursive: true });
    await fsp.writeFile(path.join(other, 'cat.jpg'), 'x');
    await addRemote(t.vault, { name: 'photos', url: other });
    expect(await codeOf(pushRemote(t.vault, { remote: 'photos' }))).toBe('E_REMOTE_UNREACHABLE');
    expect(await fsp.readdir(other)).toEqual(['cat.jpg']);
  });
});

describe('the CLI with folder remotes', () => {
  it('remote add (relative path stored absolute, media by URL kind), push --all, status --copies, clone; unmounted → exit 16', async () => {
    const dir = path.join(scratch, 'cli-vault');
    await fsp.mkdir(dir);
    expect(sp(dir, ['init']).code).toBe(0);
    await fsp.writeFile(path.join(dir, 'data.csv'), 'id,x\n1,2\n');
    expect(sp(dir, ['save', 'data.csv', '-m', 'one']).code).toBe(0);
    await fsp.mkdir(path.join(scratch, 'disk-a'));
    await fsp.mkdir(path.join(scratch, 'disk-b'));
    const add = sp(dir, ['remote', 'add', 'a', '../disk-a/lab.git', '--json']);
    expect(add.json.remote).toMatchObject({ url: path.join(scratch, 'disk-a', 'lab.git'), media: 'disk', offsite: false });
    expect(sp(dir, ['remote', 'add', 'b', `file://${path.join(scratch, 'disk-b', 'lab.git')}`, '--media', 'usb', '--offsite']).code).toBe(0);
    const push = sp(dir, ['push', '--all', '--json']);
    expect(push.code).toBe(0);
    expect(push.json.results.map((r: { remote: string; ok: boolean }) => [r.remote, r.ok])).toEqual([['a', true], ['b', true]]);
    // both copies hold the history branch, as native git reads them
    const branch = (JSON.parse(await fsp.readFile(path.join(dir, 'savepoint.json'), 'utf8')).historyBranch as string | undefined) ?? 'main';
    const tip = gitCli(dir, ['rev-parse', `refs/heads/${branch}`]).trim();
    for (const disk of ['disk-a', 'disk-b']) expect(gitCli(scratch, ['--git-dir', path.join(scratch, disk, 'lab.git'), 'rev-parse', `refs/heads/${branch}`]).trim()).toBe(tip);
    // --all means every remote: with a remote name it is a usage error, and nothing is pushed
    const both = sp(dir, ['push', 'a', '--all', '--json']);
    expect(both.code).toBe(2);
    expect(both.json.error.code).toBe('E_INVALID_ARGUMENT');
    const copies = sp(dir, ['status', '--copies', '--json']);
    expect(copies.code).toBe(0);
    const v = copies.json.copies.versions.find((x: { path: string }) => x.path === 'data.csv');
    expect(v).toMatchObject({ copies: 3, media: 3, offsite: true, ok321: true });
    expect(sp(dir, ['status', '--copies']).stdout).toContain('3-2-1');
    const clone = sp(scratch, ['clone', path.join(scratch, 'disk-b', 'lab.git'), 'cli-clone', '--json']);
    expect(clone.code).toBe(0);
    expect(await fsp.readFile(path.join(scratch, 'cli-clone', 'data.csv'), 'utf8')).toBe('id,x\n1,2\n');
    expect(sp(dir, ['remote', 'add', 'gone', path.join(scratch, 'unplugged', 'lab.git')]).code).toBe(0);
    const bad = sp(dir, ['push', 'gone', '--json']);
    expect(bad.code).toBe(16);
    expect(bad.json.error.code).toBe('E_REMOTE_NOT_MOUNTED');
  });
});

describe('ssh remotes (a real sshd on 127.0.0.1)', () => {
  let server: SshServer | null = null;
  let skip = '';
  beforeAll(async () => {
    const s = await startSshServer();
    if ('skip' in s) skip = s.skip;
    else server = s;
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('push, clone, fetch over ssh:// and user@host:path; native git reads the result', async (ctx) => {
    if (!server) {
      console.warn(`skipping ssh tests: ${skip}`);
      ctx.skip();
      return;
    }
    const repo = path.join(server.dir, 'srv', 'lab.git');
    await fsp.mkdir(path.dirname(repo), { recursive: true });
    gitCli(path.dirname(repo), ['init', '-q', '--bare', repo]);
    const a = await vaultWithSaves(2);
    await tagVersion(a.vault, { address: 'data.csv@1', name: 'first' });
    const ssh = { ssh: { command: server.sshCommand } };
    const r = await addRemote(a.vault, { name: 'box', url: `ssh://${server.user}@127.0.0.1:${server.port}${repo}` });
    expect(r.media).toBe('ssh');
    expect(r.offsite).toBe(true);
    expect((await pushRemote(a.vault, { ...ssh, remote: 'box' })).status).toBe('pushed');
    gitCli(repo, ['fsck', '--strict', '--no-dangling']);
    expect(gitCli(repo, ['log', '--format=%s', 'main']).trim().split('\n')).toEqual(['run 2', 'run 1', 'Initialize Savepoint vault']);
    expect(gitCli(repo, ['tag']).trim()).toBe('first');
    expect(JSON.parse(gitCli(repo, ['notes', '--ref=savepoint', 'show', 'main'])).files['data.csv'].version).toBe(2);
    // scp-like form (port from the ssh command), clone and fetch
    const scp = { ssh: { command: `${server.sshCommand} -o Port=${server.port}` } };
    const dir = path.join(scratch, 'ssh-clone');
    const c = await cloneVault({ ...scp, url: `${server.user}@127.0.0.1:${repo}`, dir, clock: fixedClock(), author: TEST_AUTHOR });
    expect((await verify(c.vault)).ok).toBe(true);
    expect(await log(c.vault)).toHaveLength(4);
    await a.write('data.csv', 'id,x\n5,5\n');
    await save(a.vault, { files: ['data.csv'], message: 'run 3' });
    expect((await pushRemotes(a.vault, { ...ssh })).every((o) => o.ok)).toBe(true);
    expect((await pullRemote(c.vault, { ...scp, remote: 'origin' })).status).toBe('fast-forward');
    expect(await fsp.readFile(path.join(dir, 'data.csv'), 'utf8')).toBe('id,x\n5,5\n');
    // 3-2-1: this vault + the ssh box (off-site) + a usb folder = 3 copies, 3 media, off-site
    await fsp.mkdir(path.join(scratch, 'usb2'), { recursive: true });
    await addRemote(a.vault, { name: 'usb', url: path.join(scratch, 'usb2', 'lab.git'), media: 'usb' });
    const outcomes = await pushRemotes(a.vault, { ...ssh });
    expect(outcomes.map((o) => [o.remote, o.ok])).toEqual([['box', true], ['usb', true]]);
    const copies = await copiesStatus(a.vault, { ...ssh, refresh: true });
    const latest = copies.versions.find((v) => v.path === 'data.csv' && v.version === 3)!;
    expect(latest).toMatchObject({ copies: 3, media: 3, offsite: true, ok321: true });
  });

  it('a host that refuses the key → E_AUTH_FAILED, nothing changed locally', async (ctx) => {
    if (!server) {
      ctx.skip();
      return;
    }
    const repo = path.join(server.dir, 'srv', 'lab.git');
    const t = await vaultWithSaves(1);
    await addRemote(t.vault, { name: 'box', url: `ssh://${server.user}@127.0.0.1:${server.port}${repo}` });
    const before = await refsOf(t.vault.gitdir);
    const bad = { ssh: { command: server.refusedSshCommand } };
    expect(await codeOf(pushRemote(t.vault, { ...bad, remote: 'box' }))).toBe('E_AUTH_FAILED');
    expect(await codeOf(fetchRemote(t.vault, { ...bad, remote: 'box' }))).toBe('E_AUTH_FAILED');
    expect(await refsOf(t.vault.gitdir)).toBe(before);
    // a missing repository on the host is a clear E_REMOTE_UNREACHABLE
    await addRemote(t.vault, { name: 'nope', url: `ssh://${server.user}@127.0.0.1:${server.port}${server.dir}/none.git` });
    expect(await codeOf(fetchRemote(t.vault, { ssh: { command: server.sshCommand }, remote: 'nope' }))).toBe('E_REMOTE_UNREACHABLE');
  });
});
