import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault, makeTempDir, gitCli } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from '../api/save.js';
import { log } from '../api/query.js';
import { restore } from '../api/restore.js';
import { verify } from '../api/verify.js';
import { tagVersion } from '../api/tag.js';
import { NOTES_REF } from '../model/note.js';
import { applyRetention, planVaultRetention } from './apply.js';
import { listArchives } from './archive.js';

let t: TempVault;
const extra: string[] = [];
afterEach(async () => {
  await t?.cleanup();
  for (const d of extra.splice(0)) await fsp.rm(d, { recursive: true, force: true });
});

function content(i: number, rows = 3000): string {
  return `id,value,note\n${Array.from({ length: rows }, (_, k) => `${k},${(k * 31 + i * 7919) % 100003},row ${k} of version ${i}`).join('\n')}\n`;
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

async function objectsSize(gitdir: string): Promise<number> {
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else total += (await fsp.stat(p)).size;
    }
  };
  await walk(path.join(gitdir, 'objects'));
  return total;
}

async function saveMany(n: number, file = 'data.csv'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const c = content(i);
    out.push(c);
    await t.write(file, c);
    await save(t.vault, { files: [file], message: `${file} v${i}` });
  }
  return out;
}

/** Restore every version of `file` to a side path and compare with what was saved. */
async function expectAllRestorable(file: string, contents: string[]): Promise<void> {
  for (let i = 1; i <= contents.length; i++) {
    const to = `restored/${file}.v${i}`;
    await fsp.rm(path.join(t.dir, to), { force: true });
    await restore(t.vault, { address: `${file}@${i}`, to });
    expect(sha(await fsp.readFile(path.join(t.dir, to))), `${file}@${i}`).toBe(sha(contents[i - 1]!));
  }
}

describe('applyRetention', () => {
  it('15 saves, keep-last 10: 5 archived into a verified bundle, history rewritten, fsck clean, all restorable, objects shrink', async () => {
    t = await makeTempVault();
    const contents = await saveMany(15);
    const before = await objectsSize(t.vault.gitdir);
    const tipBefore = t.git(['rev-parse', 'main']).trim();

    const plan = await planVaultRetention(t.vault, { overrides: { keepLast: 10 } });
    expect(plan.counts).toEqual({ keep: 10, archive: 5, delete: 0 });
    const result = await applyRetention(t.vault, plan);
    expect(result.archived).toBe(5);
    expect(result.archives).toHaveLength(1);
    expect(result.archives[0]!.file).toMatch(/^daily\/2026-05-01_\d{8}T\d{6}Z\.tar\.gz$/);
    expect(result.prune).toMatchObject({ objects: 5, packed: 0, reachable: 0 });

    // git's own checks
    expectFsckClean(t.dir);
    expect(t.git(['status', '--porcelain'])).toBe('');
    expect(t.git(['rev-parse', 'main']).trim()).not.toBe(tipBefore);
    // commit messages and trailers are kept
    const subjects = t.git(['log', '--format=%s', 'main']).trim().split('\n');
    expect(subjects.slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, i) => `data.csv v${15 - i}`));
    expect(t.git(['log', '-1', '--format=%B', 'main~14'])).toContain('Savepoint-Version: data.csv=1');
    // archived blobs are gone from the repository, kept ones are there
    const history = await log(await t.reopen(), { path: 'data.csv' });
    const archived = history.filter((v) => v.status === 'archived');
    expect(archived.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    for (const v of archived) expect(v.archive).toBe(result.archives[0]!.file);
    for (let i = 1; i <= 5; i++) expect(() => t.git(['cat-file', '-e', createHashBlob(contents[i - 1]!)])).toThrow();
    for (let i = 6; i <= 15; i++) t.git(['cat-file', '-e', createHashBlob(contents[i - 1]!)]);

    // notes: every kept save still has its note on its (new) commit; archived saves say so
    const notesOut = t.git(['notes', '--ref=savepoint', 'list']).trim().split('\n');
    expect(notesOut.length).toBe(15);
    const v1commit = t.git(['rev-parse', 'main~14']).trim();
    const v1note = JSON.parse(t.git(['notes', '--ref=savepoint', 'show', v1commit])) as { status: string; archive: string };
    expect(v1note).toMatchObject({ status: 'archived', archive: result.archives[0]!.file });
    expect(JSON.parse(t.git(['notes', '--ref=savepoint', 'show', 'main'])).status).toBe('active');
    expect(t.git(['rev-parse', NOTES_REF]).trim()).toMatch(/^[0-9a-f]{40}$/);

    // size: the five archived blobs (~100 KB each, stored uncompressed) left the object store
    const after = await objectsSize(t.vault.gitdir);
    const archivedBytes = contents.slice(0, 5).reduce((n, c) => n + Buffer.byteLength(c), 0);
    expect(before - after).toBeGreaterThan(archivedBytes * 0.9);

    // the archive: tar.gz with manifest + bundle that git accepts; sidecar checksum
    const abs = path.join(t.dir, '.savepoint/archive', result.archives[0]!.file);
    expect(execFileSync('sha256sum', ['-c', path.basename(abs) + '.sha256'], { cwd: path.dirname(abs), encoding: 'utf8' })).toMatch(/OK/);
    const x = await makeTempDir('sp-archive-x-');
    extra.push(x);
    execFileSync('tar', ['-xzf', abs, '-C', x]);
    expect((await fsp.readdir(x)).sort()).toEqual(['archive.bundle', 'archive.idx', 'manifest.json']);
    // git accepts the bundle as a whole history (no prerequisites) holding the archive's one ref
    const bundle = gitCli(t.dir, ['bundle', 'verify', path.join(x, 'archive.bundle')]);
    expect(bundle).toContain('The bundle records a complete history.');
    expect(bundle).toMatch(/^[0-9a-f]{40} \S+$/m);
    gitCli(x, ['clone', '-q', path.join(x, 'archive.bundle'), 'clone']);
    expect(await fsp.readFile(path.join(x, 'clone', 'data.csv'), 'utf8')).toBe(contents[4]);
    expect(gitCli(path.join(x, 'clone'), ['log', '--format=%s']).trim().split('\n')).toEqual(['data.csv v5', 'data.csv v4', 'data.csv v3', 'data.csv v2', 'data.csv v1']);
    gitCli(path.join(x, 'clone'), ['fsck', '--strict']);
    const manifest = JSON.parse(await fsp.readFile(path.join(x, 'manifest.json'), 'utf8')) as { versions: { version: number; sha256: string }[] };
    expect(manifest.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);

    // every version restores bit-exact (archived ones from the archive), verify covers archives
    await expectAllRestorable('data.csv', contents);
    const r = await verify(t.vault);
    expect(r).toMatchObject({ ok: true, verified: 15, corrupted: 0, missing: 0 });
    expect(r.items.filter((i) => i.archive).length).toBe(5);
    const listed = await listArchives(t.vault);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ present: true, versions: expect.any(Array) });

    // new saves keep working on the rewritten branch; a second run archives only the new overflow
    await t.write('data.csv', content(16));
    await save(t.vault, { files: ['data.csv'], message: 'data.csv v16' });
    const plan2 = await planVaultRetention(t.vault, { overrides: { keepLast: 10 } });
    expect(plan2.counts).toEqual({ keep: 15, archive: 1, delete: 0 }); // 5 stay archived
    await applyRetention(t.vault, plan2);
    expectFsckClean(t.dir);
    await expectAllRestorable('data.csv', [...contents, content(16)]);
  }, 60_000);

  it('keeps tags, multi-file saves and the user branch intact in a code repository vault', async () => {
    t = await makeTempVault({ existingRepo: true });
    const userTip = t.git(['rev-parse', 'main']).trim();
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 1; i <= 6; i++) {
      a.push(content(i, 500));
      await t.write('data/a.csv', a[i - 1]!);
      const files = ['data/a.csv'];
      if (i % 2 === 1) {
        b.push(content(100 + i, 400));
        await t.write('b.csv', b[b.length - 1]!);
        files.push('b.csv');
      }
      await save(t.vault, { files, message: `save ${i}` });
    }
    await tagVersion(t.vault, { address: 'data/a.csv@2' });
    await tagVersion(t.vault, { address: 'data/a.csv@5', name: 'good-run' });
    const plan = await planVaultRetention(t.vault, { overrides: { keepLast: 1 } });
    const actions = Object.fromEntries(plan.decisions.map((d) => [`${d.path}@${d.version}`, `${d.action}:${d.rule}`]));
    expect(actions).toMatchObject({ 'data/a.csv@2': 'keep:tagged', 'data/a.csv@5': 'keep:tagged', 'data/a.csv@6': 'keep:latest', 'data/a.csv@1': 'archive:unprotected', 'b.csv@3': 'keep:latest', 'b.csv@1': 'archive:unprotected' });
    const result = await applyRetention(t.vault, plan);
    expect(result.archived).toBe(5); // a@1 a@3 a@4, b@1 b@2
    expect(result.tagsMoved.sort()).toEqual(['good-run', 'sp/data/a.csv/v2']);
    expect(t.git(['rev-parse', 'main']).trim()).toBe(userTip);
    expect(t.git(['status', '--porcelain', '--untracked-files=no'])).toBe('');
    expectFsckClean(t.dir);
    // tags point at the rewritten commits and still name the same content
    expect(t.git(['show', 'good-run:data/a.csv'])).toBe(a[4]);
    expect(t.git(['cat-file', '-t', 'good-run']).trim()).toBe('tag');
    t.git(['merge-base', '--is-ancestor', 'sp/data/a.csv/v2', 'savepoint']);
    await t.reopen();
    await expectAllRestorable('data/a.csv', a);
    await expectAllRestorable('b.csv', b);
    const r = await verify(t.vault);
    expect(r).toMatchObject({ ok: true, missing: 0, corrupted: 0 });
    expect(r.verified).toBe(9);
    expect((await log(t.vault, { path: 'data/a.csv' })).find((v) => v.version === 2)!.tags).toEqual(['sp/data/a.csv/v2']);
  }, 60_000);

  it('stores versions of a file as deltas: many small edits of a big CSV make a small archive', async () => {
    t = await makeTempVault();
    const base = Array.from({ length: 40_000 }, (_, k) => `${k},${createHash('md5').update(String(k)).digest('hex')}`);
    const contents: string[] = [];
    for (let i = 1; i <= 9; i++) {
      base[i * 1000] = `${i * 1000},edited in version ${i}`;
      contents.push(`id,hash\n${base.join('\n')}\n`);
      await t.write('big.csv', contents[i - 1]!);
      await save(t.vault, { files: ['big.csv'] });
    }
    const res = await applyRetention(t.vault, await planVaultRetention(t.vault, { overrides: { keepLast: 1 } }));
    expect(res.archived).toBe(8);
    const one = zlib.gzipSync(contents[0]!).length;
    // eight ~1.5 MB versions; whole they would gzip to ~8 × one
    expect(res.archives[0]!.size).toBeLessThan(one * 1.5);
    const x = await makeTempDir('sp-archive-d-');
    extra.push(x);
    execFileSync('tar', ['-xzf', path.join(t.dir, '.savepoint/archive', res.archives[0]!.file), '-C', x]);
    gitCli(t.dir, ['bundle', 'verify', path.join(x, 'archive.bundle')]);
    await expectAllRestorable('big.csv', contents);
  }, 60_000);

  it('deletes archives only past expireArchivesAfter; deleted versions leave the history, the rest stays verified', async () => {
    t = await makeTempVault();
    const contents = await saveMany(4);
    const first = await applyRetention(t.vault, await planVaultRetention(t.vault, { overrides: { keepLast: 2 } }));
    expect(first.archived).toBe(2);
    // not expired yet: nothing to delete
    const soon = await planVaultRetention(t.vault, { overrides: { keepLast: 2, expireArchivesAfter: '30d' } });
    expect(soon.counts).toEqual({ keep: 4, archive: 0, delete: 0 });
    const later = await planVaultRetention(t.vault, { overrides: { keepLast: 2, expireArchivesAfter: '30d' }, now: new Date(Date.parse('2026-07-01T00:00:00Z')) });
    expect(later.decisions.map((d) => `${d.version}:${d.action}:${d.rule}`)).toEqual(['1:delete:archive-expired', '2:delete:archive-expired', '3:keep:keep-last', '4:keep:latest']);
    const res = await applyRetention(t.vault, later);
    expect(res).toMatchObject({ deleted: 2, deletedArchives: [first.archives[0]!.file] });
    await expect(fsp.access(path.join(t.dir, '.savepoint/archive', first.archives[0]!.file))).rejects.toThrow();
    expect((await log(await t.reopen(), { path: 'data.csv' })).map((v) => v.version)).toEqual([4, 3]);
    expect(await verify(t.vault)).toMatchObject({ ok: true, verified: 2, missing: 0 });
    await t.write('data.csv', content(5));
    expect((await save(t.vault, { files: ['data.csv'] })).files[0]!.version).toBe(5);
    for (const i of [3, 4]) {
      await restore(t.vault, { address: `data.csv@${i}`, to: `r${i}.csv` });
      expect(await fsp.readFile(path.join(t.dir, `r${i}.csv`), 'utf8')).toBe(contents[i - 1]);
    }
    expectFsckClean(t.dir);
  }, 60_000);

  it('a kept version with the same content as an archived one keeps its file (found by the crash harness)', async () => {
    t = await makeTempVault();
    const contents = [content(1), content(2), content(1), content(4), content(5)];
    for (const c of contents) {
      await t.write('data.csv', c);
      await save(t.vault, { files: ['data.csv'] });
    }
    const res = await applyRetention(t.vault, await planVaultRetention(t.vault, { overrides: { keepLast: 3 } }));
    expect(res.archived).toBe(2);
    const v = await verify(t.vault, {});
    expect(v.items.filter((i) => i.status !== 'verified')).toEqual([]);
    expect(v.ok).toBe(true);
    for (let i = 1; i <= 5; i++) {
      await restore(t.vault, { address: `data.csv@${i}`, to: `check/v${i}.csv`, afterSave: false });
      expect(sha(await fsp.readFile(path.join(t.dir, `check/v${i}.csv`))), `data.csv@${i}`).toBe(sha(contents[i - 1]!));
    }
    gitCli(t.dir, ['fsck', '--strict']);
  });

  it('refuses a plan made before the history moved, and a damaged archive is reported by verify and restore', async () => {
    t = await makeTempVault();
    const contents = await saveMany(4);
    const stale = await planVaultRetention(t.vault, { overrides: { keepLast: 2 } });
    await t.write('data.csv', content(5));
    await save(t.vault, { files: ['data.csv'] });
    contents.push(content(5));
    await expect(applyRetention(t.vault, stale)).rejects.toMatchObject({ code: 'E_HISTORY_DIVERGED' });
    const plan = await planVaultRetention(t.vault, { overrides: { keepLast: 2 } });
    const res = await applyRetention(t.vault, plan);
    expect(res.archived).toBe(3);
    const abs = path.join(t.dir, '.savepoint/archive', res.archives[0]!.file);
    const bytes = await fsp.readFile(abs);
    await fsp.chmod(abs, 0o644);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await fsp.writeFile(abs, bytes);
    const r = await verify(t.vault, { markNotes: false });
    expect(r.ok).toBe(false);
    expect(r.corrupted).toBe(3);
    await expect(restore(t.vault, { address: 'data.csv@1', to: 'x.csv' })).rejects.toMatchObject({ code: 'E_ARCHIVE_CORRUPT' });
    await fsp.rm(abs);
    const r2 = await verify(t.vault, { markNotes: false });
    expect(r2.missing).toBe(3);
    await expect(restore(t.vault, { address: 'data.csv@2', to: 'x.csv' })).rejects.toMatchObject({ code: 'E_ARCHIVE_MISSING' });
    for (const i of [4, 5]) {
      await restore(t.vault, { address: `data.csv@${i}`, to: `ok${i}.csv` });
      expect(await fsp.readFile(path.join(t.dir, `ok${i}.csv`), 'utf8')).toBe(contents[i - 1]);
    }
  }, 60_000);
});

/** `git fsck --strict` exits 0 and reports nothing but the old history's dangling commits (left for git gc). */
export function expectFsckClean(dir: string): void {
  const out = gitCli(dir, ['fsck', '--strict']).trim();
  for (const line of out ? out.split('\n') : []) expect(line).toMatch(/^dangling (commit|tag) [0-9a-f]{40}$/);
}

function createHashBlob(c: string): string {
  const buf = Buffer.from(c);
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}
