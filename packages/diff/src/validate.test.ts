import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import Database from 'better-sqlite3';
import { writeFile } from 'node:fs/promises';
import { validateDataFile } from './validate.js';
import { detectFormat } from './detect.js';
import { tempDir } from './test-util/tmp.js';

let t: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => { t = await tempDir(); });
afterAll(async () => { await t.cleanup(); });

describe('detectFormat', () => {
  const cases: [string, string | Uint8Array | undefined, string][] = [
    ['data.csv', undefined, 'csv'],
    ['data.TSV', undefined, 'tsv'],
    ['x.json', undefined, 'json'],
    ['notes.txt', undefined, 'text'],
    ['book.xlsx', undefined, 'xlsx'],
    ['run.sqlite', undefined, 'sqlite'],
    ['m.mat', undefined, 'binary'],
    ['m.h5', undefined, 'binary'],
    ['results/run.csv', 'a,b\n1,2\n', 'csv'],
    ['mystery', '{"a":1}', 'json'],
    ['mystery', 'hello\n', 'text'],
    ['mystery', new Uint8Array([0, 1, 2, 3]), 'binary'],
    ['misnamed.csv', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(84)]), 'sqlite'],
    ['data.db', Buffer.from('not sqlite'), 'binary'],
    ['page.xlsx', Buffer.from('PK\u0003\u0004....xl/workbook.xml'), 'xlsx'],
    ['archive.zip', Buffer.from('PK\u0003\u0004....'), 'binary'],
  ];
  for (const [name, head, want] of cases) {
    it(`${name} → ${want}`, () => expect(detectFormat(name, typeof head === 'string' ? Buffer.from(head) : head)).toBe(want));
  }
});

describe('validateDataFile', () => {
  it('100,000-deep JSON: valid is ok, invalid names the real position (no stack overflow)', async () => {
    const d = 100_000;
    const good = await t.write('deep.json', '['.repeat(d) + ']'.repeat(d));
    expect(await validateDataFile(good)).toEqual({ ok: true, format: 'json', problems: [] });
    const bad = await t.write('deep-bad.json', '['.repeat(d) + '1,' + ']'.repeat(d));
    const r = await validateDataFile(bad);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ line: 1, column: d + 3 })]);
    expect(r.problems[0]!.message).toContain('unexpected character "]"');
  });

  it('accepts a clean CSV with quoted newlines, BOM and CRLF', async () => {
    const p = await t.write('ok.csv', '\uFEFFid,note\r\n1,"two\r\nlines"\r\n2,x\r\n');
    expect(await validateDataFile(p)).toEqual({ ok: true, format: 'csv', problems: [] });
  });
  it('accepts empty and header-only CSV', async () => {
    expect((await validateDataFile(await t.write('empty.csv', ''))).ok).toBe(true);
    expect((await validateDataFile(await t.write('header.csv', 'a,b\n'))).ok).toBe(true);
  });
  it('names the line with the wrong field count', async () => {
    const p = await t.write('ragged.csv', 'a,b\n1,2\n"x\ny",2\n3\n4,5\n');
    const r = await validateDataFile(p);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ line: 5, message: 'line 5: expected 2 fields (as in the header) but found 1' }]);
  });
  it('names the line of a broken quote', async () => {
    const r = await validateDataFile(await t.write('bad.csv', 'a,b\n1,2\n"x"y,2\n'));
    expect(r.ok).toBe(false);
    expect(r.problems[0]?.line).toBe(3);
  });
  it('caps the number of problems', async () => {
    const rows = ['a,b', ...Array.from({ length: 80 }, () => '1')].join('\n');
    const r = await validateDataFile(await t.write('many.csv', rows));
    expect(r.problems.length).toBe(51);
    expect(r.problems[50]?.message).toContain('30 more');
  });
  it('uses the logical name for detection', async () => {
    const p = await t.write('tmp-blob-123', 'a\tb\n1\t2\n');
    expect((await validateDataFile(p, { name: 'results/run.tsv' })).format).toBe('tsv');
  });
  it('reports invalid JSON with line and column', async () => {
    const r = await validateDataFile(await t.write('bad.json', '{\n  "a": 1,\n  "b": }\n'));
    expect(r).toMatchObject({ ok: false, format: 'json', problems: [{ line: 3, column: 8 }] });
  });
  it('accepts valid JSON', async () => {
    expect((await validateDataFile(await t.write('ok.json', '{"a":[1,2]}'))).ok).toBe(true);
  });
  it('opens a real xlsx and rejects a broken one', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('S').addRows([['a', 'b'], [1, 2]]);
    const p = `${t.dir}/ok.xlsx`;
    await wb.xlsx.writeFile(p);
    expect(await validateDataFile(p)).toEqual({ ok: true, format: 'xlsx', problems: [] });
    const bad = await t.write('bad.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100, 7)]));
    const r = await validateDataFile(bad);
    expect(r.format).toBe('xlsx');
    expect(r.ok).toBe(false);
  });
  it('runs PRAGMA integrity_check on SQLite and catches corruption', async () => {
    const p = `${t.dir}/ok.sqlite`;
    const db = new Database(p);
    db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX iv ON t(v);');
    const ins = db.prepare('INSERT INTO t(v) VALUES (?)');
    for (let i = 0; i < 2000; i++) ins.run(`value-${i}-${'x'.repeat(50)}`);
    db.close();
    expect(await validateDataFile(p)).toEqual({ ok: true, format: 'sqlite', problems: [] });
    // Corrupt a page in the middle of the file (keep the header so it still opens).
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(p);
    bytes.fill(0xff, 4096 * 3, 4096 * 3 + 2000);
    const corrupt = `${t.dir}/corrupt.sqlite`;
    await writeFile(corrupt, bytes);
    const r = await validateDataFile(corrupt);
    expect(r.format).toBe('sqlite');
    expect(r.ok).toBe(false);
    expect(r.problems.length).toBeGreaterThan(0);
  });
  it('reports a missing file as a problem', async () => {
    const r = await validateDataFile(`${t.dir}/nope.csv`);
    expect(r.ok).toBe(false);
    expect(r.problems[0]?.message).toMatch(/no such file/);
  });
  it('text and binary are ok', async () => {
    expect((await validateDataFile(await t.write('a.txt', 'hi'))).ok).toBe(true);
    expect((await validateDataFile(await t.write('a.mat', Buffer.from([0, 1, 2])))).format).toBe('binary');
  });
});
