/** Whole-vault time travel (issue 14 item 4), against real temp git repos. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempDir, makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log } from './query.js';
import { tagVersion } from './tag.js';
import { restoreAll } from './restore-all.js';
import { NOTES_REF } from '../model/note.js';

let t: TempVault;
const extra: string[] = [];
afterEach(async () => {
  await t?.cleanup();
  for (const d of extra.splice(0)) await fsp.rm(d, { recursive: true, force: true });
});
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const read = (rel: string) => fsp.readFile(path.join(t.dir, rel), 'utf8');
const DAY = 86_400_000;

/** Day 1: a.csv v1, b.json v1. Day 2 (tag "day2"): a.csv v2. Day 3: a.csv v3, c.txt v1 (new file). */
async function threeDays(): Promise<void> {
  // one save per day: the test moves the clock
  let now = Date.parse('2026-05-01T09:00:00Z');
  t = await makeTempVault({ clock: () => new Date(now), config: { retention: { auto: false } } as never });
  await t.write('a.csv', 'id,v\n1,one\n');
  await t.write('b.json', '{"k":1}\n');
  await save(t.vault, { files: ['a.csv', 'b.json'], message: 'day 1' });
  now += DAY;
  await t.write('a.csv', 'id,v\n1,two\n');
  await save(t.vault, { files: ['a.csv'], message: 'day 2' });
  await tagVersion(t.vault, { address: 'a.csv@2', name: 'day2' });
  now += DAY;
  await t.write('a.csv', 'id,v\n1,three\n');
  await t.write('c.txt', 'new on day 3\n');
  await save(t.vault, { files: ['a.csv', 'c.txt'], message: 'day 3' });
}

describe('restoreAll', () => {
  it('restores every file as it was at a date, with one pre-restore snapshot and one recorded save', async () => {
    await threeDays();
    const saves = await log(t.vault);
    const dates = saves.map((v) => `${v.path}@${v.version} ${v.savedAt}`);
    expect(dates.length).toBe(5);
    // unsaved edits: b.json differs from every version (must be snapshotted); a.csv matches its v3
    await t.write('b.json', '{"k":"unsaved"}\n');
    const commitsBefore = Number(t.git(['rev-list', '--count', 'HEAD']).trim());
    const r = await restoreAll(t.vault, { at: '@2026-05-01', afterSave: false });
    expect(r.files.map((f) => [f.path, f.status, f.version ?? null])).toEqual([
      ['a.csv', 'restored', 1],
      ['b.json', 'restored', 1],
      ['c.txt', 'not-present', null],
    ]);
    expect(r.counts).toEqual({ restored: 2, unchanged: 0, notPresent: 1 });
    expect(await read('a.csv')).toBe('id,v\n1,one\n');
    expect(await read('b.json')).toBe('{"k":1}\n');
    expect(await read('c.txt')).toBe('new on day 3\n'); // left alone, and said so
    // exactly two commits: the snapshot (b.json only) and the recorded restore (both files)
    expect(Number(t.git(['rev-list', '--count', 'HEAD']).trim())).toBe(commitsBefore + 2);
    expect(r.preRestoreSave?.files).toEqual([{ path: 'b.json', version: 2 }]);
    expect(r.recorded?.files).toEqual([{ path: 'a.csv', version: 4 }, { path: 'b.json', version: 3 }]);
    expect(t.git(['show', '-s', '--format=%s', `${r.recorded!.commit}`]).trim()).toBe('Restore vault to @2026-05-01');
    const note = JSON.parse(t.git(['notes', '--ref', NOTES_REF, 'show', r.recorded!.commit!]));
    expect(note.kind).toBe('restore');
    expect(note.files['a.csv'].sha256).toBe(sha('id,v\n1,one\n'));
    const snap = JSON.parse(t.git(['notes', '--ref', NOTES_REF, 'show', r.preRestoreSave!.commit!]));
    expect(snap.files['b.json'].sha256).toBe(sha('{"k":"unsaved"}\n'));
    expect(t.git(['fsck', '--strict']).trim()).toBe('');
    // again: everything already matches
    const again = await restoreAll(t.vault, { at: '2026-05-01', afterSave: false });
    expect(again.counts).toEqual({ restored: 0, unchanged: 2, notPresent: 1 });
    expect(again.recorded).toBeUndefined();
  });

  it('brings back a deleted file at an older version; git status stays clean (index entry from the restored bytes)', async () => {
    await threeDays();
    await fsp.rm(path.join(t.dir, 'a.csv'));
    const r = await restoreAll(t.vault, { at: '@2026-05-02', afterSave: false });
    expect(r.files.find((f) => f.path === 'a.csv')).toMatchObject({ status: 'restored', version: 2, created: true });
    expect(await read('a.csv')).toBe('id,v\n1,two\n');
    expect(r.recorded?.files).toEqual([{ path: 'a.csv', version: 4 }]);
    expect(t.git(['status', '--porcelain', '--untracked-files=no']).trim()).toBe('');
  });

  it('a tag or a commit names a moment; --to writes that state into an empty folder and saves nothing', async () => {
    await threeDays();
    const out = path.join(await makeTempDir(), 'then');
    extra.push(path.dirname(out));
    const head = t.git(['rev-parse', 'HEAD']).trim();
    const r = await restoreAll(t.vault, { at: '@day2', to: out, afterSave: false });
    expect(r.inPlace).toBe(false);
    expect(await fsp.readFile(path.join(out, 'a.csv'), 'utf8')).toBe('id,v\n1,two\n');
    expect(await fsp.readFile(path.join(out, 'b.json'), 'utf8')).toBe('{"k":1}\n');
    expect(await fsp.readdir(out)).toEqual(['a.csv', 'b.json']);
    expect(t.git(['rev-parse', 'HEAD']).trim()).toBe(head);
    expect(await read('a.csv')).toBe('id,v\n1,three\n');
    // a commit prefix of the day-1 save
    const day1 = (await log(t.vault, { path: 'b.json' }))[0]!.commit;
    const out2 = path.join(path.dirname(out), 'day1');
    const r2 = await restoreAll(t.vault, { at: day1.slice(0, 10), to: out2, afterSave: false });
    expect(r2.files.filter((f) => f.status === 'restored').map((f) => `${f.path}@${f.version}`)).toEqual(['a.csv@1', 'b.json@1']);
    // a non-empty --to is refused
    await expect(restoreAll(t.vault, { at: '@day2', to: out })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('a date before the first save, an unknown tag, a version number: clear errors, nothing changed', async () => {
    await threeDays();
    const head = t.git(['rev-parse', 'HEAD']).trim();
    await expect(restoreAll(t.vault, { at: '@2026-04-01' })).rejects.toMatchObject({ code: 'E_UNKNOWN_VERSION', message: expect.stringContaining('first save is from 2026-05-01') });
    await expect(restoreAll(t.vault, { at: '@no-such-tag' })).rejects.toMatchObject({ code: 'E_BAD_ADDRESS' });
    await expect(restoreAll(t.vault, { at: '@3' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect(t.git(['rev-parse', 'HEAD']).trim()).toBe(head);
    expect(await read('a.csv')).toBe('id,v\n1,three\n');
  });

  it('a damaged version changes nothing: no snapshot, no file overwritten', async () => {
    await threeDays();
    await t.write('b.json', '{"k":"unsaved"}\n');
    const v1 = (await log(t.vault, { path: 'a.csv' })).find((v) => v.version === 1)!;
    // corrupt a.csv@1's loose object (content of another blob under its name)
    const obj = path.join(t.vault.gitdir, 'objects', v1.blob.slice(0, 2), v1.blob.slice(2));
    const other = (await log(t.vault, { path: 'a.csv' })).find((v) => v.version === 3)!.blob;
    await fsp.chmod(obj, 0o644);
    await fsp.copyFile(path.join(t.vault.gitdir, 'objects', other.slice(0, 2), other.slice(2)), obj);
    const head = t.git(['rev-parse', 'HEAD']).trim();
    await expect(restoreAll(t.vault, { at: '@2026-05-01', afterSave: false })).rejects.toMatchObject({ code: expect.stringMatching(/E_CHECKSUM_MISMATCH|E_OBJECT_CORRUPT/) });
    expect(t.git(['rev-parse', 'HEAD']).trim()).toBe(head);
    expect(await read('b.json')).toBe('{"k":"unsaved"}\n');
    expect((await fsp.readdir(t.dir)).filter((n) => n.includes('savepoint-tmp'))).toEqual([]);
  });
});
