/** SQLite databases through the bundled CLI: snapshot saves of a live WAL database, exit codes of the refusals. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { git, sp, tempDir } from './helpers/cli.js';

// the driver the CLI itself ships with
const Database = createRequire(new URL('../apps/cli/package.json', import.meta.url))('better-sqlite3') as typeof BetterSqlite3;

let root: string;
let vault: string;
let live: BetterSqlite3.Database;

beforeAll(async () => {
  root = await tempDir();
  vault = path.join(root, 'lab');
  expect(sp(root, ['init', 'lab']).code).toBe(0);
  // an app that keeps its connection open; every committed row stays in lab.db-wal
  live = new Database(path.join(vault, 'lab.db'));
  live.pragma('journal_mode = WAL');
  live.pragma('wal_autocheckpoint = 0');
  live.exec('CREATE TABLE obs (id INTEGER PRIMARY KEY, t REAL)');
  const ins = live.prepare('INSERT INTO obs (t) VALUES (?)');
  for (let i = 0; i < 200; i++) ins.run(20 + i / 10);
});
afterAll(async () => {
  live?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

describe('savepoint and a live SQLite database', () => {
  it('saves every committed row of a WAL database that is open elsewhere; status says unchanged; the note has the sqlite block', async () => {
    const s = sp(vault, ['save', 'lab.db', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json.files[0]).toMatchObject({ path: 'lab.db', status: 'saved', version: 1 });
    expect(sp(vault, ['status', '--json']).json.files.find((f: { path: string }) => f.path === 'lab.db')).toMatchObject({ state: 'unchanged' });
    expect(sp(vault, ['save', 'lab.db', '--json']).json.files[0].status).toBe('unchanged');
    const note = JSON.parse(git(vault, ['notes', '--ref=savepoint', 'show', 'main']));
    expect(note.files['lab.db'].sqlite).toMatchObject({ pageSize: 4096, journalMode: 'wal', integrity: 'ok' });
    expect(sp(vault, ['restore', 'lab.db@1', '--to', 'copy.db']).code).toBe(0);
    const copy = new Database(path.join(vault, 'copy.db'), { readonly: true });
    expect(copy.prepare('SELECT count(*) AS n FROM obs').get()).toEqual({ n: 200 });
    copy.close();
  });

  it('refuses -wal (exit 6), a restore while the app holds a write lock (exit 11) and a corrupt database (exit 13), changing nothing', async () => {
    const tip = git(vault, ['rev-parse', 'main']);
    const wal = sp(vault, ['save', 'lab.db-wal', '--json']);
    expect(wal.code).toBe(6);
    expect(wal.json.error).toMatchObject({ code: 'E_DB_SIDECAR' });
    expect(sp(vault, ['save', 'lab.db-shm']).stderr).toMatch(/error \[E_DB_SIDECAR\].*savepoint save lab\.db/);

    live.prepare('INSERT INTO obs (t) VALUES (42)').run(); // a committed change: restoring v1 has work to do
    live.exec('BEGIN IMMEDIATE');
    live.prepare('INSERT INTO obs (t) VALUES (99)').run();
    const busy = sp(vault, ['restore', 'lab.db@1', '--json']);
    live.exec('ROLLBACK');
    expect(busy.code).toBe(11);
    expect(busy.json.error).toMatchObject({ code: 'E_DB_BUSY' });
    expect(live.prepare('SELECT count(*) AS n FROM obs').get()).toEqual({ n: 201 });

    const bad = path.join(vault, 'broken.sqlite');
    const b = new Database(bad);
    b.exec("CREATE TABLE t (v TEXT); CREATE INDEX t_v ON t (v); INSERT INTO t VALUES ('alpha-000'), ('bravo-111');");
    b.close();
    const bytes = await fsp.readFile(bad);
    bytes.write('BRAVO', bytes.indexOf('bravo-111'), 'latin1');
    await fsp.writeFile(bad, bytes);
    const corrupt = sp(vault, ['save', 'broken.sqlite', '--json']);
    expect(corrupt.code).toBe(13);
    expect(corrupt.json.error).toMatchObject({ code: 'E_DB_INTEGRITY' });
    expect(git(vault, ['rev-parse', 'main'])).toBe(tip);
  });
});
