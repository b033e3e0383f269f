/**
 * The catalog: an SQLite index of every version under .git/savepoint/catalog.db. It is only ever an
 * accelerator: the history branch, the checksum notes and the archive index are the truth, and the catalog
 * records which branch tip, notes tip, tags and archive index it reflects (`meta`), so a reader can tell a
 * current catalog from a stale one and catch up (history/versions.ts does that). A catalog SQLite cannot
 * read is moved aside and rebuilt; one that cannot be written (read-only vault) is built in memory.
 *
 * Tables
 * - meta(key, value): schema, branch, tip, notesTip, tags (JSON), archiveSig
 * - saves(seq, oid, noteBlob, data): one row per save commit on the branch, oldest = 0; data is the
 *   commit's trailers, summary, note (JSON) — everything a version record is built from
 * - versions(ord, path, version, …, rec): the merged view (branch versions plus archived ones, in history
 *   order), rec = the VersionRecord as JSON without tags (tags are applied when read, they move alone)
 */
import type { SaveCommitInfo } from '../model/version-records.js';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { SaveNote } from '../model/note.js';
import type { VersionRecord } from '../model/version.js';
import type { Vault } from '../vault.js';
import { loadDriver } from '../util/sqlite.js';

export const CATALOG_SCHEMA = 3;

/** What one save commit contributes (the former JSON cache's entry). */
/** A save commit as the catalog stores it: the shared SaveCommitInfo plus the blob id of its note. */
export interface CatalogCommit extends SaveCommitInfo {
  noteBlob: string | null;
}

export type TagTargets = Record<string, { ref: string; commit: string }>;

export interface CatalogMeta {
  schema: number;
  branch: string;
  tip: string | null;
  notesTip: string | null;
  tags: TagTargets;
  archiveSig: string;
}

export interface PathSummary {
  path: string;
  versions: number;
  archived: number;
  hasSqlite: boolean;
  latest: VersionRecord;
}

export interface VersionQuery {
  path?: string;
  experiment?: string;
  sha256?: string;
  kind?: string;
  /** savedAt bounds, ISO strings compared as instants (inclusive) */
  since?: string;
  until?: string;
  /** newest first when true (default), oldest first when false */
  newestFirst?: boolean;
  limit?: number;
}

export interface ExperimentSummary {
  experiment: string;
  files: string[];
  versions: number;
  firstSavedAt: string;
  lastSavedAt: string;
}

type DB = BetterSqlite3.Database;

export function catalogFile(vault: Vault): string {
  return path.join(vault.gitdir, 'savepoint', 'catalog.db');
}

const DDL = `
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS saves(seq INTEGER PRIMARY KEY, oid TEXT NOT NULL UNIQUE, noteBlob TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions(
  ord INTEGER PRIMARY KEY, path TEXT NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL, commitOid TEXT NOT NULL,
  sha256 TEXT NOT NULL, size INTEGER NOT NULL, savedAt TEXT NOT NULL, savedMs INTEGER NOT NULL, kind TEXT NOT NULL,
  experiment TEXT, status TEXT NOT NULL, archive TEXT, isSqlite INTEGER NOT NULL, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS paths(path TEXT PRIMARY KEY, n INTEGER NOT NULL, archived INTEGER NOT NULL, isSqlite INTEGER NOT NULL, top INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS versions_path ON versions(path, version);
CREATE INDEX IF NOT EXISTS versions_sha ON versions(sha256);
CREATE INDEX IF NOT EXISTS versions_experiment ON versions(experiment, ord);
CREATE INDEX IF NOT EXISTS versions_saved ON versions(savedMs);
CREATE INDEX IF NOT EXISTS versions_commit ON versions(commitOid);
`;

/** Errors that mean "this file is not a usable SQLite database" (damaged, truncated, garbage). */
function isDamage(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return /^SQLITE_(CORRUPT|NOTADB|FORMAT|ERROR|MISMATCH|SCHEMA)/.test(code) || e instanceof SyntaxError;
}

/** Errors that mean "we may not write here" (read-only vault, full disk, permissions). */
export function isUnwritable(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return /^SQLITE_(READONLY|CANTOPEN|IOERR|FULL|PERM|AUTH|BUSY|LOCKED)/.test(code) || ['EACCES', 'EPERM', 'EROFS', 'ENOSPC'].includes(code);
}

export class Catalog {
  private constructor(
    readonly db: DB,
    /** false: an in-memory catalog (the vault's .git/savepoint is not writable) */
    readonly persistent: boolean,
  ) {}

  /**
   * Open (or create) the vault's catalog. A file SQLite cannot read is moved aside (catalog.db.damaged) and a
   * new one created; when nothing can be created (read-only vault), an empty in-memory catalog is returned.
   */
  static async open(vault: Vault, opts: { memory?: boolean } = {}): Promise<Catalog> {
    const Database = await loadDriver();
    if (opts.memory) return Catalog.init(new Database(':memory:'), false);
    const file = catalogFile(vault);
    for (let attempt = 0; attempt < 2; attempt++) {
      let db: DB | null = null;
      try {
        // a folder we cannot create (read-only media says EROFS, or ENOENT in some mounts): the fallback below
        await fsp.mkdir(path.dirname(file), { recursive: true }).catch((e: NodeJS.ErrnoException) => {
          throw Object.assign(new Error(e.message), { code: 'SQLITE_CANTOPEN' });
        });
        db = new Database(file, { timeout: 10_000 });
        return Catalog.init(db, true);
      } catch (e) {
        db?.close();
        if (isDamage(e) && attempt === 0) {
          await quarantine(file);
          continue;
        }
        if (isUnwritable(e) || isDamage(e)) {
          // read-only: use the file as it is when SQLite can read it, else build in memory
          try {
            const ro = new Database(file, { readonly: true, fileMustExist: true });
            const cat = new Catalog(ro, false);
            cat.meta();
            return cat;
          } catch {
            return Catalog.init(new Database(':memory:'), false);
          }
        }
        throw e;
      }
    }
    return Catalog.init(new Database(':memory:'), false);
  }

  private static init(db: DB, persistent: boolean): Catalog {
    // tables are created once (user_version marks it), so a read of a current catalog costs one open
    if (db.pragma('user_version', { simple: true }) !== CATALOG_SCHEMA) {
      if (persistent) db.pragma('journal_mode = WAL'); // persistent in the file
      db.exec(DDL);
      db.pragma(`user_version = ${CATALOG_SCHEMA}`);
    }
    // a rebuildable index: a power loss may lose the last commits (caught up from git on the next read)
    if (persistent) db.pragma('synchronous = NORMAL');
    const cat = new Catalog(db, persistent);
    cat.meta(); // throws on a damaged file now rather than in the middle of a query
    return cat;
  }

  /** Throw away the file (unreadable, or rebuilt by reindex): the next open starts empty. */
  static async remove(vault: Vault): Promise<void> {
    const file = catalogFile(vault);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) await fsp.rm(f, { force: true });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The state the catalog reflects, or null when it is empty or of another schema/branch. */
  meta(): CatalogMeta | null {
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    const m = new Map(rows.map((r) => [r.key, r.value]));
    if (Number(m.get('schema')) !== CATALOG_SCHEMA || !m.has('branch')) return null;
    return {
      schema: CATALOG_SCHEMA,
      branch: m.get('branch')!,
      tip: m.get('tip') || null,
      notesTip: m.get('notesTip') || null,
      tags: JSON.parse(m.get('tags') ?? '{}') as TagTargets,
      archiveSig: m.get('archiveSig') ?? '',
    };
  }

  setMeta(meta: Partial<CatalogMeta>): void {
    const put = this.db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    for (const [k, v] of Object.entries(meta)) put.run(k, k === 'tags' ? JSON.stringify(v) : v === null ? '' : String(v));
  }

  /** Run fn in one write transaction (all or nothing). */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---- saves -------------------------------------------------------------------------------------------

  saveCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM saves').get() as { n: number }).n;
  }

  /** Save commits that hold versions (archived ones included). */
  saveCommitCount(): number {
    return (this.db.prepare('SELECT COUNT(DISTINCT commitOid) AS n FROM versions').get() as { n: number }).n;
  }

  lastSave(): { seq: number; oid: string } | null {
    return (this.db.prepare('SELECT seq, oid FROM saves ORDER BY seq DESC LIMIT 1').get() as { seq: number; oid: string } | undefined) ?? null;
  }

  seqOf(oid: string): number | null {
    const r = this.db.prepare('SELECT seq FROM saves WHERE oid = ?').get(oid) as { seq: number } | undefined;
    return r ? r.seq : null;
  }

  /** Save commits (on the branch, or recorded for archived versions) whose id starts with `prefix`; at most 2. */
  commitsWithPrefix(prefix: string): string[] {
    const lo = prefix.replace(/[^0-9a-f]/g, '');
    const hi = `${lo}~`; // '~' sorts after every hex digit: [lo, hi) is "starts with lo", an index range
    return this.db.prepare('SELECT oid FROM saves WHERE oid >= ? AND oid < ? UNION SELECT commitOid FROM versions WHERE commitOid >= ? AND commitOid < ? LIMIT 2').pluck().all(lo, hi, lo, hi) as string[];
  }

  noteBlobs(): Map<string, string | null> {
    const rows = this.db.prepare('SELECT oid, noteBlob FROM saves').all() as { oid: string; noteBlob: string | null }[];
    return new Map(rows.map((r) => [r.oid, r.noteBlob]));
  }

  allSaves(): CatalogCommit[] {
    const rows = this.db.prepare('SELECT data FROM saves ORDER BY seq').pluck().all() as string[];
    return rows.map((d) => JSON.parse(d) as CatalogCommit);
  }

  clear(): void {
    this.db.exec('DELETE FROM saves; DELETE FROM versions; DELETE FROM meta;');
  }

  truncateAfter(seq: number): void {
    this.db.prepare('DELETE FROM saves WHERE seq > ?').run(seq);
  }

  putSave(seq: number, c: CatalogCommit): void {
    this.db.prepare('INSERT OR REPLACE INTO saves(seq, oid, noteBlob, data) VALUES (?, ?, ?, ?)').run(seq, c.oid, c.noteBlob, JSON.stringify(c));
  }

  // ---- versions (the merged view) ----------------------------------------------------------------------

  clearVersions(): void {
    this.db.exec('DELETE FROM versions; DELETE FROM paths;');
  }

  /** Append version records (history order) to the view. */
  addVersions(recs: VersionRecord[]): void {
    const ins = this.db.prepare(
      'INSERT INTO versions(path, version, seq, commitOid, sha256, size, savedAt, savedMs, kind, experiment, status, archive, isSqlite, rec) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    // per-path counts kept beside the rows, so status reads 1 row per file instead of scanning every version
    const per = this.db.prepare(
      'INSERT INTO paths(path, n, archived, isSqlite, top) VALUES (?, 1, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET n = n + 1, archived = archived + excluded.archived, isSqlite = max(isSqlite, excluded.isSqlite), top = max(top, excluded.top)',
    );
    for (const r of recs) {
      const ms = Date.parse(r.savedAt);
      ins.run(r.path, r.version, r.seq, r.commit, r.sha256, r.size, r.savedAt, Number.isNaN(ms) ? 0 : ms, r.kind, r.experiment ?? null, r.status, r.archive ?? null, r.sqlite ? 1 : 0, JSON.stringify(r));
      per.run(r.path, r.archive ? 1 : 0, r.sqlite ? 1 : 0, r.version);
    }
  }

  versionCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM versions').get() as { n: number }).n;
  }

  /** Every version record, history order (tags not applied). */
  allVersions(): VersionRecord[] {
    return (this.db.prepare('SELECT rec FROM versions ORDER BY ord').pluck().all() as string[]).map((r) => JSON.parse(r) as VersionRecord);
  }

  query(q: VersionQuery): VersionRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.path !== undefined) (where.push('path = ?'), args.push(q.path));
    if (q.experiment !== undefined) (where.push('experiment = ?'), args.push(q.experiment));
    if (q.sha256 !== undefined) (where.push('sha256 = ?'), args.push(q.sha256.toLowerCase()));
    if (q.kind !== undefined) (where.push('kind = ?'), args.push(q.kind));
    if (q.since !== undefined) (where.push('savedMs >= ?'), args.push(Date.parse(q.since)));
    if (q.until !== undefined) (where.push('savedMs <= ?'), args.push(Date.parse(q.until)));
    const sql = `SELECT rec FROM versions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ord ${q.newestFirst === false ? 'ASC' : 'DESC'}${q.limit !== undefined ? ' LIMIT ?' : ''}`;
    if (q.limit !== undefined) args.push(q.limit);
    return (this.db.prepare(sql).pluck().all(...args) as string[]).map((r) => JSON.parse(r) as VersionRecord);
  }

  /** The highest version of a path (archived ones count), or null. */
  latest(p: string): VersionRecord | null {
    const r = this.db.prepare('SELECT rec FROM versions WHERE path = ? ORDER BY version DESC, ord DESC LIMIT 1').pluck().get(p) as string | undefined;
    return r ? (JSON.parse(r) as VersionRecord) : null;
  }

  /** Per path: counts and the latest version. */
  pathSummaries(): PathSummary[] {
    const rows = this.db
      .prepare('SELECT p.path AS path, p.n AS n, p.archived AS archived, p.isSqlite AS isSqlite, (SELECT rec FROM versions WHERE path = p.path AND version = p.top ORDER BY ord DESC LIMIT 1) AS rec FROM paths p ORDER BY p.path')
      .all() as { path: string; n: number; archived: number; isSqlite: number; rec: string }[];
    return rows.map((r) => ({ path: r.path, versions: r.n, archived: r.archived, hasSqlite: r.isSqlite === 1, latest: JSON.parse(r.rec) as VersionRecord }));
  }

  hasSize(p: string, size: number): boolean {
    return !!this.db.prepare('SELECT 1 FROM versions WHERE path = ? AND (size = ? OR size < 0) LIMIT 1').get(p, size);
  }

  /** The newest version of `p` with this content, or null. */
  bySha(p: string, sha256: string): VersionRecord | null {
    const r = this.db.prepare('SELECT rec FROM versions WHERE path = ? AND sha256 = ? ORDER BY version DESC LIMIT 1').pluck().get(p, sha256) as string | undefined;
    return r ? (JSON.parse(r) as VersionRecord) : null;
  }

  hasExperiment(id: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM versions WHERE experiment = ? LIMIT 1').get(id);
  }

  experiments(): ExperimentSummary[] {
    const rows = this.db
      .prepare(
        `SELECT experiment, COUNT(*) AS n, MIN(savedMs) AS first, MAX(savedMs) AS last, MIN(savedAt) AS firstAt, MAX(savedAt) AS lastAt,
                json_group_array(DISTINCT path) AS files
         FROM versions WHERE experiment IS NOT NULL GROUP BY experiment ORDER BY MIN(ord)`,
      )
      .all() as { experiment: string; n: number; first: number; last: number; files: string }[];
    return rows.map((r) => ({
      experiment: r.experiment,
      files: (JSON.parse(r.files) as string[]).sort(),
      versions: r.n,
      firstSavedAt: new Date(r.first).toISOString(),
      lastSavedAt: new Date(r.last).toISOString(),
    }));
  }
}

async function quarantine(file: string): Promise<void> {
  await fsp.rename(file, `${file}.damaged`).catch(() => fsp.rm(file, { force: true }));
  for (const s of ['-wal', '-shm', '-journal']) await fsp.rm(`${file}${s}`, { force: true });
}
