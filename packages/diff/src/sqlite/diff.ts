import { diffTables, type Note } from '../table/engine.js';
import { hashCells, keyOf, memorySource, type RowSource } from '../table/source.js';
import { hashString } from '../table/compare.js';
import type { Cell } from '../table/types.js';
import type { SqliteColumn, SqliteDiffResult, SqliteTableDiff } from '../types.js';
import { openSqlite, type SqliteDb } from './open.js';
import { createHash } from 'node:crypto';
import { clipString, MAX_CELL_BYTES } from '../clip.js';

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/**
 * Text form of an SQLite value: integers exactly (bigint), blobs up to 64 bytes as X'hex'; longer blobs and
 * text longer than `maxCellBytes` are clipped (compared by sha256 of their full bytes, never by a prefix).
 */
export function sqliteCell(v: unknown, maxCellBytes = MAX_CELL_BYTES): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return clipString(v, maxCellBytes);
  if (Buffer.isBuffer(v)) {
    const hex = `X'${v.subarray(0, 64).toString('hex').toUpperCase()}${v.length > 64 ? '…' : "'"}`;
    if (v.length <= 64) return hex;
    return { clipped: true, bytes: v.length, sha256: createHash('sha256').update(v).digest('hex'), head: hex };
  }
  return String(v);
}

function tables(db: SqliteDb): { name: string; withoutRowid: boolean }[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string; sql: string | null }[];
  return rows.map((r) => ({ name: r.name, withoutRowid: /WITHOUT\s+ROWID\s*;?\s*$/i.test(r.sql ?? '') }));
}

function columns(db: SqliteDb, table: string): SqliteColumn[] {
  const rows = db.prepare(`PRAGMA table_info(${q(table)})`).all() as { name: string; type: string; notnull: number | bigint; pk: number | bigint }[];
  return rows.map((r) => ({ name: r.name, type: r.type, notNull: Number(r.notnull) !== 0, pk: Number(r.pk) }));
}

const ROWID = 'rowid';

/** Streams a rowid table; rows are fetched again by rowid. With `withRowid` the rowid is the first column. */
function rowidSource(db: SqliteDb, label: string, table: string, cols: SqliteColumn[], withRowid: boolean, max: number): RowSource {
  const names = cols.map((c) => c.name);
  const header = withRowid ? [ROWID, ...names] : names;
  const list = names.map(q).join(', ');
  const sel = `SELECT rowid AS "__sp_rowid__", ${list} FROM ${q(table)}`;
  const toCells = (raw: unknown[]): Cell[] => (withRowid ? raw : raw.slice(1)).map((v) => sqliteCell(v, max));
  return {
    label: `${label}:${table}`,
    header,
    async scan(keyCols, unionIndex, visit) {
      let n = 0;
      for (const raw of db.prepare(sel).raw(true).iterate() as Iterable<unknown[]>) {
        n++;
        const cells = toCells(raw);
        const [k1, k2] = keyCols ? hashString(keyOf(keyCols.map((k) => cells[k] ?? null))) : [0, 0];
        const [h1, h2] = hashCells(cells, unionIndex);
        if (visit(k1, k2, h1, h2, n, Number(raw[0] as bigint), 0) === false) return;
      }
    },
    async fetch(refs) {
      const st = db.prepare(`${sel} WHERE rowid = ?`).raw(true);
      return refs.map((r) => toCells(st.get(BigInt(r.ref1)) as unknown[]));
    },
    async sample(n) {
      return (db.prepare(`${sel} LIMIT ?`).raw(true).all(n) as unknown[][]).map(toCells);
    },
  };
}

function memoryTable(db: SqliteDb, label: string, table: string, cols: SqliteColumn[], max: number): RowSource {
  const rows = (db.prepare(`SELECT ${cols.map((c) => q(c.name)).join(', ')} FROM ${q(table)}`).raw(true).all() as unknown[][]).map((r) => r.map((v) => sqliteCell(v, max)));
  return memorySource(`${label}:${table}`, cols.map((c) => c.name), rows, rows.map((_, i) => i + 1));
}

export async function diffSqlite(
  a: { path: string; label: string }, b: { path: string; label: string },
  opts: { tolerance?: number; limit: number; maxCellBytes?: number },
): Promise<Omit<SqliteDiffResult, 'a' | 'b'>> {
  const max = opts.maxCellBytes ?? MAX_CELL_BYTES;
  const da = await openSqlite(a.path, a.label);
  let db2: SqliteDb | undefined;
  try {
    db2 = await openSqlite(b.path, b.label);
    const dbB = db2;
    const ta = tables(da);
    const tb = tables(dbB);
    const tablesAdded = tb.filter((t) => !ta.some((x) => x.name === t.name)).map((t) => t.name);
    const tablesRemoved = ta.filter((t) => !tb.some((x) => x.name === t.name)).map((t) => t.name);
    const out: SqliteTableDiff[] = [];
    const notes: Note[] = [];
    for (const t of ta) {
      const u = tb.find((x) => x.name === t.name);
      if (!u) continue;
      const ca = columns(da, t.name);
      const cb = columns(dbB, t.name);
      const schema = {
        added: cb.filter((c) => !ca.some((x) => x.name === c.name)),
        removed: ca.filter((c) => !cb.some((x) => x.name === c.name)),
        changed: ca.flatMap((c) => {
          const d = cb.find((x) => x.name === c.name);
          return d && (d.type !== c.type || d.notNull !== c.notNull || d.pk !== c.pk) ? [{ name: c.name, old: c, new: d }] : [];
        }),
      };
      const pkA = ca.filter((c) => c.pk > 0).sort((x, y) => x.pk - y.pk).map((c) => c.name);
      const pkB = cb.filter((c) => c.pk > 0).sort((x, y) => x.pk - y.pk).map((c) => c.name);
      const samePk = pkA.length > 0 && pkA.join('\0') === pkB.join('\0');
      const rowidBoth = !t.withoutRowid && !u.withoutRowid;
      let A: RowSource;
      let B: RowSource;
      let key: string[];
      let keySource: 'primary-key' | 'rowid';
      if (samePk) {
        key = pkA; keySource = 'primary-key';
        A = rowidBoth ? rowidSource(da, a.label, t.name, ca, false, max) : memoryTable(da, a.label, t.name, ca, max);
        B = rowidBoth ? rowidSource(dbB, b.label, t.name, cb, false, max) : memoryTable(dbB, b.label, t.name, cb, max);
      } else if (rowidBoth) {
        key = [ROWID]; keySource = 'rowid';
        A = rowidSource(da, a.label, t.name, ca, true, max);
        B = rowidSource(dbB, b.label, t.name, cb, true, max);
      } else {
        key = []; keySource = 'rowid';
        A = memoryTable(da, a.label, t.name, ca, max);
        B = memoryTable(dbB, b.label, t.name, cb, max);
      }
      const d = await diffTables(A, B, { key: key.length ? key : undefined, keySource, detectKey: false, tolerance: opts.tolerance, limit: opts.limit });
      out.push({ name: t.name, schema, ...d });
    }
    const sum = (f: (s: SqliteTableDiff) => number) => out.reduce((x, s) => x + f(s), 0);
    const tablesChanged = out.filter((s) => s.summary.added + s.summary.removed + s.summary.changed + s.summary.moved + s.schema.added.length + s.schema.removed.length + s.schema.changed.length > 0).length;
    return {
      format: 'sqlite',
      identical: tablesAdded.length === 0 && tablesRemoved.length === 0 && tablesChanged === 0,
      formatChanges: [],
      summary: {
        tablesAdded: tablesAdded.length, tablesRemoved: tablesRemoved.length, tablesChanged,
        rowsAdded: sum((s) => s.summary.added), rowsRemoved: sum((s) => s.summary.removed), rowsChanged: sum((s) => s.summary.changed), cellsChanged: sum((s) => s.summary.cellsChanged),
      },
      tablesAdded,
      tablesRemoved,
      tables: out,
      notes,
    };
  } finally {
    da.close();
    db2?.close();
  }
}
