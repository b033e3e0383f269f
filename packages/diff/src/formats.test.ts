import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { diffFiles } from './diff.js';
import { renderDiff } from './render.js';
import type { BinaryDiffResult, SqliteDiffResult, TextDiffResult, XlsxDiffResult } from './types.js';
import { tempDir } from './test-util/tmp.js';

let t: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => { t = await tempDir(); });
afterAll(async () => { await t.cleanup(); });

async function workbook(file: string, sheets: Record<string, unknown[][]>): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) wb.addWorksheet(name).addRows(rows);
  const p = `${t.dir}/${file}`;
  await wb.xlsx.writeFile(p);
  return p;
}

function sqlite(file: string, sql: string): string {
  const p = `${t.dir}/${file}`;
  const db = new Database(p);
  db.exec(sql);
  db.close();
  return p;
}

describe('XLSX', () => {
  it('sheets added/removed and cell changes per common sheet', async () => {
    const a = await workbook('a.xlsx', { Runs: [['id', 'loss', 'ok'], [1, 0.5, true], [2, 0.41, false]], Old: [['x'], [1]] });
    const b = await workbook('b.xlsx', { Runs: [['id', 'loss', 'ok'], [1, 0.5, true], [2, 0.39, false], [3, 0.3, true]], New: [['y'], [2]] });
    const r = (await diffFiles({ path: a, label: 'book.xlsx@1' }, { path: b, label: 'book.xlsx@2' }, { name: 'book.xlsx' })) as XlsxDiffResult;
    expect(r.format).toBe('xlsx');
    expect(r.sheetsAdded).toEqual(['New']);
    expect(r.sheetsRemoved).toEqual(['Old']);
    const runs = r.sheets.find((s) => s.name === 'Runs')!;
    expect(runs.match).toEqual({ mode: 'keyed', key: ['id'], keySource: 'detected' });
    expect(runs.rows).toEqual([
      { kind: 'changed', aRow: 2, bRow: 2, aLine: 3, bLine: 3, key: ['2'], cells: [{ column: 'loss', old: '0.41', new: '0.39' }] },
      { kind: 'added', bRow: 3, bLine: 4, key: ['3'], values: ['3', '0.3', 'TRUE'] },
    ]);
    expect(r.summary).toMatchObject({ sheetsAdded: 1, sheetsRemoved: 1, sheetsChanged: 1, rowsAdded: 1, rowsChanged: 1 });
    const lines = renderDiff(r, { color: false });
    expect(lines).toContain('+ sheet New');
    expect(lines).toContain('    loss: "0.41" → "0.39"');
  });

  it('identical workbooks', async () => {
    const a = await workbook('c.xlsx', { S: [['a'], ['x']] });
    const copy = await t.write('c-copy.xlsx', await readFile(a));
    expect((await diffFiles({ path: a }, { path: copy }, { name: 'x.xlsx' })).identical).toBe(true);
    // Written again: the same cells, but zip timestamps and document properties may differ — never a data change.
    const b = await workbook('d.xlsx', { S: [['a'], ['x']] });
    const r = (await diffFiles({ path: a }, { path: b }, { name: 'x.xlsx' })) as XlsxDiffResult;
    expect(r.summary).toMatchObject({ sheetsChanged: 0, rowsAdded: 0, rowsRemoved: 0, rowsChanged: 0 });
    for (const c of r.formatChanges) expect(['parts', 'bytes']).toContain(c.aspect);
    expect(r.identical).toBe(r.formatChanges.length === 0);
  });
});

describe('SQLite', () => {
  it('tables, schema and rows by primary key and rowid', async () => {
    const a = sqlite('a.sqlite', `
      CREATE TABLE runs(id INTEGER PRIMARY KEY, name TEXT, loss REAL);
      INSERT INTO runs VALUES (1,'a',0.5),(2,'b',0.41),(3,'c',0.3);
      CREATE TABLE log(msg TEXT); INSERT INTO log VALUES ('x'),('y');
      CREATE TABLE gone(x); `);
    const b = sqlite('b.sqlite', `
      CREATE TABLE runs(id INTEGER PRIMARY KEY, name TEXT, loss REAL, note TEXT);
      INSERT INTO runs VALUES (1,'a',0.5,NULL),(2,'b',0.39,NULL),(4,'d',0.2,'new');
      CREATE TABLE log(msg TEXT); INSERT INTO log VALUES ('x'),('Y'),('z');
      CREATE TABLE fresh(y); `);
    const r = (await diffFiles({ path: a }, { path: b }, { name: 'exp.db' })) as SqliteDiffResult;
    expect(r.format).toBe('sqlite');
    expect(r.tablesAdded).toEqual(['fresh']);
    expect(r.tablesRemoved).toEqual(['gone']);
    const runs = r.tables.find((x) => x.name === 'runs')!;
    expect(runs.match).toEqual({ mode: 'keyed', key: ['id'], keySource: 'primary-key' });
    expect(runs.schema.added.map((c) => c.name)).toEqual(['note']);
    expect(runs.summary).toMatchObject({ added: 1, removed: 1, changed: 1 });
    expect(runs.rows[0]).toMatchObject({ kind: 'changed', key: ['2'], cells: [{ column: 'loss', old: '0.41', new: '0.39' }] });
    const log = r.tables.find((x) => x.name === 'log')!;
    expect(log.match).toEqual({ mode: 'keyed', key: ['rowid'], keySource: 'rowid' });
    expect(log.summary).toMatchObject({ added: 1, changed: 1 });
    expect(renderDiff(r, { color: false, stat: true })).toEqual(['1 table added, 1 table removed, 2 tables changed; 2 rows added, 1 row removed, 2 rows changed (2 cells)']);
  });

  it('NULL vs empty string is a change; WITHOUT ROWID tables work', async () => {
    const a = sqlite('c.sqlite', `CREATE TABLE t(k TEXT PRIMARY KEY, v) WITHOUT ROWID; INSERT INTO t VALUES ('a', NULL), ('b', 1);`);
    const b = sqlite('d.sqlite', `CREATE TABLE t(k TEXT PRIMARY KEY, v) WITHOUT ROWID; INSERT INTO t VALUES ('a', ''), ('b', 1);`);
    const r = (await diffFiles({ path: a }, { path: b }, { name: 'x.sqlite' })) as SqliteDiffResult;
    expect(r.tables[0]!.rows).toEqual([expect.objectContaining({ kind: 'changed', cells: [{ column: 'v', old: null, new: '' }] })]);
  });

  it('same rows, different file: header fields or bytes are reported, never "identical"', async () => {
    const rows = 'CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, \'a\'), (2, \'b\');';
    const a = sqlite('h1.sqlite', rows);
    const b = sqlite('h2.sqlite', `PRAGMA page_size = 8192; ${rows} PRAGMA user_version = 3;`);
    const r = (await diffFiles({ path: a }, { path: b }, { name: 'x.sqlite' })) as SqliteDiffResult;
    expect(r.summary).toMatchObject({ tablesChanged: 0, rowsChanged: 0 });
    expect(r.identical).toBe(false);
    expect(r.formatChanges).toEqual([
      { aspect: 'sqlite-header', field: 'page size', a: '4096', b: '8192' },
      { aspect: 'sqlite-header', field: 'user_version', a: '0', b: '3' },
    ]);
    expect(renderDiff(r, { color: false })).toContain('~ page size: 4096 → 8192');
    // Rows deleted and put back: same header fields but other bytes.
    const c = sqlite('h3.sqlite', `${rows} INSERT INTO t VALUES (3, 'c'); DELETE FROM t WHERE k = 3;`);
    const r2 = (await diffFiles({ path: a }, { path: c }, { name: 'x.sqlite' })) as SqliteDiffResult;
    expect(r2.identical).toBe(false);
    expect(r2.formatChanges.map((f) => f.aspect)).toEqual(expect.arrayContaining(['bytes']));
  });

  it('a corrupt database is E_SQLITE_MALFORMED', async () => {
    const a = sqlite('e.sqlite', 'CREATE TABLE t(x);');
    const bad = await t.write('f.sqlite', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(200, 0xff)]));
    const err = await diffFiles({ path: a }, { path: bad }, { name: 'x.sqlite' }).catch((e) => e);
    expect(err.code).toBe('E_SQLITE_MALFORMED');
  });
});

describe('text', () => {
  it('a BOM or CRLF alone is a change of how the text is written, never "identical"', async () => {
    const pa = await t.write('l1.txt', 'one\ntwo\n');
    for (const [name, text, want] of [
      ['bom', '\uFEFFone\ntwo\n', [{ aspect: 'bom', a: 'none', b: 'UTF-8 BOM' }]],
      ['crlf', 'one\r\ntwo\r\n', [{ aspect: 'line-endings', a: 'LF', b: 'CRLF' }]],
      ['eol', 'one\ntwo', [{ aspect: 'trailing-newline', a: 'yes', b: 'no' }]],
    ] as const) {
      const pb = await t.write(`l-${name}.txt`, text);
      const r = (await diffFiles({ path: pa }, { path: pb }, { name: 'n.txt' })) as TextDiffResult;
      expect(r.summary).toMatchObject({ added: 0, removed: 0 });
      expect(r.identical).toBe(false);
      expect(r.formatChanges).toEqual(want);
    }
  });

  it('unified hunks with context', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const b = [...lines];
    b[4] = 'line five';
    b.splice(15, 1);
    const pa = await t.write('a.txt', lines.join('\n') + '\n');
    const pb = await t.write('b.txt', b.join('\r\n') + '\r\n');
    const r = (await diffFiles({ path: pa, label: 'n.txt@1' }, { path: pb, label: 'n.txt@2' }, { name: 'n.txt' })) as TextDiffResult;
    expect(r.summary).toEqual({ linesA: 20, linesB: 19, added: 1, removed: 2, hunks: 2 });
    expect(r.hunks[0]).toMatchObject({ aStart: 2, aLines: 7, bStart: 2, bLines: 7 });
    const out = renderDiff(r, { color: false });
    expect(out.slice(0, 12)).toEqual([
      'diff --savepoint text n.txt@1 n.txt@2', '--- n.txt@1', '+++ n.txt@2', '~ line endings: LF → CRLF',
      '@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7',
    ]);
    expect(out.slice(-2)).toEqual(['1 line added, 2 lines removed', 'written differently: line endings']);
  });
  it('limit caps printed lines', async () => {
    const pa = await t.write('c.txt', Array.from({ length: 100 }, (_, i) => `a${i}`).join('\n'));
    const pb = await t.write('d.txt', Array.from({ length: 100 }, (_, i) => `b${i}`).join('\n'));
    const r = (await diffFiles({ path: pa }, { path: pb }, { name: 'x.txt', limit: 10 })) as TextDiffResult;
    expect(r.summary).toMatchObject({ added: 100, removed: 100 });
    expect(r.truncated).toBe(true);
    expect(r.hunks.flatMap((h) => h.lines).filter((l) => l.op !== ' ').length).toBe(10);
  });
});

describe('binary', () => {
  it('sizes, sha256 and coalesced byte ranges', async () => {
    const a = Buffer.alloc(3 << 20, 1);
    const b = Buffer.from(a);
    b[10] = 2; b[12] = 2; // one range (gap < 64)
    b.fill(9, 2_000_000, 2_000_100);
    const bb = Buffer.concat([b, Buffer.alloc(5, 3)]);
    const pa = await t.write('a.mat', a);
    const pb = await t.write('b.mat', bb);
    const r = (await diffFiles({ path: pa }, { path: pb }, { name: 'm.mat' })) as BinaryDiffResult;
    expect(r.format).toBe('binary');
    expect(r.a.sha256).toBe(createHash('sha256').update(a).digest('hex'));
    expect(r.b.size).toBe(a.length + 5);
    expect(r.ranges).toEqual([{ offset: 10, length: 3 }, { offset: 2_000_000, length: 100 }, { offset: a.length, length: 5 }]);
    expect(r.summary).toEqual({ bytesDiffering: 2 + 100 + 5, ranges: 3 });
    const capped = (await diffFiles({ path: pa }, { path: pb }, { name: 'm.mat', limit: 1 })) as BinaryDiffResult;
    expect(capped.ranges.length).toBe(1);
    expect(capped.summary.ranges).toBe(3);
  });
  it('a CSV that became binary is compared as bytes', async () => {
    const pa = await t.write('x.csv', 'a,b\n1,2\n');
    const pb = await t.write('y.csv', Buffer.from([0, 1, 2]));
    expect((await diffFiles({ path: pa }, { path: pb }, { name: 'x.csv' })).format).toBe('binary');
  });
  it('a CSV re-saved as UTF-16 says the format and encoding changed', async () => {
    const pa = await t.write('u8.csv', 'a,b\n1,2\n');
    const pb = await t.write('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]));
    const r = await diffFiles({ path: pa }, { path: pb }, { name: 'x.csv' });
    expect(r.formatChanges).toEqual([{ aspect: 'format', a: 'csv', b: 'binary' }, { aspect: 'encoding', a: 'utf-8', b: 'utf-16le' }]);
    expect(renderDiff(r, { color: false })).toContain('~ encoding: utf-8 → utf-16le');
  });
});

describe('renderDiff', () => {
  it('colour only when asked, stat gives the summary', async () => {
    const pa = await t.write('r1.csv', 'id,v\n1,a\n2,b\n');
    const pb = await t.write('r2.csv', 'id,v\n1,A\n3,c\n');
    const r = await diffFiles({ path: pa, label: 'r.csv@1' }, { path: pb, label: 'r.csv@2' }, { name: 'r.csv' });
    const plain = renderDiff(r, { color: false });
    expect(plain.join('\n')).not.toMatch(/\u001b/);
    expect(plain).toEqual([
      'diff --savepoint csv r.csv@1 r.csv@2', '--- r.csv@1', '+++ r.csv@2', 'rows matched by detected key id',
      '~ id=1', '    v: "a" → "A"', '+ id=3: 3, c', '- id=2: 2, b',
      '1 row added, 1 row removed, 1 row changed (1 cell)',
    ]);
    const colored = renderDiff(r, { color: true });
    expect(colored[6]).toBe('\u001b[32m+ id=3: 3, c\u001b[0m');
    expect(renderDiff(r, { color: false, stat: true })).toEqual(['1 row added, 1 row removed, 1 row changed (1 cell)']);
    const limited = renderDiff(r, { color: false, limit: 1 });
    expect(limited).toContain('… 2 more changes not shown (raise --limit to see them)');
  });
  it('identical files say so', async () => {
    const pa = await t.write('i1.json', '{"a":1}');
    const r = await diffFiles({ path: pa }, { path: pa }, { name: 'i.json' });
    expect(renderDiff(r, { color: false }).at(-1)).toBe('no changes');
  });
});
