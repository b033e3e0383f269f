/** The after-save pipeline: exports → retention → push → compact, outcomes per step, never failing the save. */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { addRemote } from '../remote/config.js';
import { pushQueue } from './push-many.js';
import { afterSave } from './after-save.js';
import { saveAndProcess } from './auto-save.js';
import { log } from './query.js';
import { restore } from './restore.js';
import { save } from './save.js';
import { readHealth } from '../health/record.js';
import { status, trackedMatcher } from './status.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

const sums = (cwd: string, tool: string, file: string) => execFileSync(tool, ['-c', file], { cwd, encoding: 'utf8' });

describe('after-save pipeline', () => {
  it('new vaults: exportDir "backups" and retention.auto written into savepoint.json, both git-ignored', async () => {
    t = await makeTempVault();
    const cfg = JSON.parse(await fsp.readFile(path.join(t.dir, 'savepoint.json'), 'utf8'));
    expect(cfg).toMatchObject({ retention: { auto: true }, exportDir: 'backups' });
    expect(await fsp.readFile(path.join(t.dir, '.gitignore'), 'utf8')).toBe('/.savepoint/\n/backups/\n');
  });

  it('keeps backups/checksums.txt, checksums.md5 and manifest.json current after every save; sha256sum -c and md5sum -c pass', async () => {
    t = await makeTempVault({ config: { checksum: { md5: true } } });
    await t.write('data.csv', 'a,b\n1,2\n');
    await t.write('cfg.json', '{"x":1}\n');
    const r1 = await saveAndProcess(t.vault, { files: ['data.csv', 'cfg.json'] });
    expect(r1.afterSave.exports).toMatchObject({ status: 'ok' });
    await t.write('data.csv', 'a,b\n1,2\n3,4\n');
    const r2 = await saveAndProcess(t.vault, { files: ['data.csv'] });
    expect(r2.afterSave.ok).toBe(true);
    const dir = path.join(t.dir, 'backups');
    expect((await fsp.readdir(dir)).sort()).toEqual(['checksums.md5', 'checksums.txt', 'manifest.json']);
    expect(sums(t.dir, 'sha256sum', 'backups/checksums.txt')).toBe('cfg.json: OK\ndata.csv: OK\n');
    expect(sums(t.dir, 'md5sum', 'backups/checksums.md5')).toBe('cfg.json: OK\ndata.csv: OK\n');
    const manifest = JSON.parse(await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string; version: number }) => `${f.path}@${f.version}`)).toEqual(['cfg.json@1', 'data.csv@1', 'data.csv@2']);
    // never data: not tracked, not in status, refused by save, invisible to git
    expect((await trackedMatcher(t.vault))('backups/manifest.json')).toBe(false);
    expect((await status(t.vault)).map((f) => f.path)).toEqual(['cfg.json', 'data.csv']);
    await expect(save(t.vault, { files: ['backups/manifest.json'] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/inside exportDir/) });
    expect(t.git(['status', '--porcelain'])).toBe('');
  });

  it('an existing repo keeps backups/ out of git status through info/exclude', async () => {
    t = await makeTempVault({ existingRepo: true });
    await t.write('data.csv', 'a\n1\n');
    await saveAndProcess(t.vault, { files: ['data.csv'] });
    expect(await fsp.readFile(path.join(t.vault.gitdir, 'info', 'exclude'), 'utf8')).toMatch(/^\/backups\/$/m);
    expect(t.git(['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual(['?? data.csv', '?? savepoint.json']);
  });

  it('retention.auto (new-vault default) keeps the newest 10 versions per file and archives older ones; they stay restorable', async () => {
    t = await makeTempVault();
    for (let i = 1; i <= 12; i++) {
      await t.write('d.csv', `v\n${i}\n`);
      const r = await saveAndProcess(t.vault, { files: ['d.csv'] });
      expect(r.afterSave.retention).toMatchObject({ status: 'ok', result: { archived: i > 10 ? 1 : 0 } });
    }
    const versions = await log(t.vault, { path: 'd.csv' });
    expect(versions.filter((v) => !v.archive).map((v) => v.version)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(versions.filter((v) => v.archive).map((v) => v.version)).toEqual([2, 1]);
    // manifest.json lists the archived versions as archived (exports refreshed after retention)
    const manifest = JSON.parse(await fsp.readFile(path.join(t.dir, 'backups', 'manifest.json'), 'utf8'));
    expect(manifest.files.filter((f: { status: string }) => f.status === 'archived').map((f: { version: number }) => f.version)).toEqual([1, 2]);
    await restore(t.vault, { address: 'd.csv@1', to: 'old.csv' });
    expect(await fsp.readFile(path.join(t.dir, 'old.csv'), 'utf8')).toBe('v\n1\n');
  });

  it('an existing vault whose savepoint.json does not mention retention.auto keeps every version (behaviour unchanged)', async () => {
    t = await makeTempVault();
    await fsp.writeFile(path.join(t.dir, 'savepoint.json'), JSON.stringify({ historyBranch: 'main' }));
    const vault = await t.reopen();
    for (let i = 1; i <= 12; i++) {
      await t.write('d.csv', `v\n${i}\n`);
      const r = await saveAndProcess(vault, { files: ['d.csv'] });
      expect(r.afterSave.retention).toEqual({ status: 'skipped', reason: 'retention.auto is false' });
      expect(r.afterSave.exports).toEqual({ status: 'skipped', reason: 'exportDir is not set' });
    }
    expect((await log(vault, { path: 'd.csv' })).filter((v) => v.archive)).toEqual([]);
  });

  it('a failing step never fails the save: it is reported, later steps still run, a failed push is queued', async () => {
    t = await makeTempVault();
    // exportDir names a file, so writing the exports fails
    await fsp.writeFile(path.join(t.dir, 'savepoint.json'), JSON.stringify({ exportDir: 'blocker', retention: { auto: true }, autoCompactBytes: 1, remotes: { nas: { url: 'http://127.0.0.1:9/nowhere.git', autoPush: true } } }));
    await fsp.writeFile(path.join(t.dir, 'blocker'), 'not a folder');
    const vault = await t.reopen();
    await t.write('data.csv', 'a\n1\n');
    const r = await saveAndProcess(vault, { files: ['data.csv'] });
    expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(r.afterSave.ok).toBe(false);
    expect(r.afterSave.exports).toMatchObject({ status: 'failed', error: { code: expect.stringMatching(/^E_/) } });
    expect(r.afterSave.retention).toMatchObject({ status: 'ok' });
    expect(r.afterSave.push).toMatchObject({ status: 'ok', result: [{ remote: 'nas', ok: false, queued: true, error: { code: 'E_REMOTE_UNREACHABLE' } }] });
    expect(r.afterSave.compact).toMatchObject({ status: 'ok' });
    expect((await pushQueue(vault)).map((q) => q.remote)).toEqual(['nas']);
    expect((await log(vault, { path: 'data.csv' })).map((v) => v.version)).toEqual([1]);
    // every step that ran is in the health record: the failed export with its code, the push per remote
    const h = await readHealth(vault);
    expect(h.other.exports).toMatchObject({ ok: false, error: { code: r.afterSave.exports.status === 'failed' ? r.afterSave.exports.error.code : '?' } });
    expect(h.other.retention).toMatchObject({ ok: true });
    expect(h.other.compact).toMatchObject({ ok: true });
    expect(h.push).toMatchObject({ ok: false, error: { code: 'E_REMOTE_UNREACHABLE' } });
    expect(h.save).toMatchObject({ ok: true });
  });

  it('an unchanged save skips the data steps but still retries queued pushes', async () => {
    t = await makeTempVault();
    await t.write('data.csv', 'a\n1\n');
    await save(t.vault, { files: ['data.csv'] });
    const r = await afterSave(t.vault, { commit: null });
    expect(r).toMatchObject({ ok: true, exports: { status: 'skipped' }, retention: { status: 'skipped' }, compact: { status: 'skipped' } });
    await addRemote(t.vault, { name: 'nas', url: 'http://127.0.0.1:9/nowhere.git', autoPush: true });
    const vault = await t.reopen();
    const again = await afterSave(vault, { commit: null });
    expect(again.push).toMatchObject({ status: 'ok', result: [{ remote: 'nas', ok: false, queued: true }] });
  });

  it('a pre-restore snapshot runs the pipeline (so the TUI, which saves only through restore, gets it too)', async () => {
    t = await makeTempVault();
    await t.write('data.csv', 'a\n1\n');
    await saveAndProcess(t.vault, { files: ['data.csv'] });
    await t.write('data.csv', 'a\nunsaved edit\n');
    const r = await restore(t.vault, { address: 'data.csv@1' });
    expect(r.preRestoreSave).toMatchObject({ version: 2 });
    expect(r.recorded).toMatchObject({ version: 3 });
    expect(r.afterSave).toMatchObject({ ok: true, exports: { status: 'ok' } });
    // the exports ran after the last of the restore's saves: the snapshot (v2) and the recorded restore (v3)
    const manifest = JSON.parse(await fsp.readFile(path.join(t.dir, 'backups', 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { version: number }) => f.version)).toEqual([1, 2, 3]);
  });
});
