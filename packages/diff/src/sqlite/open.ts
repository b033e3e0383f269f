import type BetterSqlite3 from 'better-sqlite3';
import { DiffError } from '../errors.js';

export type SqliteDb = BetterSqlite3.Database;

/**
 * Open an SQLite file read-only. better-sqlite3 (a native module) is loaded lazily so users who only diff
 * CSV never load it.
 */
export async function openSqlite(path: string, label = path): Promise<SqliteDb> {
  const mod = (await import('better-sqlite3')).default;
  try {
    const db = new mod(path, { readonly: true, fileMustExist: true });
    db.defaultSafeIntegers(true);
    // Touch the schema so "not a database" surfaces here rather than later.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === 'SQLITE_CANTOPEN' || /does not exist/.test(err.message ?? '')) {
      throw new DiffError('E_FILE_NOT_FOUND', `Cannot open ${label}: no such file.`, { path }, { cause: e });
    }
    throw new DiffError('E_SQLITE_MALFORMED', `Cannot read ${label} as an SQLite database: ${err.message ?? String(e)}.`, { label, reason: err.message, sqliteCode: err.code }, { cause: e });
  }
}
