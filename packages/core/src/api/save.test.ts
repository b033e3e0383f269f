import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log, resolveVersion } from './query.js';
import { tagVersion } from './tag.js';
import { status } from './status.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

describe('save', () => {
  it('makes one commit with trailers and a JSON note that native git reads', async () => {
    t = await makeTempVault();
    await t.write('data.csv', 'id,v\n1,a\n');
    const r1 = await save(t.vault, { files: ['data.csv'], message: 'first run', experiment: 'exp-1' });
    await t.write('data.csv', 'id,v\n1,b\n');
    const r2 = await save(t.vault, { files: ['data.csv'] });
    expect(r1.files[0]).toMatchObject({ status: 'saved', version: 1 });
    expect(r2.files[0]).toMatchObject({ status: 'saved', version: 2 });
    t.git(['fsck', '--strict']);
    const body = t.git(['log', '-1', '--format=%B', r1.commit!]);
    expect(body).toContain('first run');
    expect(body).toContain('Savepoint-Version: data.csv=1');
    expect(body).toMatch(/Savepoint-Sha256: data\.csv=[0-9a-f]{64}/);
    expect(body).toContain('Savepoint-Experiment: exp-1');
    const note = JSON.parse(t.git(['notes', '--ref=savepoint', 'show', r2.commit!]));
    expect(note).toMatchObject({ schema: 1, status: 'active', files: { 'data.csv': { version: 2, size: 9, savedAt: '2026-05-01T09:02:00.000Z' } } });
    expect(t.git(['rev-parse', 'main']).trim()).toBe(r2.commit);
    expect(t.git(['show', `${r1.commit}:data.csv`])).toBe('id,v\n1,a\n');
    // fresh vault: the history branch is checked out and its index follows the saves
    expect(t.git(['status', '--porcelain'])).toBe('');
  });

  it('reports unchanged content and saves it again only with force', async () => {
    t = await makeTempVault();
    await t.write('a.json', '{"x":1}');
    await save(t.vault, { files: ['a.json'] });
    const again = await save(t.vault, { files: ['a.json'] });
    expect(again).toMatchObject({ commit: null, files: [{ status: 'unchanged', version: 1 }] });
    const forced = await save(t.vault, { files: ['a.json'], force: true });
    expect(forced.files[0]).toMatchObject({ status: 'saved', version: 2 });
  });

  it('saves several files, nested and empty, as one commit; versions count per file', async () => {
    t = await makeTempVault({ config: { checksum: { md5: true } } });
    await t.write('a.csv', 'x\n1\n');
    await save(t.vault, { files: ['a.csv'] });
    await t.write('a.csv', 'x\n2\n');
    await t.write('deep/er/b.csv', '');
    await t.write('naïve data ✓.json', '[]');
    const r = await save(t.vault, { files: ['a.csv', 'deep/er/b.csv', 'naïve data ✓.json'] });
    expect(r.files.map((f) => [f.path, f.version])).toEqual([['a.csv', 2], ['deep/er/b.csv', 1], ['naïve data ✓.json', 1]]);
    expect(r.files[1]).toMatchObject({ size: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', md5: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(t.git(['rev-list', '--count', 'main']).trim()).toBe('3');
    expect(t.git(['ls-tree', '-r', '--name-only', 'main'])).toContain('deep/er/b.csv');
    t.git(['fsck', '--strict']);
    expect(t.git(['status', '--porcelain'])).toBe('');
  });

  it('inside a code repo writes only to the savepoint branch and never touches HEAD, index or other staged work', async () => {
    t = await makeTempVault({ existingRepo: true });
    await t.write('src.txt', 'code');
    t.git(['add', 'src.txt']);
    const headBefore = t.git(['rev-parse', 'HEAD']);
    const statusBefore = t.git(['status', '--porcelain']);
    const indexBefore = await fsp.readFile(path.join(t.dir, '.git', 'index'));
    await t.write('data.csv', 'a\n1\n');
    const r = await save(t.vault, { files: ['data.csv'] });
    expect(t.git(['rev-parse', 'HEAD'])).toBe(headBefore);
    expect(await fsp.readFile(path.join(t.dir, '.git', 'index'))).toEqual(indexBefore);
    expect(t.git(['status', '--porcelain']).split('\n').sort()).toEqual((statusBefore + '?? data.csv\n').split('\n').sort());
    expect(t.git(['ls-tree', '-r', '--name-only', 'savepoint']).trim()).toBe('data.csv');
    expect(t.git(['rev-parse', 'savepoint']).trim()).toBe(r.commit);
    t.git(['fsck', '--strict']);
  });

  it('tags with --tag and with tagVersion; git tag -n shows them', async () => {
    t = await makeTempVault();
    await t.write('a.csv', '1');
    await save(t.vault, { files: ['a.csv'], tag: 'baseline' });
    await t.write('a.csv', '2');
    await save(t.vault, { files: ['a.csv'] });
    const tag = await tagVersion(t.vault, { address: 'a.csv@2', message: 'paper figure 3' });
    expect(tag.name).toBe('sp/a.csv/v2');
    const tags = t.git(['tag', '-n']);
    expect(tags).toMatch(/baseline\s+baseline/);
    expect(tags).toMatch(/sp\/a.csv\/v2\s+paper figure 3/);
    expect(t.git(['cat-file', '-t', 'baseline']).trim()).toBe('tag');
    expect((await resolveVersion(t.vault, 'a.csv@baseline')).version).toBe(1);
    expect((await resolveVersion(t.vault, 'a.csv@sp/a.csv/v2')).version).toBe(2);
    await expect(tagVersion(t.vault, { address: 'a.csv@1', name: 'baseline' })).rejects.toMatchObject({ code: 'E_TAG_EXISTS' });
    await expect(tagVersion(t.vault, { address: 'a.csv@1', name: 'bad name' })).rejects.toMatchObject({ code: 'E_BAD_TAG_NAME' });
    t.git(['fsck', '--strict']);
  });

  it('lists versions newest first with limits and resolves every address form', async () => {
    t = await makeTempVault();
    const commits: string[] = [];
    for (let i = 1; i <= 4; i++) {
      await t.write('d.csv', `v${i}`);
      commits.push((await save(t.vault, { files: ['d.csv'] })).commit!);
    }
    expect((await log(t.vault, { path: 'd.csv' })).map((v) => v.version)).toEqual([4, 3, 2, 1]);
    expect((await log(t.vault, { limit: 2 })).map((v) => v.version)).toEqual([4, 3]);
    expect((await resolveVersion(t.vault, 'd.csv@-1')).version).toBe(3);
    expect((await resolveVersion(t.vault, `d.csv@${commits[1]!.slice(0, 7)}`)).version).toBe(2);
    // saves are one minute apart from 09:00; 09:02 names the third save (v2 at 09:02? v1 09:01)
    const byDate = await resolveVersion(t.vault, 'd.csv@2026-05-01T09:02:30Z');
    expect(byDate.savedAt <= '2026-05-01T09:02:30Z').toBe(true);
    await expect(resolveVersion(t.vault, 'd.csv@9')).rejects.toMatchObject({ code: 'E_UNKNOWN_VERSION' });
    await expect(resolveVersion(t.vault, 'd.csv@nosuchtag')).rejects.toMatchObject({ code: 'E_BAD_ADDRESS' });
  });

  it('lists history in save order even when the clock went backwards between saves', async () => {
    let n = 0;
    t = await makeTempVault({ clock: () => new Date(Date.parse('2026-05-10T00:00:00Z') - 3_600_000 * n++) });
    for (let i = 1; i <= 3; i++) {
      await t.write('skew.csv', `v${i}`);
      await save(t.vault, { files: ['skew.csv'] });
    }
    expect((await log(t.vault)).map((v) => v.version)).toEqual([3, 2, 1]);
    expect((await resolveVersion(t.vault, 'skew.csv@latest')).version).toBe(3);
  });

  it('status reports new, modified, unchanged and missing', async () => {
    t = await makeTempVault();
    await t.write('a.csv', '1');
    await t.write('b.csv', '1');
    await t.write('c.csv', '1');
    await save(t.vault, { files: ['a.csv', 'b.csv'] });
    await t.write('b.csv', '2');
    await t.write('new.json', '{}');
    await fsp.rm(path.join(t.dir, 'a.csv'));
    await t.write('notes.txt', 'not tracked');
    const s = await status(t.vault);
    expect(s.map((f) => [f.path, f.state])).toEqual([
      ['a.csv', 'missing'],
      ['b.csv', 'modified'],
      ['c.csv', 'new'],
      ['new.json', 'new'],
    ]);
  });
});
