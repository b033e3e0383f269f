/** Issue 15 flows on the real App over real temp vaults: save, save all, tag, marks, filters, status, help. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { log, save, status } from '@savepoint/core';
import { gitCli, makeTempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import { closeApp, drive, KEYS, seedBrowsingVault } from '../testing/harness.js';
import type { Driven } from '../testing/harness.js';

let tv: TempVault;
let app: Driven | null = null;

beforeEach(async () => {
  tv = await makeTempVault();
  await seedBrowsingVault(tv, 'exp-7');
});

afterEach(async () => {
  await closeApp(app, tv.dir);
  app = null;
});

const start = () => {
  // the header's "N min ago" reads a wall clock of its own (the test vault's clock ticks a minute per call)
  app = drive({ dir: tv.dir, clock: tv.clock, now: () => new Date('2026-05-01T09:12:00Z'), author: { name: 'Ada Tester', email: 'ada@example.test' }, color: false });
  return app;
};
/** type text as one chunk, the way a fast typist or a paste arrives */
const typeText = (a: Driven, text: string) => a.press(text);

describe('save (s, S)', () => {
  test('s asks for a description and an experiment id, saves through the after-save pipeline and selects the new version', async () => {
    await tv.write('data.csv', 'id,value\n1,a\n2,B\n3,c\n4,d\n');
    const a = start();
    await a.waitFor(/data\.csv\s+modified/);
    await a.press('s');
    await a.waitFor('Save data.csv');
    expect(a.frame()).toContain('Description:');
    // letters are text in the prompt: q does not quit, d does not diff
    await typeText(a, 'add row 4 (quick)');
    await a.waitFor('› add row 4 (quick)');
    await a.press(KEYS.enter);
    await a.waitFor('Experiment id:');
    expect(a.frame()).toContain('Description: add row 4 (quick)');
    await typeText(a, 'exp-8');
    await a.press(KEYS.enter);
    const f = await a.waitFor((fr) => fr.includes('Saved data.csv@3.') && /data\.csv\s+saved\s+v3 ×3/.test(fr) && !fr.includes('refreshing'));
    // the save ran with its progress dialog on screen
    expect(a.frames.some((fr) => fr.includes('Saving data.csv…'))).toBe(true);
    // the new version is selected in the history
    expect(f).toMatch(/› v3\s+2026-05-01/);
    const [v3] = await log(tv.vault, { path: 'data.csv' });
    expect(v3).toMatchObject({ version: 3, summary: 'add row 4 (quick)', experiment: 'exp-8', source: 'tui' });
    // the after-save pipeline ran: the exports list the new version
    const manifest = JSON.parse(await fsp.readFile(path.join(tv.dir, 'backups', 'manifest.json'), 'utf8'));
    expect(manifest.files.filter((x: { path: string }) => x.path === 'data.csv').map((x: { version: number }) => x.version)).toEqual([1, 2, 3]);
    expect(gitCli(tv.dir, ['fsck', '--strict'])).toBe('');
  });

  test('Esc cancels the prompt and nothing is saved; Backspace edits', async () => {
    await tv.write('data.csv', 'id,value\nchanged\n');
    const a = start();
    await a.waitFor(/data\.csv\s+modified/);
    await a.press('s');
    await a.waitFor('Description:');
    await typeText(a, 'typo');
    await a.press('\u007f', '\u007f');
    await a.waitFor((fr) => fr.includes('› ty') && !fr.includes('› typo'));
    await a.press(KEYS.escape);
    await a.waitFor((fr) => !fr.includes('Description:'));
    expect((await log(tv.vault, { path: 'data.csv' })).length).toBe(2);
    // an unchanged file: s says there is nothing to save
    await a.press('j', 's');
    await a.waitFor('notes.json has not changed since v1; nothing to save.');
  });

  test('S saves every modified and new file in one save', async () => {
    await tv.write('data.csv', 'id,value\nall\n');
    await tv.write('notes.json', '{"run": 2}\n');
    await tv.write('extra.csv', 'a\n1\n');
    const a = start();
    await a.waitFor(/notes\.json\s+modified/);
    await a.press('S');
    await a.waitFor('Save 3 files');
    await typeText(a, 'batch');
    await a.press(KEYS.enter, KEYS.enter);
    await a.waitFor((fr) => fr.includes('Saved ') && !fr.includes('refreshing'));
    const all = await log(tv.vault);
    const batch = all.filter((v) => v.summary === 'batch');
    expect(batch.map((v) => v.path).sort()).toEqual(['data.csv', 'extra.csv', 'notes.json']);
    // one save: one commit
    expect(new Set(batch.map((v) => v.commit)).size).toBe(1);
    expect((await status(tv.vault)).every((s) => s.state === 'unchanged')).toBe(true);
  });
});

describe('tag (t) and marks (m, D)', () => {
  test('t proposes sp/<path>/v<n>, takes a message, and the tag is in git', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press(KEYS.tab, 'j', 't');
    await a.waitFor('Tag data.csv@1');
    expect(a.frame()).toContain('› sp/data.csv/v1');
    await a.press(KEYS.enter);
    await typeText(a, 'the baseline');
    await a.press(KEYS.enter);
    const f = await a.waitFor((fr) => fr.includes('Tagged data.csv@1 as sp/data.csv/v1.') && fr.includes('[sp/data.csv/v1]'));
    expect(f).toMatch(/› v1 /);
    expect(gitCli(tv.dir, ['tag', '-l', '-n1', 'sp/data.csv/v1'])).toMatch(/sp\/data\.csv\/v1\s+the baseline/);
    // the history filter finds the version by its new tag
    await a.press('/');
    await typeText(a, 'sp/data.csv');
    await a.press(KEYS.enter);
    await a.waitFor((fr) => fr.includes('History: data.csv /sp/data.csv (1 of 2)') && /› v1 /.test(fr));
    await a.press(KEYS.escape);
    await a.waitFor('Filter cleared (versions).');
    // the same name again: the error code is shown, the app keeps running
    await a.press('t');
    await a.waitFor('› sp/data.csv/v1');
    await a.press(KEYS.enter, KEYS.enter);
    await a.waitFor('[E_TAG_EXISTS]');
  });

  test('a custom tag name; an emptied name is refused', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('t');
    await a.waitFor('Tag data.csv@2');
    await a.press('\u0015', KEYS.enter);
    await a.waitFor('A tag needs a name.');
    await typeText(a, 'good-run');
    await a.press(KEYS.enter, KEYS.enter);
    await a.waitFor('Tagged data.csv@2 as good-run.');
    const [v2] = await log(tv.vault, { path: 'data.csv' });
    expect(v2!.tags).toEqual(['good-run']);
  });

  test('mark two versions and D diffs them, older → newer', async () => {
    await tv.write('data.csv', 'id,value\n1,z\n');
    await save(tv.vault, { files: ['data.csv'], message: 'third' });
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('D');
    await a.waitFor('Mark two versions with m');
    await a.press(KEYS.tab, 'm');
    await a.waitFor('Marked data.csv@3 (1 of 2)');
    await a.press('j', 'j', 'm');
    const f = await a.waitFor('Marked data.csv@1 (2 of 2): press D');
    expect(f).toMatch(/v3\*\s+2026/);
    expect(f).toMatch(/v1\*\s+2026/);
    await a.press('D');
    const g = await a.waitFor((fr) => fr.includes('Diff: data.csv@1 → data.csv@3') && !fr.includes('Computing'));
    // the table grid: old │ new, changed cells marked with *
    expect(g).toMatch(/~ 1 │\s+\*a\s+│\s+\*z/);
    // m again unmarks
    await a.press(KEYS.escape, 'm');
    await a.waitFor('Unmarked data.csv@1.');
  });
});

describe('filters (/, n, N, Esc)', () => {
  test('files by path: live while typing, shown in the title, Esc clears', async () => {
    await tv.write('other.csv', 'x\n1\n');
    await save(tv.vault, { files: ['other.csv'], message: 'other' });
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('/');
    await a.waitFor('Filter files');
    await typeText(a, 'json');
    // live: the list is already filtered while the prompt is open
    let f = await a.waitFor('Files /json (1 of 3)');
    expect(f).not.toMatch(/data\.csv\s+saved/);
    await a.press(KEYS.enter);
    f = await a.waitFor((fr) => !fr.includes('Filter files') && fr.includes('History: notes.json'));
    expect(f).toContain('Files /json (1 of 3)');
    // Esc clears the filter
    await a.press(KEYS.escape);
    f = await a.waitFor('Filter cleared (files).');
    expect(f).toMatch(/data\.csv\s+saved/);
    expect(f).not.toContain('/json');
    // Esc in the prompt leaves the filter as it was
    await a.press('/');
    await typeText(a, 'csv');
    await a.waitFor('Files /csv (2 of 3)');
    await a.press(KEYS.escape);
    await a.waitFor((fr) => !fr.includes('/csv') && fr.includes('notes.json'));
  });

  test('versions by description, tag, experiment and date; n / N wrap through the matches', async () => {
    await tv.write('data.csv', 'id,value\n1,q\n');
    await save(tv.vault, { files: ['data.csv'], message: 'fix again', experiment: 'exp-7' });
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press(KEYS.tab, '/');
    await a.waitFor('Filter versions');
    await typeText(a, 'exp-7');
    await a.press(KEYS.enter);
    let f = await a.waitFor('History: data.csv /exp-7 (2 of 3)');
    expect(f).not.toContain('first measurements');
    expect(f).toMatch(/› v3 /);
    await a.press('n');
    await a.waitFor(/› v2 /);
    await a.press('n');
    await a.waitFor(/› v3 /);
    await a.press('N');
    await a.waitFor(/› v2 /);
    // by description words (all must match) and by date
    await a.press('/', '\u0015');
    await typeText(a, 'FIX row');
    await a.press(KEYS.enter);
    f = await a.waitFor('/FIX row (1 of 3)');
    expect(f).toContain('fix row 2, add row 3');
    await a.press('/', '\u0015');
    await typeText(a, '2026-05-01 first');
    await a.press(KEYS.enter);
    await a.waitFor((fr) => fr.includes('(1 of 3)') && fr.includes('first measurements'));
    // no filter: n says how to get one
    await a.press(KEYS.escape);
    await a.waitFor('Filter cleared (versions).');
    await a.press('n');
    await a.waitFor('No filter on this list');
  });
});

describe('status at a glance', () => {
  test('header: last save, verify state, queued pushes, 3-2-1; a file equal to an older version shows = v1', async () => {
    await tv.write('data.csv', 'id,value\n1,a\n2,b\n');
    const a = start();
    // the health record and the copies report arrive separately
    const f = await a.waitFor(/saved 9 min ago · verify – · 0 queued · 3-2-1 ✗ 0\/3/);
    expect(f).toMatch(/data\.csv\s+= v1\s+v2 ×2/);
    await a.press('v');
    await a.waitFor('verify ✓');
  });

  test('queued pushes show in the header', async () => {
    const cfgFile = path.join(tv.dir, 'savepoint.json');
    const cfg = JSON.parse(await fsp.readFile(cfgFile, 'utf8'));
    await fsp.writeFile(cfgFile, JSON.stringify({ ...cfg, remotes: { nas: { url: 'http://127.0.0.1:9/nowhere.git', autoPush: true } } }));
    await tv.write('data.csv', 'id,value\nqueued\n');
    const a = start();
    await a.waitFor(/data\.csv\s+modified/);
    await a.press('s');
    await typeText(a, 'push me');
    await a.press(KEYS.enter, KEYS.enter);
    const f = await a.waitFor((fr) => fr.includes('1 push queued') && fr.includes('Saved data.csv@3.'));
    expect(f).toContain('After the save, the push to nas did not complete');
  });
});

describe('help', () => {
  test('the help is longer than the screen: it scrolls with j / PgDn, any other key closes it', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('?');
    const f = await a.waitFor('Savepoint keys');
    expect(f).toMatch(/\(1–\d+ of \d+; j\/k, PgDn\/PgUp scroll\)/);
    expect(f).toContain('save every modified and new file');
    expect(f).not.toContain('close the help');
    await a.press(KEYS.pageDown);
    const g = await a.waitFor((fr) => !fr.includes('move the cursor up') && fr.includes('Savepoint keys'));
    expect(g).toContain('diff the two marked versions');
    for (let i = 0; i < 4; i++) await a.press(KEYS.pageDown);
    await a.waitFor('close the help');
    await a.press('k');
    await a.waitFor((fr) => fr.includes('Savepoint keys') && !fr.includes('close the help'));
    await a.press('x');
    await a.waitFor((fr) => !fr.includes('Savepoint keys'));
  });
});
