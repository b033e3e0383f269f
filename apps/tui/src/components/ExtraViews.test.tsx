import { afterEach, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { applyRetention, log, planVaultRetention, readHealth, save } from '@savepoint/core';
import { makeTempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import { drive, KEYS, removeVault } from '../testing/harness.js';
import type { Driven } from '../testing/harness.js';

let tv: TempVault;
let app: Driven | null = null;

afterEach(async () => {
  await app?.idle().catch(() => undefined);
  app?.unmount();
  app = null;
  if (tv) await removeVault(tv.dir);
});

const start = () => (app = drive({ dir: tv.dir, clock: tv.clock, author: { name: 'Ada Tester', email: 'ada@example.test' }, color: false }));
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

describe('archives', () => {
  test('A lists archives with period, size, versions and check status; Enter lists the versions; v checks; r restores one', async () => {
    tv = await makeTempVault();
    const contents: string[] = [];
    for (let i = 1; i <= 4; i++) {
      contents.push(`id,value\n1,${i}\n`);
      await tv.write('data.csv', contents[i - 1]!);
      await save(tv.vault, { files: ['data.csv'], message: `run ${i}` });
    }
    const applied = await applyRetention(tv.vault, await planVaultRetention(tv.vault, { overrides: { keepLast: 2 } }));
    expect(applied.archived).toBe(2);
    const file = applied.archives[0]!.file;
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('A');
    let f = await a.waitFor((fr) => fr.includes(path.basename(file)) && !fr.includes('reading…'));
    expect(f).toMatch(new RegExp(`daily\\s+.*${path.basename(file).replace(/\./g, '\\.')}.*\\s+\\d+(\\.\\d+)? (B|KiB)\\s+2 versions\\s+not checked`));
    await a.press('v');
    f = await a.waitFor('✓ 2 verified');
    expect(f).toContain(`${file}: all 2 archived versions match their checksums.`);
    await a.press(KEYS.enter);
    f = await a.waitFor(`Archive ${file}`);
    expect(f).toMatch(new RegExp(`› data\\.csv@1\\s+2026-05-01 \\d\\d:\\d\\dZ\\s+\\d+ B\\s+${sha(contents[0]!).slice(0, 12)}`));
    expect(f).toMatch(/data\.csv@2\s+2026-05-01/);
    await a.press('j');
    await a.waitFor('2/2');
    await a.press('k', 'r');
    await a.waitFor((fr) => fr.includes('Restore data.csv@1?') && fr.includes('y / Enter restore'));
    await a.press('y');
    await a.waitFor('Restored data.csv@1');
    expect(await fsp.readFile(path.join(tv.dir, 'data.csv'), 'utf8')).toBe(contents[0]);
    const [newest] = await log(await tv.reopen(), { path: 'data.csv' });
    expect(newest).toMatchObject({ kind: 'restore', restoredFrom: 1, sha256: sha(contents[0]!) });
    // back out: the versions list, the archive list, the main screen
    await a.press('x', KEYS.escape);
    await a.waitFor((fr) => fr.includes('Archives') && !fr.includes(`Archive ${file}`));
    await a.press(KEYS.escape);
    await a.waitFor('History: data.csv');
  });

  test('a vault without archives says how to make some', async () => {
    tv = await makeTempVault();
    await tv.write('data.csv', 'x\n');
    await save(tv.vault, { files: ['data.csv'] });
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('A');
    await a.waitFor('No archives yet');
  });
});

describe('experiments', () => {
  test('E lists experiments with files and version counts; Enter lists versions; Enter goes to the version in its history', async () => {
    tv = await makeTempVault();
    await tv.write('data.csv', 'a\n1\n');
    await tv.write('model.json', '{"lr": 0.1}\n');
    await save(tv.vault, { files: ['data.csv', 'model.json'], message: 'baseline', experiment: 'exp-1' });
    await tv.write('data.csv', 'a\n2\n');
    await save(tv.vault, { files: ['data.csv'], message: 'tweak', experiment: 'exp-2' });
    await tv.write('model.json', '{"lr": 0.05}\n');
    await save(tv.vault, { files: ['model.json'], message: 'lower lr', experiment: 'exp-2' });
    await tv.write('data.csv', 'a\n3\n');
    await save(tv.vault, { files: ['data.csv'], message: 'no experiment' });
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('E');
    let f = await a.waitFor('exp-1');
    expect(f).toMatch(/› exp-2\s+2 versions\s+2026-05-01 \d\d:\d\dZ\s+data\.csv, model\.json/);
    expect(f).toMatch(/exp-1\s+2 versions/);
    await a.press(KEYS.enter);
    f = await a.waitFor('Experiment exp-2');
    expect(f).toMatch(/› model\.json@2\s+.*lower lr/);
    expect(f).toMatch(/data\.csv@2\s+.*tweak/);
    expect(f).not.toContain('no experiment');
    await a.press('j', KEYS.enter);
    f = await a.waitFor((fr) => fr.includes('History: data.csv') && fr.includes('║› v2'));
    expect(f).toMatch(/║› v2\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+·\s+tweak/);
  });
});

describe('table and JSON diffs', () => {
  test('a wide table scrolls its columns with ← →, Enter shows every cell of the row', async () => {
    tv = await makeTempVault();
    const cols = Array.from({ length: 14 }, (_, i) => `column_${i}`);
    const row = (v: (i: number) => string) => cols.map((_, i) => v(i)).join(',');
    await tv.write('wide.csv', `${cols.join(',')}\n${row((i) => `a${i}`)}\n${row((i) => `b${i}`)}\n`);
    await save(tv.vault, { files: ['wide.csv'], message: 'one' });
    await tv.write('wide.csv', `${cols.join(',')}\n${row((i) => `a${i}`)}\n${row((i) => (i === 13 ? 'LAST' : `b${i}`))}\n`);
    await save(tv.vault, { files: ['wide.csv'], message: 'two' });
    const a = start();
    await a.waitFor('History: wide.csv');
    await a.press(KEYS.tab, 'd');
    let f = await a.waitFor((fr) => fr.includes('Diff: wide.csv@1 → wide.csv@2') && /cols\s+1-\d+\/14▶/.test(fr));
    expect(f).not.toContain('LAST');
    await a.press(KEYS.tab);
    for (let i = 0; i < 13; i++) await a.press(KEYS.right);
    f = await a.waitFor(/cols ◀14-14\/14/);
    expect(f).toMatch(/~ 2\s+│\s+\*b13\s+│\s+\*LAST/);
    await a.press('h');
    await a.waitFor(/cols ◀13-14\/14/);
    await a.press(KEYS.enter);
    f = await a.waitFor('all cells of the row');
    expect(f).toMatch(/\* column_13\s+b13 → LAST/);
    await a.press(KEYS.escape);
    await a.waitFor((fr) => !fr.includes('all cells of the row') && /cols ◀13-14/.test(fr));
    // every frame fits the terminal width
    for (const fr of a.frames) for (const line of fr.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });

  test('a JSON diff is a tree of changed paths', async () => {
    tv = await makeTempVault();
    await tv.write('run.json', JSON.stringify({ params: { lr: 0.1, depth: 3 }, tags: ['a'] }));
    await save(tv.vault, { files: ['run.json'], message: 'one' });
    await tv.write('run.json', JSON.stringify({ params: { lr: 0.05, depth: 3, dropout: 0.2 }, tags: ['a'] }));
    await save(tv.vault, { files: ['run.json'], message: 'two' });
    const a = start();
    await a.waitFor('History: run.json');
    await a.press(KEYS.tab, 'd');
    const f = await a.waitFor((fr) => fr.includes('Diff: run.json@1 → run.json@2') && fr.includes('lr: 0.1 → 0.05'));
    expect(f).toMatch(/│\s+params\s+│/);
    expect(f).toMatch(/~\s{3}lr: 0\.1 → 0\.05/);
    expect(f).toMatch(/\+\s{3}dropout: 0\.2/);
  });
});

describe('scale and feel', () => {
  test('the mouse wheel scrolls the list under the pointer', async () => {
    tv = await makeTempVault();
    for (let i = 1; i <= 30; i++) {
      await tv.write('data.csv', `v\n${i}\n`);
      await save(tv.vault, { files: ['data.csv'], message: `run ${i}` });
    }
    const a = start();
    await a.waitFor('History: data.csv');
    // wheel down twice over the history pane (right of the files pane, row 4)
    await a.press('\u001b[<65;70;4M', '\u001b[<65;70;4M');
    const f = await a.waitFor('7/30');
    expect(f).toMatch(/║› v24\s/);
    await a.press('\u001b[<64;70;4M');
    await a.waitFor('4/30');
    // no stray keys came out of the reports (the sequence holds digits, "M" and "<")
    expect(a.frame()).not.toContain('Savepoint keys');
  });

  test('Esc cancels a running verify: nothing is marked and no failed verify is recorded', async () => {
    tv = await makeTempVault();
    const big = Buffer.alloc(48 * 1024 * 1024, 7);
    for (let i = 0; i < 3; i++) {
      big[i] = 1;
      await tv.write(`big-${i}.bin`, big);
      await save(tv.vault, { files: [`big-${i}.bin`] });
    }
    const before = (await readHealth(tv.vault, { sizes: false })).verify;
    const a = start();
    await a.waitFor('History: big-0.bin');
    await a.press('v');
    await a.waitFor('Verifying…');
    await a.press(KEYS.escape);
    const f = await a.waitFor('Verify cancelled');
    expect(f).toContain('nothing was marked');
    expect((await log(await tv.reopen())).every((v) => v.status !== 'verified')).toBe(true);
    expect((await readHealth(await tv.reopen(), { sizes: false })).verify).toEqual(before);
  }, 60_000);
});

describe('terminal size', () => {
  test('works at 80×24 (history, table diff, archives) and adapts when the terminal is resized', async () => {
    tv = await makeTempVault();
    for (let i = 1; i <= 4; i++) {
      await tv.write('results.csv', `run,score,notes\n1,${i},first\n2,${i * 2},second\n`);
      await save(tv.vault, { files: ['results.csv'], message: `run ${i}` });
    }
    await applyRetention(tv.vault, await planVaultRetention(tv.vault, { overrides: { keepLast: 2 } }));
    const a = start();
    a.resize(80, 24);
    const fits = (w: number, h: number) => (fr: string) => {
      const lines = fr.split('\n');
      return lines.length <= h && lines.every((l) => [...l].length <= w);
    };
    await a.waitFor((fr) => fr.includes('History: results.csv') && fr.split('\n')[0]!.length <= 80);
    const shown = a.frames.length;
    await a.press(KEYS.tab, 'd');
    await a.waitFor((fr) => fr.includes('Diff: results.csv@3 → results.csv@4') && fr.includes('*4'));
    await a.press(KEYS.escape, KEYS.escape, 'A');
    await a.waitFor((fr) => fr.includes('2 versions') && !fr.includes('reading…'));
    for (const fr of a.frames.slice(shown)) expect(fits(80, 24)(fr), fr).toBe(true);
    a.resize(120, 40);
    const wide = await a.waitFor((fr) => fr.split('\n').some((l) => [...l].length > 100));
    expect(fits(120, 40)(wide)).toBe(true);
    expect(wide.split('\n').length).toBeGreaterThan(24);
  });
});
