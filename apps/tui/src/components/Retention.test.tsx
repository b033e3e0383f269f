import { afterEach, beforeEach, expect, test } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { log, save } from '@savepoint/core';
import { makeTempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import { closeApp, drive, KEYS } from '../testing/harness.js';
import type { Driven } from '../testing/harness.js';

let tv: TempVault;
let app: Driven | null = null;

beforeEach(async () => {
  tv = await makeTempVault({ config: { retention: { keepLast: 2 } } });
  for (let i = 1; i <= 4; i++) {
    await tv.write('data.csv', `id,value\n1,${i}\n`);
    await save(tv.vault, { files: ['data.csv'], message: `run ${i}` });
  }
  await tv.write('notes.json', '{"a": 1}\n');
  await save(tv.vault, { files: ['notes.json'], message: 'notes' });
});

afterEach(async () => {
  await closeApp(app, tv.dir);
  app = null;
});

const start = () => (app = drive({ dir: tv.dir, clock: tv.clock, author: { name: 'Ada Tester', email: 'ada@example.test' }, color: false }));

test('p shows the plan with reasons; nothing changes until a and y', async () => {
  const a = start();
  await a.waitFor('History: data.csv');
  await a.press('p');
  const f = await a.waitFor('keep 3 · archive 2 · delete 0');
  expect(f).toContain('policy: keep last 2');
  expect(f).toMatch(/ARCHIVE\s+data\.csv@2 .*no rule keeps it/);
  expect(f).toMatch(/ARCHIVE\s+data\.csv@1 .*no rule keeps it/);
  expect(f).toMatch(/KEEP\s+data\.csv@4 .*latest version/);
  expect(f).toContain('Nothing has changed yet');
  // the plan alone changed nothing
  expect((await log(tv.vault, { path: 'data.csv' })).filter((v) => v.archive)).toHaveLength(0);

  // a asks; n cancels
  await a.press('a');
  const g = await a.waitFor('Apply the retention plan?');
  expect(g).toMatch(/2 versions move into a checksummed archive under \.savepoint\/archive/);
  await a.press('n');
  await a.waitFor((fr) => !fr.includes('Apply the retention plan?'));
  expect((await log(tv.vault, { path: 'data.csv' })).filter((v) => v.archive)).toHaveLength(0);

  await a.press('a');
  await a.waitFor('y / Enter apply');
  await a.press('y');
  const h = await a.waitFor('Retention plan applied');
  expect(h).toContain('✓ 2 archived, 0 deleted');
  const archived = (await log(await tv.reopen(), { path: 'data.csv' })).filter((v) => v.archive);
  expect(archived.map((v) => v.version).sort()).toEqual([1, 2]);
  await a.press('x');
  const k = await a.waitFor((fr) => fr.includes('Retention applied: 2 archived, 0 deleted.') && /v1\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+archived/.test(fr));
  expect(k).toMatch(/v2\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+archived/);
  expect(k).toMatch(/data\.csv\s+saved\s+v4 ×4 \(2 archived\)/);
  expect(k).toContain('Retention plan (applied)');
  // an applied plan cannot be applied again
  await a.press('a');
  await a.waitFor('No current plan to apply');

  // archived versions stay verifiable
  await a.press('v');
  const v = await a.waitFor('✓ OK');
  expect(v).toMatch(/verified 5 · corrupted 0 · missing 0/);

  // and restorable: v1 comes back out of the archive
  await a.press(KEYS.escape, KEYS.escape, 'G', 'r');
  await a.waitFor('currently matches saved version 4');
  expect(a.frame()).toContain('Restore data.csv@1?');
  await a.press('y');
  await a.waitFor('Restored data.csv@1');
  expect(await fsp.readFile(path.join(tv.dir, 'data.csv'), 'utf8')).toBe('id,value\n1,1\n');
});

test('a plan made before the history moved is refused with its code', async () => {
  const a = start();
  await a.waitFor('History: data.csv');
  await a.press('p');
  await a.waitFor('archive 2');
  // another process saves meanwhile
  await tv.write('data.csv', 'id,value\n1,5\n');
  await save(await tv.reopen(), { files: ['data.csv'], message: 'run 5' });
  await a.press('a');
  await a.waitFor('y / Enter apply');
  await a.press('y');
  const f = await a.waitFor('The retention plan was not applied');
  expect(f).toContain('[E_HISTORY_DIVERGED]');
  expect((await log(await tv.reopen(), { path: 'data.csv' })).filter((v) => v.archive)).toHaveLength(0);
  await a.press('x');
  await a.waitFor((fr) => fr.includes('[E_HISTORY_DIVERGED]') && !fr.includes('The retention plan was not applied'));
});

test('with nothing to archive the plan says so and a does not ask', async () => {
  await tv.cleanup();
  tv = await makeTempVault();
  await tv.write('data.csv', 'x\n');
  await save(tv.vault, { files: ['data.csv'], message: 'one' });
  const a = start();
  await a.waitFor('History: data.csv');
  await a.press('p');
  await a.waitFor('Nothing to archive or delete under this policy.');
  await a.press('a');
  await a.waitFor('there is nothing to apply');
  expect(a.frame()).not.toContain('Apply the retention plan?');
});
