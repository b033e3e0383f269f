import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffFiles } from '@savepoint/diff';
import type { DiffResult } from '@savepoint/diff';
import { cellText, diffView, tableModel } from './diff-view.js';

// Real diff results from the diff engine (on temp files), turned into what the page shows.
let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-web-diff-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function diff(name: string, a: string, b: string): Promise<DiffResult> {
  const i = n++;
  const pa = path.join(dir, `a${i}-${name}`);
  const pb = path.join(dir, `b${i}-${name}`);
  await fsp.writeFile(pa, a);
  await fsp.writeFile(pb, b);
  return diffFiles({ path: pa, label: `${name}@1` }, { path: pb, label: `${name}@2` }, { name });
}

describe('diff view model', () => {
  it('CSV: one table, changed cells marked with their old value, added and removed rows whole', async () => {
    const d = await diff('m.csv', 'id,name,loss\n1,a,0.5\n2,b,0.41\n3,c,0.3\n', 'id,name,loss\n1,a,0.5\n2,b,0.39\n4,d,0.2\n');
    const v = diffView(d);
    expect(v.kind).toBe('table');
    if (v.kind !== 'table') return;
    expect(v.headline).toBe('1 row added, 1 removed, 1 changed (1 cell)');
    const [t] = v.tables;
    expect(t!.columns).toEqual(['id', 'loss', 'name']); // key, then the changed column, then the rest
    expect(t!.rows.map((r) => [r.kind, r.label])).toEqual([
      ['changed', 'id=2'],
      ['added', 'id=4'],
      ['removed', 'id=3'],
    ]);
    const changed = t!.rows[0]!.cells;
    expect(changed.map((c) => c.state)).toEqual(['same', 'changed', 'same']);
    expect(changed[0]!.text).toBe('2'); // the key is shown even though it did not change
    expect(changed[1]).toMatchObject({ column: 'loss', old: '0.41', text: '0.39' });
    expect(t!.rows[1]!.cells.map((c) => c.text)).toEqual(['4', '0.2', 'd']);
    expect(t!.rows[2]!.cells.every((c) => c.state === 'removed')).toBe(true);
  });

  it('CSV: added and removed columns become columns of the table, marked per cell', async () => {
    const d = await diff('c.csv', 'id,old\n1,x\n', 'id,new\n1,y\n');
    const v = diffView(d);
    if (v.kind !== 'table') throw new Error(v.kind);
    const t = v.tables[0]!;
    expect(t.columns).toEqual(['new', 'id', 'old']); // rows matched by position: the changed (added) column first
    expect(t.addedColumns).toEqual(['new']);
    expect(t.removedColumns).toEqual(['old']);
    const row = t.rows[0]!;
    expect(row.cells.find((c) => c.column === 'new')).toMatchObject({ state: 'added', text: 'y' });
    expect(row.cells.find((c) => c.column === 'old')).toMatchObject({ state: 'removed', old: 'x', text: '' });
  });

  it('TSV and identical files', async () => {
    const d = await diff('t.tsv', 'a\tb\n1\t2\n', 'a\tb\n1\t2\n');
    const v = diffView(d);
    expect(v).toMatchObject({ kind: 'table', identical: true, headline: 'No changes.' });
  });

  it('CSV written differently (line endings) is not identical and says why', async () => {
    const d = await diff('e.csv', 'a,b\n1,2\n', 'a,b\r\n1,2\r\n');
    const v = diffView(d);
    expect(v.identical).toBe(false);
    expect(v.formatChanges.join('\n')).toMatch(/line-endings/);
  });

  it('JSON: changed paths with old and new values', async () => {
    const d = await diff('r.json', JSON.stringify({ lr: 0.1, layers: [1, 2], name: 'x' }), JSON.stringify({ lr: 0.2, layers: [1, 2, 3], seed: 7, name: 'x' }));
    const v = diffView(d);
    if (v.kind !== 'json') throw new Error(v.kind);
    const byPath = Object.fromEntries(v.rows.map((r) => [r.path, r]));
    expect(byPath['$.lr']).toMatchObject({ op: 'change', old: '0.1', new: '0.2' });
    expect(byPath['$.seed']).toMatchObject({ op: 'add', new: '7' });
    expect(v.rows.some((r) => r.path.startsWith('$.layers') && r.op === 'add' && r.new === '3')).toBe(true);
    expect(v.headline).toMatch(/added/);
  });

  it('text and binary', async () => {
    const t = diffView(await diff('n.txt', 'one\ntwo\n', 'one\nthree\n'));
    if (t.kind !== 'text') throw new Error(t.kind);
    expect(t.lines.filter((l) => l.op !== ' ')).toEqual([
      { op: '-', text: 'two' },
      { op: '+', text: 'three' },
    ]);
    const b = diffView(await diff('x.bin', '\u0000\u0001\u0002', '\u0000\u0009\u0002'));
    expect(b).toMatchObject({ kind: 'binary', identical: false });
    expect(b.headline).toMatch(/1 byte differ/);
  });

  it('positional rows are labelled by row number and clipped cells show their size', () => {
    const t = tableModel({
      columns: { a: ['v'], b: ['v'], added: [], removed: [], reordered: false },
      match: { mode: 'positional' },
      rowOrderChanged: false,
      summary: { rowsA: 1, rowsB: 1, added: 0, removed: 0, changed: 1, moved: 0, unchanged: 0, cellsChanged: 1, columnsAdded: 0, columnsRemoved: 0 },
      rows: [{ kind: 'changed', aRow: 1, bRow: 1, aLine: 2, bLine: 2, cells: [{ column: 'v', old: 'a', new: { clipped: true, bytes: 9000, sha256: 'ab'.repeat(32), head: 'xyz' } }] }],
      truncated: true,
      notes: [{ code: 'approximate' }],
    });
    expect(t.rows[0]!.label).toBe('row 1');
    expect(t.rows[0]!.cells[0]!.text).toBe('xyz… (9000 bytes, sha256 abababababab)');
    expect(t.truncated).toBe(true);
    expect(t.notes[0]).toMatch(/approximate/);
    expect(cellText(null)).toBe('');
  });
});
