import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import fs from 'node:fs';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log } from './query.js';
import { restore } from './restore.js';
import { verify } from './verify.js';
import { exportChecksums } from './export.js';
import { NOTES_REF } from '../model/note.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

async function saveVersions(n: number, file = 'data.csv'): Promise<string[]> {
  const contents: string[] = [];
  for (let i = 1; i <= n; i++) {
    const c = `id,value\n${Array.from({ length: 50 * i }, (_, k) => `${k},${(k * i) % 97}`).join('\n')}\n`;
    contents.push(c);
    await t.write(file, c);
    await save(t.vault, { files: [file], message: `v${i}` });
  }
  return contents;
}

describe('restore', () => {
  it('restores any version bit-exact through temp file + rename', async () => {
    t = await makeTempVault();
    const contents = await saveVersions(3);
    const r = await restore(t.vault, { address: 'data.csv@1' });
    expect(r).toMatchObject({ status: 'restored', version: 1 });
    expect(await fsp.readFile(path.join(t.dir, 'data.csv'), 'utf8')).toBe(contents[0]);
    expect((await fsp.readdir(t.dir)).filter((f) => f.includes('savepoint-tmp'))).toEqual([]);
    const again = await restore(t.vault, { address: 'data.csv@1' });
    expect(again.status).toBe('unchanged');
    await restore(t.vault, { address: 'data.csv@1', to: 'copies/v1.csv' });
    expect(await fsp.readFile(path.join(t.dir, 'copies/v1.csv'), 'utf8')).toBe(contents[0]);
  });

  it('saves the working file first when it matches no saved version', async () => {
    t = await makeTempVault();
    await saveVersions(2);
    await t.write('data.csv', 'unsaved edits\n');
    const r = await restore(t.vault, { address: 'data.csv@1' });
    expect(r.preRestoreSave).toMatchObject({ path: 'data.csv', version: 3 });
    expect(r.recorded).toMatchObject({ path: 'data.csv', version: 4 });
    const versions = await log(t.vault, { path: 'data.csv' });
    expect(versions[0]).toMatchObject({ version: 4, kind: 'restore', restoredFrom: 1 });
    expect(versions[1]).toMatchObject({ version: 3, kind: 'pre-restore', keep: 'pre-change' });
    await restore(t.vault, { address: 'data.csv@3' });
    expect(await fsp.readFile(path.join(t.dir, 'data.csv'), 'utf8')).toBe('unsaved edits\n');
  });

  it('refuses a damaged object and leaves the working file as it was', async () => {
    t = await makeTempVault();
    await saveVersions(2);
    const [v1] = (await log(t.vault, { path: 'data.csv' })).slice(-1);
    const obj = path.join(t.dir, '.git/objects', v1!.blob.slice(0, 2), v1!.blob.slice(2));
    const buf = await fsp.readFile(obj);
    await fsp.chmod(obj, 0o644);
    buf[buf.length - 10] ^= 0xff;
    await fsp.writeFile(obj, buf);
    // unsaved edits: a successful restore would snapshot them first; a failed one must not
    await t.write('data.csv', 'unsaved edits\n');
    const before = await fsp.readFile(path.join(t.dir, 'data.csv'));
    const tipBefore = t.git(['rev-parse', 'main']);
    await expect(restore(t.vault, { address: 'data.csv@1' })).rejects.toMatchObject({ code: expect.stringMatching(/E_OBJECT_CORRUPT|E_CHECKSUM_MISMATCH/) });
    expect(await fsp.readFile(path.join(t.dir, 'data.csv'))).toEqual(before);
    expect(t.git(['rev-parse', 'main'])).toBe(tipBefore);
    expect((await log(t.vault, { path: 'data.csv' })).length).toBe(2);
    expect((await fsp.readdir(t.dir)).filter((f) => f.includes('savepoint-tmp'))).toEqual([]);
    const v = await verify(t.vault);
    expect(v).toMatchObject({ ok: false, corrupted: 1, verified: 1, missing: 0 });
  });

  it('refuses paths outside the vault: ../, absolute, symlinks out', async () => {
    t = await makeTempVault();
    await saveVersions(1);
    await expect(restore(t.vault, { address: 'data.csv@1', to: '../escape.csv' })).rejects.toMatchObject({ code: 'E_PATH_OUTSIDE_VAULT' });
    await expect(restore(t.vault, { address: 'data.csv@1', to: '/tmp/escape.csv' })).rejects.toMatchObject({ code: 'E_PATH_OUTSIDE_VAULT' });
    const outside = path.join(path.dirname(t.dir), 'outside');
    await fsp.mkdir(outside);
    await fsp.symlink(outside, path.join(t.dir, 'link'));
    await expect(restore(t.vault, { address: 'data.csv@1', to: 'link/x.csv' })).rejects.toMatchObject({ code: 'E_PATH_OUTSIDE_VAULT' });
    expect(await fsp.readdir(outside)).toEqual([]);
  });
});

describe('verify', () => {
  it('re-hashes every version, marks notes verified, reports missing objects', async () => {
    t = await makeTempVault();
    await saveVersions(3);
    const ok = await verify(t.vault);
    expect(ok).toMatchObject({ ok: true, verified: 3, corrupted: 0, missing: 0, marks: 'recorded' });
    const head = t.git(['rev-parse', 'main']).trim();
    expect(JSON.parse(t.git(['notes', '--ref=savepoint', 'show', head]))).toMatchObject({ status: 'verified', verifiedBy: 'Ada Tester' });
    // nothing new to record: no notes commit, and no lock taken (so it also works on read-only media)
    const notesTip = t.git(['rev-parse', 'refs/notes/savepoint']).trim();
    expect(await verify(t.vault)).toMatchObject({ ok: true, marks: 'up-to-date' });
    expect(t.git(['rev-parse', 'refs/notes/savepoint']).trim()).toBe(notesTip);
    const [v2] = (await log(t.vault, { path: 'data.csv' })).filter((v) => v.version === 2);
    await fsp.rm(path.join(t.dir, '.git/objects', v2!.blob.slice(0, 2), v2!.blob.slice(2)), { force: true });
    const bad = await verify(t.vault, { markNotes: false });
    expect(bad).toMatchObject({ ok: false, verified: 2, missing: 1 });
  });
});

describe('verify --quick', () => {
  it('hashes sha256 only, skips whole-pack checks, and reports damage exactly as a full verify does', async () => {
    t = await makeTempVault();
    const contents = await saveVersions(3);
    const quick = await verify(t.vault, { quick: true, markNotes: false });
    expect(quick).toMatchObject({ ok: true, verified: 3, mode: 'quick', packs: [] });
    // damage one version's loose object in its content bytes (framing intact) ...
    const [v2] = (await log(t.vault, { path: 'data.csv' })).filter((v) => v.version === 2);
    const obj = path.join(t.dir, '.git/objects', v2!.blob.slice(0, 2), v2!.blob.slice(2));
    const buf = await fsp.readFile(obj);
    await fsp.chmod(obj, 0o644);
    buf[buf.length >> 1] ^= 0xff;
    await fsp.writeFile(obj, buf);
    const full = await verify(t.vault, { markNotes: false });
    const q = await verify(t.vault, { quick: true, markNotes: false });
    expect(full).toMatchObject({ ok: false, corrupted: 1, verified: 2 });
    const strip = (r: typeof q) => r.items.map(({ path: p, version, status, code }) => ({ p, version, status, code }));
    expect(strip(q)).toEqual(strip(full));
    // ... and a restore of it fails cleanly with the full read's error
    await expect(restore(t.vault, { address: 'data.csv@2', to: 'out/v2.csv' })).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT' });
    // an intact copy in a pack: the quick read's sha256 mismatch is read again in full, which skips the damaged copy
    await fsp.writeFile(obj, buf.map((b, i) => (i === buf.length >> 1 ? b ^ 0xff : b)));
    t.git(['repack', '-q']);
    await fsp.writeFile(obj, buf);
    const r = await restore(t.vault, { address: 'data.csv@2', to: 'out/v2.csv' });
    expect(r.status).toBe('restored');
    expect(await fsp.readFile(path.join(t.dir, 'out/v2.csv'), 'utf8')).toBe(contents[1]);
    const q2 = await verify(t.vault, { quick: true, markNotes: false });
    expect(q2.items.find((i) => i.version === 2)).toMatchObject({ status: 'verified', damagedCopies: [expect.objectContaining({ location: obj })] });
  });
});

describe('interop with native git', () => {
  it('lists, restores and verifies every version after git gc --aggressive', async () => {
    t = await makeTempVault();
    const contents = await saveVersions(5);
    t.git(['gc', '--aggressive', '--prune=now', '-q']);
    expect(t.git(['count-objects', '-v'])).toMatch(/^count: 0$/m);
    await t.reopen();
    expect((await log(t.vault, { path: 'data.csv' })).map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
    for (let i = 1; i <= 5; i++) {
      await restore(t.vault, { address: `data.csv@${i}`, to: `out/v${i}.csv` });
      expect(await fsp.readFile(path.join(t.dir, `out/v${i}.csv`), 'utf8')).toBe(contents[i - 1]);
    }
    expect(await verify(t.vault)).toMatchObject({ ok: true, verified: 5 });
    t.git(['fsck', '--strict']);
  });

  it('reads notes that native git re-fanned and notes written flat by isomorphic-git', async () => {
    t = await makeTempVault();
    await saveVersions(2);
    // many notes on other objects make native git restructure the notes tree
    const blobs = t.git(['hash-object', '-w', '--stdin-paths'], Array.from({ length: 300 }, (_, i) => {
      const p = path.join(t.dir, `.git/tmp-note-${i}`);
      fs.writeFileSync(p, `obj ${i}`);
      return p;
    }).join('\n')).trim().split('\n');
    for (const b of blobs) t.git(['notes', '--ref=savepoint', 'add', '-m', `{"other":true}`, b]);
    const tree = t.git(['ls-tree', '--name-only', NOTES_REF]);
    expect(tree.split('\n').filter(Boolean).every((n) => n.length === 2)).toBe(true);
    await t.reopen();
    const vs = await log(t.vault, { path: 'data.csv' });
    expect(vs.map((v) => [v.version, v.source])).toEqual([[2, 'api'], [1, 'api']]);
    // our next save keeps git's notes and adds its own
    await t.write('data.csv', 'changed');
    const r = await save(t.vault, { files: ['data.csv'] });
    expect(JSON.parse(t.git(['notes', '--ref=savepoint', 'show', r.commit!])).files['data.csv'].version).toBe(3);
    expect(t.git(['notes', '--ref=savepoint', 'show', blobs[0]!]).trim()).toBe('{"other":true}');
    t.git(['fsck', '--strict']);

    // a flat notes tree (isomorphic-git's own notes writer)
    const t2 = await makeTempVault();
    try {
      await t2.write('x.csv', 'a');
      const s = await save(t2.vault, { files: ['x.csv'] });
      const note = t2.git(['notes', '--ref=savepoint', 'show', s.commit!]);
      t2.git(['update-ref', '-d', NOTES_REF]);
      await git.addNote({ fs, gitdir: path.join(t2.dir, '.git'), ref: NOTES_REF, oid: s.commit!, note, author: { name: 'x', email: 'x@x' } });
      expect(t2.git(['ls-tree', '--name-only', NOTES_REF]).trim()).toBe(s.commit);
      await t2.reopen();
      expect((await log(t2.vault))[0]).toMatchObject({ version: 1, source: 'api', sha256: JSON.parse(note).files['x.csv'].sha256 });
    } finally {
      await t2.cleanup();
    }
  });

  it('exports checksums.txt that sha256sum -c accepts and a manifest of every version', async () => {
    t = await makeTempVault();
    await saveVersions(2);
    await t.write('sub/b.json', '{"a":1}');
    await save(t.vault, { files: ['sub/b.json'], experiment: 'exp-9' });
    const r = await exportChecksums(t.vault);
    expect(r).toMatchObject({ files: 2, versions: 3 });
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('sha256sum', ['-c', 'checksums.txt'], { cwd: t.dir, encoding: 'utf8' })).toBe('data.csv: OK\nsub/b.json: OK\n');
    const manifest = JSON.parse(await fsp.readFile(r.manifest, 'utf8'));
    expect(manifest.files.map((f: { path: string; version: number }) => `${f.path}@${f.version}`)).toEqual(['data.csv@1', 'data.csv@2', 'sub/b.json@1']);
    expect(manifest.files[2]).toMatchObject({ experiment: 'exp-9', size: 7 });
  });
});
