/**
 * Live SQLite databases: detection by header, consistent snapshots through SQLite's online backup API
 * (WAL content included, other processes keep writing), and the checks restore makes before replacing one.
 * better-sqlite3 is a native module: it is imported only when a database is actually met, so `log`,
 * `status` of a CSV vault etc. never load it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { SavepointError } from '../errors.js';
import { trackTemp } from './cleanup.js';

/** The 16-byte header every SQLite 3 database file starts with. */
export const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Files SQLite keeps beside a database while it is in use; their bytes are meaningless without it. */
export const SQLITE_SIDECARS = ['-wal', '-shm', '-journal'] as const;
const WAL_MAGIC = [0x377f0682, 0x377f0683];

export interface SqliteInfo {
  pageSize: number;
  pages: number;
  /** journal mode of the live database when it was saved (wal, delete, …) */
  journalMode: string;
  integrity: 'ok';
}

type DatabaseCtor = typeof BetterSqlite3;
let ctor: Promise<DatabaseCtor> | null = null;
/**
 * Loaded with require, not import(): better-sqlite3 is CommonJS, and importing it from ESM makes Node load
 * and run its CommonJS export lexer first (a few ms of every `log`/`status`). The bundled CLI keeps it
 * external, so this resolves from the bundle's own folder there and from this package's in the workspace.
 */
export function loadDriver(): Promise<DatabaseCtor> {
  ctor ??= Promise.resolve().then(() => {
    const require = createRequire(import.meta.url);
    const Database = require('better-sqlite3') as DatabaseCtor;
    const found = compiledAddon(require);
    if (!found) return Database;
    const binding: string = found;
    // the addon's path handed over (nativeBinding): otherwise every process start has the `bindings` package
    // find it by parsing a stack trace and probing candidate folders (~5 ms of each `log`/`status`/`save`)
    return class extends Database {
      constructor(filename?: string | Buffer, options?: BetterSqlite3.Options) {
        super(filename, { nativeBinding: binding, ...options });
      }
    } as DatabaseCtor;
  });
  return ctor;
}

/**
 * Where better-sqlite3's compiled addon is: the first of the places the `bindings` package tries first (a
 * node-gyp build), or null to leave the search to better-sqlite3 (prebuilt layouts, unusual installs).
 */
export function compiledAddon(require: NodeJS.Require): string | null {
  let root: string;
  try {
    root = path.dirname(require.resolve('better-sqlite3/package.json'));
  } catch {
    return null;
  }
  for (const dir of [['build'], ['build', 'Debug'], ['build', 'Release']]) {
    const file = path.join(root, ...dir, 'better_sqlite3.node');
    if (existsSync(file)) return file;
  }
  return null;
}

async function readHead(abs: string, n: number): Promise<Buffer> {
  const h = await fsp.open(abs, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await h.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

/** True when the file starts with the SQLite 3 header (whatever its name). */
export async function isSqliteFile(abs: string): Promise<boolean> {
  try {
    return (await readHead(abs, SQLITE_HEADER.length)).equals(SQLITE_HEADER);
  } catch {
    return false;
  }
}

/**
 * When `abs` is a `-wal`/`-shm`/`-journal` file of an SQLite database (the database beside it has the SQLite
 * header, or the file has the WAL magic), the database's path; else null.
 */
export async function sidecarDatabase(abs: string): Promise<string | null> {
  const suffix = SQLITE_SIDECARS.find((s) => abs.endsWith(s));
  if (!suffix) return null;
  const db = abs.slice(0, -suffix.length);
  if (await isSqliteFile(db)) return db;
  if (suffix === '-wal') {
    const head = await readHead(abs, 4).catch(() => Buffer.alloc(0));
    if (head.length === 4 && WAL_MAGIC.includes(head.readUInt32BE(0))) return db;
  }
  return null;
}

/**
 * A signature of the sidecar files beside a database (size and mtime of `-wal` and `-journal`), so a cached
 * "content hash" of a WAL database is trusted only while neither the file nor its WAL changed.
 */
export async function sidecarSignature(abs: string): Promise<string> {
  const parts: string[] = [];
  for (const s of ['-wal', '-journal']) {
    const st = await fsp.stat(abs + s).catch(() => null);
    parts.push(st ? `${s}:${st.size}:${st.mtimeMs}` : `${s}:-`);
  }
  return parts.join(' ');
}

async function removeQuietly(file: string): Promise<void> {
  await fsp.rm(file, { force: true }).catch(() => {});
}

/**
 * Copy a consistent snapshot of the live database `src` into `dest` (must not exist) with the online backup API,
 * in one step so the copy is one read transaction (in WAL mode readers never block writers), then run
 * `PRAGMA integrity_check` on the copy. Throws E_DB_INTEGRITY (and removes `dest`) when the check fails.
 */
export async function snapshotSqlite(src: string, dest: string, shown: string): Promise<SqliteInfo> {
  const Database = await loadDriver();
  let journalMode = 'unknown';
  try {
    // read-only: closing it never checkpoints or removes the live database's WAL
    const db = new Database(src, { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      journalMode = String(db.pragma('journal_mode', { simple: true }));
      await db.backup(dest, { progress: () => 0x7fffffff });
    } finally {
      db.close();
    }
  } catch (e) {
    await removeQuietly(dest);
    if (e instanceof SavepointError) throw e;
    const err = e as { code?: string; message?: string };
    const busy = err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED';
    throw new SavepointError(
      busy ? 'E_DB_BUSY' : 'E_DB_INTEGRITY',
      busy
        ? `${shown} is locked by another program and could not be read within 5 s. Try again when its write finishes; nothing was saved.`
        : `${shown} looks like an SQLite database but cannot be read (${err.message ?? String(e)}). Nothing was saved; check it with \`sqlite3 ${shown} "PRAGMA integrity_check"\`.`,
      { path: shown, sqliteCode: err.code },
      { cause: e },
    );
  }
  try {
    const check = new Database(dest, { readonly: true, fileMustExist: true });
    let rows: string[];
    let pageSize: number;
    let pages: number;
    try {
      rows = (check.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
      pageSize = Number(check.pragma('page_size', { simple: true }));
      pages = Number(check.pragma('page_count', { simple: true }));
    } finally {
      check.close();
    }
    if (rows.length !== 1 || rows[0] !== 'ok') {
      throw new SavepointError('E_DB_INTEGRITY', `${shown} fails SQLite's integrity check (${rows.slice(0, 3).join('; ')}${rows.length > 3 ? '; …' : ''}). Nothing was saved: repair it first (e.g. \`sqlite3 ${shown} ".recover"\`) or restore a good version.`, { path: shown, problems: rows.slice(0, 20) });
    }
    return { pageSize, pages, journalMode, integrity: 'ok' };
  } catch (e) {
    await removeQuietly(dest);
    if (e instanceof SavepointError) throw e;
    const err = e as { code?: string; message?: string };
    throw new SavepointError('E_DB_INTEGRITY', `The snapshot of ${shown} cannot be checked (${err.message ?? String(e)}). Nothing was saved.`, { path: shown, sqliteCode: err.code }, { cause: e });
  } finally {
    // opening the copy read-only may leave empty -wal/-shm files beside it
    for (const s of SQLITE_SIDECARS) await removeQuietly(dest + s);
  }
}

/**
 * Before a database is replaced: refuse (E_DB_BUSY, nothing changed) while another connection holds a write
 * lock or, in WAL mode, has the database open (its later writes would go to the replaced file and be lost).
 * The probe writes nothing; when it was the last connection, SQLite checkpoints the WAL into the file on close
 * (content unchanged) and removes `-wal`/`-shm`, which is how "no one else has it open" is seen.
 */
export async function assertNotInUse(abs: string, shown: string): Promise<void> {
  const Database = await loadDriver();
  let db: BetterSqlite3.Database;
  try {
    db = new Database(abs, { fileMustExist: true, timeout: 0 });
  } catch {
    return; // not openable as a database: nothing can hold it
  }
  let busy = false;
  try {
    // takes and drops the write lock without writing: fails at once while another connection holds it
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) busy = true;
  } finally {
    db.close();
  }
  if (busy) {
    throw new SavepointError('E_DB_BUSY', `${shown} is being written by another program (it holds a write lock). Nothing was changed; stop that program or wait for its write to finish, then restore again.`, { path: shown });
  }
  // we were the last connection only if SQLite removed the WAL when we closed
  if (await fsp.stat(abs + '-wal').then(() => true, () => false)) {
    throw new SavepointError('E_DB_BUSY', `${shown} is open in another program (its -wal file is in use). Nothing was changed; close that program's connection, then restore again (or restore elsewhere with --to).`, { path: shown });
  }
}

/** Remove `-wal`/`-shm`/`-journal` files beside `abs`: after a restore they belong to the old database. */
export async function removeStaleSidecars(abs: string): Promise<string[]> {
  const removed: string[] = [];
  for (const s of SQLITE_SIDECARS) {
    const f = abs + s;
    if (await fsp.lstat(f).then(() => true, () => false)) {
      await fsp.rm(f, { force: true });
      removed.push(path.basename(f));
    }
  }
  return removed;
}

let snapSeq = 0;

/**
 * Snapshot the live database `abs` into a temp file under `<gitdir>/savepoint/tmp`, hand it to `fn` (which
 * streams it into the store or hashes it), then remove it whatever happens.
 */
export async function withSqliteSnapshot<T>(gitdir: string, abs: string, shown: string, fn: (file: string, info: SqliteInfo) => Promise<T>): Promise<T> {
  const dir = path.join(gitdir, 'savepoint', 'tmp');
  await fsp.mkdir(dir, { recursive: true });
  snapSeq += 1;
  const file = path.join(dir, `sqlite-${process.pid}-${snapSeq}-${randomBytes(4).toString('hex')}.db`);
  const untrack = trackTemp(file);
  try {
    const info = await snapshotSqlite(abs, file, shown);
    return await fn(file, info);
  } finally {
    untrack();
    await removeQuietly(file);
    for (const s of SQLITE_SIDECARS) await removeQuietly(file + s);
  }
}
