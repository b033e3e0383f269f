/**
 * Live SQLite databases (issue 19 item 3 / issue 14 item 1): a real writer process keeps its WAL connection
 * open and keeps inserting while we save; the saved version holds every row committed before the save, passes
 * integrity_check, and restores; -wal/-shm are refused; restore refuses while the writer holds the database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log } from './query.js';
import { restore } from './restore.js';
import { status } from './status.js';

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * A writer in another process: WAL mode, automatic checkpoints off (every committed row stays in the -wal, as
 * with a busy app between checkpoints), connection held open. Commands on stdin, one per line:
 * `insert N` (N rows, one transaction each) · `stream` (keep inserting every few ms) · `pause` · `lock` (BEGIN
 * IMMEDIATE + an uncommitted row) · `commit` · `checkpoint` · `close`. Replies `ok <rows committed>`.
 */
const WRITER = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.pragma('wal_autocheckpoint = 0');
db.exec('CREATE TABLE IF NOT EXISTS obs (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
const ins = db.prepare('INSERT INTO obs (value) VALUES (?)');
const count = () => db.prepare('SELECT count(*) AS n FROM obs').get().n;
let timer = null;
const reply = () => process.stdout.write('ok ' + count() + '\\n');
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(' ');
  if (cmd === 'insert') { for (let i = 0; i < Number(arg); i++) ins.run('row-' + i + '-' + 'x'.repeat(200)); reply(); }
  else if (cmd === 'stream') { timer = setInterval(() => ins.run('streamed'), 2); reply(); }
  else if (cmd === 'pause') { clearInterval(timer); timer = null; reply(); }
  else if (cmd === 'lock') { db.exec('BEGIN IMMEDIATE'); ins.run('uncommitted'); process.stdout.write('ok locked\\n'); }
  else if (cmd === 'commit') { db.exec('COMMIT'); reply(); }
  else if (cmd === 'checkpoint') { db.pragma('wal_checkpoint(TRUNCATE)'); reply(); }
  else if (cmd === 'close') { clearInterval(timer); db.close(); process.stdout.write('ok closed\\n'); process.exit(0); }
});
process.stdout.write('ok ready\\n');
`;

interface Writer {
  send(cmd: string): Promise<string>;
  proc: ChildProcessWithoutNullStreams;
}

const writers: ChildProcessWithoutNullStreams[] = [];

async function startWriter(db: string): Promise<Writer> {
  const proc = spawn(process.execPath, ['-e', WRITER, DRIVER, db], { stdio: ['pipe', 'pipe', 'pipe'] });
  writers.push(proc);
  let buf = '';
  const waiting: ((line: string) => void)[] = [];
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  proc.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiting.shift()?.(line);
    }
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`writer did not answer: ${stderr}`)), 20_000);
      waiting.push((l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
  const ready = next();
  await ready;
  return {
    proc,
    send(cmd) {
      const r = next();
      proc.stdin.write(cmd + '\n');
      return r;
    },
  };
}

let t: TempVault;
afterEach(async () => {
  for (const w of writers.splice(0)) w.kill('SIGKILL');
  await t?.cleanup();
});

function rows(file: string): { n: number; maxId: number; integrity: string } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const r = db.prepare('SELECT count(*) AS n, coalesce(max(id), 0) AS maxId FROM obs').get() as { n: number; maxId: number };
    return { ...r, integrity: String(db.pragma('integrity_check', { simple: true })) };
  } finally {
    db.close();
  }
}

const exists = (f: string) => fsp.stat(f).then(() => true, () => false);

describe('SQLite databases', () => {
  it('saves a consistent snapshot of a live WAL database while a writer keeps its connection and keeps inserting', async () => {
    t = await makeTempVault();
    const db = path.join(t.dir, 'lab.db');
    const w = await startWriter(db);
    expect(await w.send('insert 500')).toBe('ok 500');
    // the committed rows live in the WAL: the database file alone has none of them
    expect((await fsp.stat(`${db}-wal`)).size).toBeGreaterThan(100_000);
    await w.send('stream');
    const r = await save(t.vault, { files: ['lab.db'], message: 'live' });
    const committedAfter = Number((await w.send('pause')).split(' ')[1]);
    expect(r.files[0]).toMatchObject({ status: 'saved', version: 1 });

    const out = path.join(t.dir, 'copy.db');
    await restore(t.vault, { address: 'lab.db@1', to: 'copy.db' });
    const got = rows(out);
    expect(got.integrity).toBe('ok');
    expect(got.n).toBeGreaterThanOrEqual(500);
    expect(got.n).toBeLessThanOrEqual(committedAfter);
    expect(got.maxId).toBe(got.n); // a consistent prefix of the writer's transactions, no gaps

    const note = JSON.parse(t.git(['notes', '--ref=savepoint', 'show', 'main']));
    expect(note.files['lab.db'].sqlite).toEqual({ pageSize: 4096, pages: expect.any(Number), journalMode: 'wal', integrity: 'ok' });
    expect(note.files['lab.db'].sqlite.pages * 4096).toBe(note.files['lab.db'].size);
    const [v1] = await log(t.vault, { path: 'lab.db' });
    expect(v1!.sqlite).toMatchObject({ journalMode: 'wal' });
    // nothing raw: no -wal/-shm in the commit, no snapshot left in the temp folder
    expect(t.git(['ls-tree', '-r', '--name-only', 'main']).split('\n')).not.toContain('lab.db-wal');
    expect(await fsp.readdir(path.join(t.dir, '.git/savepoint/tmp'))).toEqual([]);
    t.git(['fsck', '--strict']);
  }, 60_000);

  it('a database with no new rows is unchanged (save and status), also after a checkpoint moves the WAL into the file', async () => {
    t = await makeTempVault();
    const db = path.join(t.dir, 'lab.db');
    const w = await startWriter(db);
    await w.send('insert 50');
    expect((await save(t.vault, { files: ['lab.db'] })).files[0]!.status).toBe('saved');
    expect((await save(t.vault, { files: ['lab.db'] })).files[0]!.status).toBe('unchanged');
    expect((await status(t.vault)).find((s) => s.path === 'lab.db')).toMatchObject({ state: 'unchanged' });
    await w.send('checkpoint');
    expect((await status(t.vault)).find((s) => s.path === 'lab.db')).toMatchObject({ state: 'unchanged' });
    expect((await save(t.vault, { files: ['lab.db'] })).files[0]!.status).toBe('unchanged');
    await w.send('insert 1');
    expect((await status(t.vault)).find((s) => s.path === 'lab.db')).toMatchObject({ state: 'modified' });
    expect((await save(t.vault, { files: ['lab.db'] })).files[0]).toMatchObject({ status: 'saved', version: 2 });
  }, 60_000);

  it('refuses -wal and -shm files and a database that fails integrity_check, saving nothing', async () => {
    t = await makeTempVault();
    const db = path.join(t.dir, 'lab.db');
    const w = await startWriter(db);
    await w.send('insert 5');
    const tip = t.git(['rev-parse', 'main']);
    await expect(save(t.vault, { files: ['lab.db-wal'] })).rejects.toMatchObject({ code: 'E_DB_SIDECAR', message: expect.stringContaining('savepoint save lab.db') });
    await expect(save(t.vault, { files: ['lab.db-shm'] })).rejects.toMatchObject({ code: 'E_DB_SIDECAR' });
    await w.send('close');

    // an index that disagrees with its table: opens fine, fails integrity_check
    const bad = path.join(t.dir, 'broken.sqlite');
    const b = new Database(bad);
    b.exec("CREATE TABLE t (v TEXT); CREATE INDEX t_v ON t (v); INSERT INTO t VALUES ('alpha-000'), ('bravo-111'), ('charlie-222');");
    b.close();
    const bytes = await fsp.readFile(bad);
    const at = bytes.indexOf('bravo-111'); // first occurrence: the table's page (2), before the index's (3)
    expect(Math.floor(at / 4096) + 1).toBe(2);
    bytes.write('BRAVO', at, 'latin1');
    await fsp.writeFile(bad, bytes);
    await expect(save(t.vault, { files: ['broken.sqlite'] })).rejects.toMatchObject({ code: 'E_DB_INTEGRITY', message: expect.stringContaining('integrity check') });
    expect(t.git(['rev-parse', 'main'])).toBe(tip);
    expect(await fsp.readdir(path.join(t.dir, '.git/savepoint/tmp'))).toEqual([]);
  }, 60_000);

  it('detects a database by its header, not its name', async () => {
    t = await makeTempVault();
    const db = new Database(path.join(t.dir, 'measurements.bin'));
    db.exec('CREATE TABLE obs (id INTEGER PRIMARY KEY, value TEXT NOT NULL); INSERT INTO obs (value) VALUES (1);');
    db.close();
    await t.write('fake.db', 'not a database\n');
    await save(t.vault, { files: ['measurements.bin', 'fake.db'] });
    const note = JSON.parse(t.git(['notes', '--ref=savepoint', 'show', 'main']));
    expect(note.files['measurements.bin'].sqlite).toMatchObject({ journalMode: 'delete', integrity: 'ok' });
    expect(note.files['fake.db'].sqlite).toBeUndefined();
  });

  it('restore refuses while a writer holds a write lock or keeps the database open, then writes a consistent file and removes stale -wal/-shm', async () => {
    t = await makeTempVault();
    const db = path.join(t.dir, 'lab.db');
    const w = await startWriter(db);
    await w.send('insert 20');
    await save(t.vault, { files: ['lab.db'] });
    await w.send('insert 30');
    await save(t.vault, { files: ['lab.db'] });
    expect(await w.send('lock')).toBe('ok locked');
    // the database and its WAL byte for byte (-shm is SQLite's shared-memory index, rewritten by any reader)
    const snapshot = async () => Promise.all(['', '-wal'].map((s) => fsp.readFile(db + s).then((b) => createHash('sha256').update(b).digest('hex'), () => null)));
    const tip = t.git(['rev-parse', 'main']);
    const before = await snapshot();
    await expect(restore(t.vault, { address: 'lab.db@1' })).rejects.toMatchObject({ code: 'E_DB_BUSY', message: expect.stringContaining('write lock') });
    expect(await snapshot()).toEqual(before);
    expect(t.git(['rev-parse', 'main'])).toBe(tip);

    // committed but still open in WAL mode: its next writes would land in the replaced file
    await w.send('commit');
    await expect(restore(t.vault, { address: 'lab.db@1' })).rejects.toMatchObject({ code: 'E_DB_BUSY' });
    expect(t.git(['rev-parse', 'main'])).toBe(tip);
    expect(rows(db).n).toBe(51);

    await w.send('close');
    // a stale WAL left by some other database must not be applied to the restored one
    await fsp.writeFile(`${db}-shm`, Buffer.alloc(32768, 7));
    const r = await restore(t.vault, { address: 'lab.db@1' });
    expect(r).toMatchObject({ status: 'restored', preRestoreSave: { version: 3 }, recorded: { version: 4 } });
    expect(await exists(`${db}-wal`)).toBe(false);
    expect(await exists(`${db}-shm`)).toBe(false);
    expect(rows(db)).toEqual({ n: 20, maxId: 20, integrity: 'ok' });
    // the pre-restore snapshot kept the 51st row
    await restore(t.vault, { address: 'lab.db@3', to: 'before-restore.db' });
    expect(rows(path.join(t.dir, 'before-restore.db')).n).toBe(51);
    expect((await status(t.vault)).find((s) => s.path === 'lab.db')).toMatchObject({ state: 'unchanged', latestVersion: 4 });
  }, 60_000);
});
