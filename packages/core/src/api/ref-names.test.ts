/** Issue 19, item 1: ref names from savepoint.json, options and remotes are checked before any ref is written. */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault, TEST_AUTHOR } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { parseConfig } from '../model/config.js';
import { updateRef, deleteRef } from '../history/git.js';
import { openVault } from '../vault.js';
import { save } from './save.js';
import { tagVersion } from './tag.js';
import { log } from './query.js';
import { addRemote } from '../remote/config.js';
import { cloneVault } from '../remote/clone.js';
import { makeTempDir } from '../testing/temp-vault.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

async function setConfig(dir: string, patch: Record<string, unknown>, prefix = ''): Promise<void> {
  const file = path.join(dir, 'savepoint.json');
  const raw = JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>;
  await fsp.writeFile(file, prefix + JSON.stringify({ ...raw, ...patch }, null, 2));
}

describe('historyBranch and remote names in savepoint.json', () => {
  it('refuses branch names git would refuse, naming the key', async () => {
    for (const bad of ['../../../../victim.txt', 'main;rm -rf /', 'a..b', 'x.lock', '-x', 'HEAD', 'a\nb']) {
      const e = await parseConfig(JSON.stringify({ historyBranch: bad })).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e, bad).toMatchObject({ code: 'E_CONFIG_INVALID' });
      expect((e as Error).message).toMatch(/"historyBranch": .*not a valid git branch name/);
    }
    expect((await parseConfig('{"historyBranch": "lab/results"}')).historyBranch).toBe('lab/results');
  });

  it('refuses remote names git would refuse, naming the key', async () => {
    await expect(parseConfig(JSON.stringify({ remotes: { '../x': { url: 'https://example.org/r.git' } } }))).rejects.toThrowError(/"remotes\.\.\.\/x": .*not a valid remote name/);
    expect(Object.keys((await parseConfig(JSON.stringify({ remotes: { nas: { url: 'https://example.org/r.git' } } }))).remotes)).toEqual(['nas']);
  });

  it('accepts a UTF-8 BOM at the start of savepoint.json', async () => {
    expect((await parseConfig('\uFEFF{"maxVersions": 3}')).maxVersions).toBe(3);
    t = await makeTempVault();
    await setConfig(t.dir, { maxVersions: 4 }, '\uFEFF');
    expect((await t.reopen()).config.maxVersions).toBe(4);
    // commands that edit savepoint.json read it too
    await addRemote(t.vault, { name: 'nas', url: 'https://example.org/lab.git', media: 'nas' });
    expect(Object.keys((await t.reopen()).config.remotes)).toEqual(['nas']);
  });

  it('a hostile historyBranch never writes outside the vault', async () => {
    t = await makeTempVault();
    const victim = path.join(path.dirname(t.dir), 'victim.txt');
    await fsp.writeFile(victim, 'precious\n');
    await t.write('a.csv', 'x\n1\n');
    await setConfig(t.dir, { historyBranch: '../../../victim.txt' });
    await expect(openVault({ dir: t.dir, clock: t.clock, author: TEST_AUTHOR })).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
    expect(await fsp.readFile(victim, 'utf8')).toBe('precious\n');
  });
});

describe('names from options', () => {
  it('clone --branch and remote add refuse names git would refuse, before any network or disk work', async () => {
    const dir = path.join(await makeTempDir(), 'clone');
    await expect(cloneVault({ url: 'http://127.0.0.1:9/x.git', dir, branch: '../../../victim' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/--branch "\.\.\/\.\.\/\.\.\/victim" is not a valid git branch name/) });
    await expect(fsp.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    t = await makeTempVault();
    for (const name of ['../x', 'a b', 'x.lock', '.hidden']) {
      await expect(addRemote(t.vault, { name, url: 'https://example.org/r.git' }), name).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    }
  });
});

describe('the low-level ref writer (defence in depth)', () => {
  it('refuses refs outside .git/refs or with invalid names, whatever the caller checked', async () => {
    t = await makeTempVault();
    const oid = t.git(['rev-parse', 'main']).trim();
    const victim = path.join(path.dirname(t.dir), 'victim.txt');
    await fsp.writeFile(victim, 'precious\n');
    for (const ref of ['refs/heads/../../../../victim.txt', '../victim.txt', 'HEAD', 'config', 'refs/heads/main;rm -rf /', 'refs/heads/a\nb', 'refs/tags/x.lock']) {
      await expect(updateRef(t.vault, ref, oid, null), ref).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    }
    await expect(deleteRef(t.vault, 'refs/../../victim.txt')).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect(await fsp.readFile(victim, 'utf8')).toBe('precious\n');
    await updateRef(t.vault, 'refs/heads/ok-branch', oid, null);
    expect(t.git(['rev-parse', 'ok-branch']).trim()).toBe(oid);
    t.git(['fsck', '--strict']);
  });

  it('a vault whose config slipped past validation still cannot write a bad ref', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'x\n1\n');
    t.vault.branch = 'main;rm -rf /';
    await expect(save(t.vault, { files: ['a.csv'] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    t.git(['fsck', '--strict']);
    expect(t.git(['for-each-ref', '--format=%(refname)', 'refs/heads/'])).toBe('refs/heads/main\n');
  });
});

describe('a history branch that does not exist', () => {
  it('is an error naming the branch that holds the saves, not a new history at v1', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'x\n1\n');
    await save(t.vault, { files: ['a.csv'] });
    await t.write('a.csv', 'x\n2\n');
    await save(t.vault, { files: ['a.csv'] });
    await setConfig(t.dir, { historyBranch: 'mian' });
    const v = await t.reopen();
    await t.write('a.csv', 'x\n3\n');
    const e = await save(v, { files: ['a.csv'] }).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'E_HISTORY_BRANCH_MISSING', details: { branch: 'mian', branches: ['main'] } });
    expect((e as Error).message).toMatch(/Set "historyBranch" in savepoint.json to "main"/);
    await expect(log(v, {})).rejects.toMatchObject({ code: 'E_HISTORY_BRANCH_MISSING' });
    expect(t.git(['for-each-ref', '--format=%(refname)', 'refs/heads/'])).toBe('refs/heads/main\n');
    // fixing the key brings the history back
    await setConfig(t.dir, { historyBranch: 'main' });
    expect((await log(await t.reopen(), {})).map((x) => x.version)).toEqual([2, 1]);
  });

  it('is an error when only the checksum notes are left', async () => {
    t = await makeTempVault({ existingRepo: true });
    await t.write('a.csv', 'x\n1\n');
    await save(t.vault, { files: ['a.csv'] });
    const tip = t.git(['rev-parse', 'savepoint']).trim();
    t.git(['branch', '-D', 'savepoint']);
    await expect(save(await t.reopen(), { files: ['a.csv'] })).rejects.toMatchObject({ code: 'E_HISTORY_BRANCH_MISSING', details: { notes: true, branches: [] }, message: expect.stringMatching(/checksum notes of earlier saves exist.*git branch <name> <commit>/) });
    // a remote-tracking copy of the branch: point at pull
    t.git(['update-ref', 'refs/remotes/nas/savepoint', tip]);
    await expect(save(await t.reopen(), { files: ['a.csv'] })).rejects.toMatchObject({ code: 'E_HISTORY_BRANCH_MISSING', message: expect.stringMatching(/savepoint pull nas/) });
  });

  it('is fine for the first save of a vault in a code repository', async () => {
    t = await makeTempVault({ existingRepo: true });
    await t.write('a.csv', 'x\n1\n');
    expect((await save(t.vault, { files: ['a.csv'] })).files[0]).toMatchObject({ version: 1, status: 'saved' });
  });
});

describe('tag names', () => {
  it('refuses names that start with refs/, are HEAD, or name a branch', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'x\n1\n');
    await save(t.vault, { files: ['a.csv'] });
    for (const name of ['refs/heads/main', 'heads/main', 'HEAD', 'main', '-x', 'a b']) {
      await expect(tagVersion(t.vault, { address: 'a.csv@1', name }), name).rejects.toMatchObject({ code: 'E_BAD_TAG_NAME' });
    }
    await t.write('a.csv', 'x\n2\n');
    await expect(save(t.vault, { files: ['a.csv'], tag: 'refs/heads/main' })).rejects.toMatchObject({ code: 'E_BAD_TAG_NAME' });
    expect(t.git(['tag', '-l'])).toBe('');
    expect((await tagVersion(t.vault, { address: 'a.csv@1', name: 'baseline' })).name).toBe('baseline');
    t.git(['fsck', '--strict']);
  });
});
