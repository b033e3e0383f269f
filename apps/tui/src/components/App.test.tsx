import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { log, save, status, tagVersion } from '@savepoint/core';
import { makeTempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import { closeApp, drive, KEYS, seedBrowsingVault } from '../testing/harness.js';
import type { Driven } from '../testing/harness.js';

let tv: TempVault;
let app: Driven | null = null;

beforeEach(async () => {
  tv = await makeTempVault();
  await seedBrowsingVault(tv);
});

afterEach(async () => {
  await closeApp(app, tv.dir);
  app = null;
});

const start = (extra: Partial<Parameters<typeof drive>[0]> = {}) => {
  app = drive({ dir: tv.dir, clock: tv.clock, author: { name: 'Ada Tester', email: 'ada@example.test' }, color: false, ...extra });
  return app;
};

describe('browsing', () => {
  test('lists files with state and counts, and the history of the selected file', async () => {
    const a = start();
    const f = await a.waitFor('History: data.csv');
    expect(f).toMatch(/› data\.csv\s+saved\s+v2 ×2/);
    expect(f).toMatch(/notes\.json\s+saved\s+v1 ×1/);
    expect(f).toMatch(/v2\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+·\s+fix row 2, add row 3/);
    expect(f).toContain('first measurements');
    await a.press('j');
    const g = await a.waitFor('History: notes.json');
    expect(g).toContain('run notes');
    expect(g).not.toContain('first measurements');
  });

  test('tags show in the history and the detail', async () => {
    await tagVersion(tv.vault, { address: 'data.csv@1', name: 'baseline' });
    const a = start();
    const f = await a.waitFor('[baseline]');
    expect(f).toMatch(/v1\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+·\s+\[baseline\] first meas/);
    await a.press(KEYS.tab, 'j', KEYS.enter);
    await a.waitFor(/Tags\s+baseline/);
  });

  test('Enter opens the history, then the detail of the selected version', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press(KEYS.enter, 'j', KEYS.enter);
    const f = await a.waitFor('Detail: data.csv@1');
    const [rec] = (await log(tv.vault, { path: 'data.csv' })).filter((v) => v.version === 1);
    expect(f).toContain(rec!.sha256);
    expect(f).toContain('first measurements');
    expect(f).not.toMatch(/Commit\s+[0-9a-f]{40}/);
    // the detail is longer than its pane: PgDn pages it
    await a.press(KEYS.pageDown);
    const g = await a.waitFor(/Commit\s+[0-9a-f]{40}/);
    expect(g).toContain(rec!.commit);
    // Esc closes the view again
    await a.press(KEYS.escape);
    await a.waitFor((fr) => !fr.includes('Detail:'));
  });

  test('Tab switches the focused pane (double border)', async () => {
    const a = start();
    const f = await a.waitFor('History: data.csv');
    // the focused pane's title sits between double vertical bars: ║Files … ║
    const focused = (fr: string) => (/║(Files|History)/.exec(fr) ?? [])[1];
    expect(focused(f)).toBe('Files');
    await a.press(KEYS.tab);
    await a.waitFor((fr) => focused(fr) === 'History');
    await a.press(KEYS.tab);
    await a.waitFor((fr) => focused(fr) === 'Files');
  });

  test('d shows the data diff of a version against the previous one, w against the working file', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press(KEYS.tab, 'd');
    const f = await a.waitFor((fr) => fr.includes('Diff: data.csv@1 → data.csv@2') && !fr.includes('Computing'));
    // a table diff is a side-by-side grid (old │ new); a changed cell carries a * marker
    expect(f).toMatch(/row\s+│\s+id\s+value\s+│\s+id\s+value/);
    expect(f).toMatch(/~ 2\s+│\s+2\s+\*b\s+│\s+2\s+\*B/);
    expect(f).toMatch(/\+ 3\s+│\s+│\s+\*3\s+\*c/);
    await tv.write('data.csv', 'id,value\n1,a\n2,B\n3,c\n4,d\n');
    await a.press('w');
    const g = await a.waitFor((fr) => fr.includes('data.csv@2 → working file') && /\+ 4\s+│\s+│\s+\*4\s+\*d/.test(fr));
    expect(g).not.toContain('*b');
  });

  test('a long diff pages with PgDn / PgUp', async () => {
    const rows = (f: (i: number) => string) => 'id,value\n' + Array.from({ length: 120 }, (_, i) => `${i},${f(i)}`).join('\n') + '\n';
    await tv.write('big.csv', rows(() => 'old'));
    await save(tv.vault, { files: ['big.csv'], message: 'big 1' });
    await tv.write('big.csv', rows((i) => `new${i}`));
    await save(tv.vault, { files: ['big.csv'], message: 'big 2' });
    const a = start();
    await a.waitFor('History: big.csv');
    await a.press(KEYS.tab, 'd');
    const f = await a.waitFor((fr) => fr.includes('Diff: big.csv@1 → big.csv@2') && fr.includes('row 1/120'));
    expect(f).toMatch(/~ 1\s+│\s+0\s+\*old\s+│\s+0\s+\*new0\s/);
    expect(f).not.toContain('*new40');
    // PgDn pages the grid's rows whichever pane has focus
    await a.press(KEYS.pageDown);
    const g = await a.waitFor((fr) => /row (\d+)\/120/.test(fr) && !fr.includes('row 1/120'));
    const at = Number(/row (\d+)\/120/.exec(g)![1]);
    expect(g).not.toMatch(/\*new0\s/);
    expect(g).toContain(`*new${at - 1}`);
    // with the view focused, G / End go to its last row
    await a.press(KEYS.tab, 'G');
    const h = await a.waitFor('row 120/120');
    expect(h).toContain('*new119');
    await a.press(KEYS.pageUp);
    await a.waitFor((fr) => /row \d+\/120/.test(fr) && !fr.includes('row 120/120'));
  });

  test('a diff that cannot be made shows the error code in the pane', async () => {
    await fsp.rm(path.join(tv.dir, 'data.csv'));
    const a = start();
    await a.waitFor(/data\.csv\s+missing/);
    await a.press('d');
    const f = await a.waitFor('[E_FILE_NOT_FOUND]');
    expect(f).toContain('Diff: data.csv@2 → working file');
    await a.press('w');
    await a.waitFor((fr) => fr.includes('Diff: data.csv@1 → data.csv@2') && /\*b\s+│\s+2\s+\*B/.test(fr));
  });

  test('? shows the keys, any key closes them', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('?');
    await a.waitFor('Savepoint keys');
    await a.press('x');
    await a.waitFor((fr) => !fr.includes('Savepoint keys') && fr.includes('History: data.csv'));
  });

  test('with color off no escape sequence reaches the terminal', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press(KEYS.tab, 'd');
    await a.waitFor((fr) => fr.includes('Diff: data.csv@1 → data.csv@2') && !fr.includes('Computing'));
    for (const fr of a.frames) expect(fr).not.toMatch(/\u001b\[/);
  });
});

describe('restore', () => {
  test('asks first, saves the unsaved working copy, restores and shows the pre-restore save', async () => {
    await tv.write('data.csv', 'id,value\nunsaved,work\n');
    const a = start();
    await a.waitFor(/data\.csv\s+modified/);
    await a.press(KEYS.tab, 'j', 'r');
    const f = await a.waitFor('unsaved changes: they will be saved first');
    expect(f).toContain('Restore data.csv@1?');
    // n cancels: nothing changes
    await a.press('n');
    await a.waitFor((fr) => !fr.includes('Restore data.csv@1?'));
    expect(await fsp.readFile(path.join(tv.dir, 'data.csv'), 'utf8')).toBe('id,value\nunsaved,work\n');
    await a.press('r');
    await a.waitFor('y / Enter restore');
    await a.press('y');
    const g = await a.waitFor('Restored data.csv@1');
    expect(g).toContain('saved first as data.csv@3 (pre-restore snapshot)');
    expect(await fsp.readFile(path.join(tv.dir, 'data.csv'), 'utf8')).toBe('id,value\n1,a\n2,b\n');
    expect(g).toContain('Recorded as data.csv@4');
    const [v4, v3] = await log(tv.vault, { path: 'data.csv' });
    expect(v3).toMatchObject({ version: 3, kind: 'pre-restore' });
    expect(v4).toMatchObject({ version: 4, kind: 'restore', restoredFrom: 1 });
    await a.press('x');
    const h = await a.waitFor((fr) => fr.includes('pre-restore save: data.csv@3') && /v4\s+2026/.test(fr));
    // the restore is recorded as v4 (v1's content): the working file equals the latest version
    expect(h).toMatch(/data\.csv\s+saved\s+v4 ×4/);
    expect(h).toMatch(/v3\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+·\s+Pre-restore snapshot/);
    expect(h).toMatch(/v4\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+·\s+Restore data\.csv to v1/);
    // the cursor stays on the restored version although a newer one appeared above it
    expect(h).toMatch(/› v1 /);
  });

  test('the pre-restore snapshot goes through the after-save pipeline: exports refreshed, a failed push shown and queued', async () => {
    const cfgFile = path.join(tv.dir, 'savepoint.json');
    const cfg = JSON.parse(await fsp.readFile(cfgFile, 'utf8'));
    await fsp.writeFile(cfgFile, JSON.stringify({ ...cfg, remotes: { nas: { url: 'http://127.0.0.1:9/nowhere.git', autoPush: true } } }));
    await tv.write('data.csv', 'id,value\nunsaved,work\n');
    const a = start();
    await a.waitFor(/data\.csv\s+modified/);
    await a.press(KEYS.tab, 'j', 'r');
    await a.waitFor('y / Enter restore');
    await a.press('y');
    const g = await a.waitFor('Restored data.csv@1');
    expect(g).toContain('After that save: a push did not complete; it is retried on the next save or by savepoint');
    const manifest = JSON.parse(await fsp.readFile(path.join(tv.dir, 'backups', 'manifest.json'), 'utf8'));
    expect(manifest.files.filter((f: { path: string }) => f.path === 'data.csv').map((f: { version: number }) => f.version)).toEqual([1, 2, 3, 4]);
    expect(await fsp.readFile(path.join(tv.vault.gitdir, 'savepoint', 'push-queue.json'), 'utf8')).toContain('"nas"');
  });

  test('restoring over a working copy that is already saved says so and makes no snapshot', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press(KEYS.tab, 'j', 'r');
    await a.waitFor('currently matches saved version 2');
    await a.press(KEYS.enter);
    const f = await a.waitFor('Restored data.csv@1');
    expect(f).not.toContain('pre-restore');
    expect((await status(tv.vault)).find((s) => s.path === 'data.csv')).toMatchObject({ state: 'unchanged', versions: 3, latestVersion: 3 });
  });
});

describe('verify', () => {
  test('shows progress, then results, and the versions are marked ✓', async () => {
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('v');
    const f = await a.waitFor('✓ OK');
    expect(f).toMatch(/verified 3 · corrupted 0 · missing 0/);
    expect(f).toContain('All stored versions match their checksum notes.');
    await a.waitFor(/v2\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+✓/);
    expect(a.frames.some((fr) => fr.includes('Verifying…') || /\[[#-]+\]/.test(fr))).toBe(true);
  });

  test('a damaged object is reported with its version, the app keeps running', async () => {
    const [v1] = (await log(tv.vault, { path: 'data.csv' })).filter((v) => v.version === 1);
    const obj = path.join(tv.dir, '.git', 'objects', v1!.blob.slice(0, 2), v1!.blob.slice(2));
    await fsp.chmod(obj, 0o644);
    await fsp.writeFile(obj, Buffer.from('not a zlib stream'));
    const a = start();
    await a.waitFor('History: data.csv');
    await a.press('v');
    const f = await a.waitFor('✗ PROBLEMS');
    expect(f).toMatch(/(CORRUPTED|MISSING)\s+data\.csv@1/);
    expect(f).toContain('[E_VERIFY_FAILED]');
    // the version that verified is marked, the damaged one is not
    await a.waitFor(/v2\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+✓/);
    expect(a.frame()).toMatch(/v1\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+·/);
    await a.press(KEYS.tab, 'j');
    await a.waitFor('History: notes.json');
  });
});

describe('errors', () => {
  test('a folder that is not a vault shows the error code instead of crashing', async () => {
    const dir = await fsp.mkdtemp(path.join(path.dirname(tv.dir), 'plain-'));
    app = drive({ dir, color: false });
    const f = await app.waitFor('[E_NOT_A_VAULT]');
    expect(f).toContain('q quit');
  });
});
