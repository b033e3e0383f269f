/**
 * Issue 19 item 6: an in-place restore is recorded as a new version of the restored content, so the latest
 * version is what the working file holds (export + `sha256sum -c` pass, retention keeps the content in use).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log } from './query.js';
import { restore } from './restore.js';
import { status } from './status.js';
import { exportChecksums } from './export.js';
import { planVaultRetention } from '../retention/apply.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

const GOOD = 'id,value\n1,10\n2,20\n';

describe('restore records the restored content as the latest version', () => {
  it('restoring v1 over junk: pre-restore snapshot, then "Restore data.csv to v1"; export and retention follow the file', async () => {
    t = await makeTempVault();
    await t.write('data.csv', GOOD);
    await save(t.vault, { files: ['data.csv'], message: 'good data' });
    await t.write('data.csv', 'junk junk junk\n');
    const r = await restore(t.vault, { address: 'data.csv@1' });
    expect(r).toMatchObject({ status: 'restored', version: 1, preRestoreSave: { version: 2 }, recorded: { path: 'data.csv', version: 3 } });
    expect(await fsp.readFile(path.join(t.dir, 'data.csv'), 'utf8')).toBe(GOOD);

    const [latest, junk, first] = await log(t.vault, { path: 'data.csv' });
    expect(latest).toMatchObject({ version: 3, kind: 'restore', restoredFrom: 1, sha256: first!.sha256, blob: first!.blob, summary: 'Restore data.csv to v1' });
    expect(junk).toMatchObject({ version: 2, kind: 'pre-restore' });
    // what native git sees: the commit summary and the note
    expect(t.git(['log', '-1', '--format=%s', 'main']).trim()).toBe('Restore data.csv to v1');
    const note = JSON.parse(t.git(['notes', '--ref=savepoint', 'show', 'main']));
    expect(note).toMatchObject({ kind: 'restore', restoredFrom: 1, files: { 'data.csv': { version: 3, sha256: first!.sha256 } } });
    t.git(['fsck', '--strict']);

    await exportChecksums(t.vault);
    expect(execFileSync('sha256sum', ['-c', 'checksums.txt'], { cwd: t.dir, encoding: 'utf8' })).toBe('data.csv: OK\n');
    expect((await status(t.vault)).find((s) => s.path === 'data.csv')).toMatchObject({ state: 'unchanged', latestVersion: 3 });

    const plan = await planVaultRetention(t.vault, { overrides: { keepLast: 1 } });
    const byVersion = new Map(plan.decisions.filter((d) => d.path === 'data.csv').map((d) => [d.version, d]));
    expect(byVersion.get(3)).toMatchObject({ action: 'keep', rule: 'latest' });
    expect(byVersion.get(2)?.rule).not.toBe('latest');
  });

  it('records a new version even when the working file equals the latest one; --to elsewhere records none', async () => {
    t = await makeTempVault();
    await t.write('data.csv', GOOD);
    await save(t.vault, { files: ['data.csv'] });
    await t.write('data.csv', GOOD + '3,30\n');
    await save(t.vault, { files: ['data.csv'] });
    const r = await restore(t.vault, { address: 'data.csv@1' });
    expect(r.preRestoreSave).toBeUndefined();
    expect(r.recorded).toMatchObject({ version: 3 });
    expect((await log(t.vault, { path: 'data.csv' }))[0]).toMatchObject({ version: 3, kind: 'restore', restoredFrom: 1 });

    const tip = t.git(['rev-parse', 'main']);
    const copy = await restore(t.vault, { address: 'data.csv@2', to: 'copies/v2.csv' });
    expect(copy.recorded).toBeUndefined();
    expect(await fsp.readFile(path.join(t.dir, 'copies/v2.csv'), 'utf8')).toBe(GOOD + '3,30\n');
    expect(t.git(['rev-parse', 'main'])).toBe(tip);
    // a deleted file restored from its latest version: written, but latest already is that content
    await fsp.rm(path.join(t.dir, 'data.csv'));
    const again = await restore(t.vault, { address: 'data.csv' });
    expect(again).toMatchObject({ status: 'restored', version: 3 });
    expect(again.recorded).toBeUndefined();
    expect(await fsp.readFile(path.join(t.dir, 'data.csv'), 'utf8')).toBe(GOOD);
    expect(t.git(['rev-parse', 'main'])).toBe(tip);
    // restoring what the file already holds changes nothing and records nothing
    expect((await restore(t.vault, { address: 'data.csv@3' })).status).toBe('unchanged');
    expect(t.git(['rev-parse', 'main'])).toBe(tip);
  });
});
