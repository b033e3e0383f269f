import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffFiles } from '@savepoint/diff';
import type { DiffResult } from '@savepoint/diff';
import { clip, gridLines, layoutGrid, MIN_COL, naturalWidths, rowDetail, tableModels, textWidth } from './table-grid.js';
import type { GridModel } from './table-grid.js';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-grid-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function diffCsv(a: string, b: string, name = 'data.csv'): Promise<DiffResult> {
  await fsp.writeFile(path.join(dir, 'a.csv'), a);
  await fsp.writeFile(path.join(dir, 'b.csv'), b);
  return diffFiles({ path: path.join(dir, 'a.csv'), label: 'a' }, { path: path.join(dir, 'b.csv'), label: 'b' }, { name });
}

const spanText = (spans: { text: string }[]) => spans.map((s) => s.text).join('');

describe('tableModels from a real CSV diff', () => {
  test('changed, added and removed rows; changed cells flagged; key cells on both sides', async () => {
    const r = await diffCsv('id,name,score\n1,ada,10\n2,bob,20\n3,cy,30\n', 'id,name,score\n1,ada,11\n3,cy,30\n4,dee,40\n');
    const [m] = tableModels(r, 'data.csv')!;
    expect(m!.columns).toEqual(['id', 'name', 'score']);
    expect(m!.summary).toContain('1 added · 1 removed · 1 changed');
    const changed = m!.rows.find((x) => x.kind === 'changed')!;
    expect(changed.a).toEqual(['1', undefined, '10']);
    expect(changed.b).toEqual(['1', undefined, '11']);
    expect(changed.changed).toEqual([false, false, true]);
    const added = m!.rows.find((x) => x.kind === 'added')!;
    expect(added.b).toEqual(['4', 'dee', '40']);
    const removed = m!.rows.find((x) => x.kind === 'removed')!;
    expect(removed.a).toEqual(['2', 'bob', '20']);

    const layout = layoutGrid(naturalWidths(m!), m!.rows.map((x) => x.ref), 80, 0);
    const { header, lines } = gridLines(m!, layout, m!.rows);
    expect(spanText(header)).toMatch(/^row\s+│\s+id\s+name\s+score\s+│\s+id\s+name\s+score/);
    const line = spanText(lines[m!.rows.indexOf(changed)]!);
    // the changed cell carries a * marker on both sides (visible without colour)
    expect(line).toMatch(/~ \d+\s+│\s+1\s+\*10\s+│\s+1\s+\*11/);
    expect(lines.every((l) => textWidth(spanText(l)) === layout.lineWidth)).toBe(true);
    expect(rowDetail(m!, changed).join('\n')).toMatch(/\* score\s+10 → 11/);
    expect(rowDetail(m!, changed).join('\n')).toMatch(/^  name\s+\(unchanged\)$/m);
    expect(rowDetail(m!, added).join('\n')).toMatch(/\* name\s+dee/);
  });

  test('text and JSON diffs are not tables', async () => {
    await fsp.writeFile(path.join(dir, 'a.txt'), 'x\n');
    await fsp.writeFile(path.join(dir, 'b.txt'), 'y\n');
    const r = await diffFiles({ path: path.join(dir, 'a.txt') }, { path: path.join(dir, 'b.txt') }, { name: 'notes.txt' });
    expect(tableModels(r, 'notes.txt')).toBeNull();
  });
});

describe('layoutGrid', () => {
  test('scrolling right hides columns on the left and reveals those on the right', () => {
    const natural = Array.from({ length: 12 }, () => 10);
    const l0 = layoutGrid(natural, ['1'], 80, 0);
    expect(l0.hiddenLeft).toBe(0);
    expect(l0.hiddenRight).toBeGreaterThan(0);
    const l3 = layoutGrid(natural, ['1'], 80, 3);
    expect(l3.columns[0]!.index).toBe(3);
    expect(l3.hiddenLeft).toBe(3);
    // the offset is clamped to the last column
    expect(layoutGrid(natural, ['1'], 80, 99).offset).toBe(11);
  });

  test('property: a drawn line is never wider than the terminal, columns never narrower than MIN_COL unless alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: MIN_COL, max: 40 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.string({ maxLength: 9 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 10, max: 300 }),
        fc.integer({ min: -3, max: 40 }),
        (natural, refs, width, offset) => {
          const l = layoutGrid(natural, refs, width, offset);
          expect(l.lineWidth).toBeLessThanOrEqual(width);
          const used = l.columns.reduce((n, c) => n + c.width, 0) + Math.max(0, l.columns.length - 1);
          if (l.columns.length) expect(l.refWidth + 6 + 2 * used).toBe(l.lineWidth);
          for (const c of l.columns.slice(0, -1)) expect(c.width).toBe(natural[c.index]);
          expect(l.hiddenLeft + l.columns.length + l.hiddenRight).toBe(natural.length);
        },
      ),
    );
  });

  test('property: drawn grid lines of arbitrary cells (wide characters included) are exactly lineWidth', () => {
    const cell = fc.option(fc.string({ unit: fc.constantFrom('a', 'Z', '7', ' ', 'é', '日', '本', '🙂', ',', '"'), maxLength: 30 }), { nil: undefined });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 20, max: 200 }), fc.nat(6), fc.array(fc.tuple(cell, cell, cell, cell, cell, cell), { minLength: 1, maxLength: 5 }), (ncol, width, offset, cells) => {
        const columns = Array.from({ length: ncol }, (_, i) => `col${i}`);
        const m: GridModel = {
          title: 't',
          columns,
          summary: '',
          truncated: false,
          rows: cells.map((c, i) => ({ kind: 'changed', ref: String(i + 1), a: c.slice(0, ncol), b: [...c].reverse().slice(0, ncol), changed: columns.map((_, k) => k % 2 === 0) })),
        };
        const l = layoutGrid(naturalWidths(m), m.rows.map((r) => r.ref), width, offset);
        const { header, lines } = gridLines(m, l, m.rows);
        for (const line of [header, ...lines]) {
          expect(textWidth(spanText(line))).toBe(l.lineWidth);
          expect(textWidth(spanText(line))).toBeLessThanOrEqual(width);
        }
      }),
    );
  });

  test('clip pads and cuts by terminal columns', () => {
    expect(clip('abc', 5)).toBe('abc  ');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(textWidth(clip('日本語テキスト', 6))).toBe(6);
    expect(clip('x', 0)).toBe('');
  });
});

const hasSqlite = (await import('node:child_process')).spawnSync('sqlite3', ['-version']).status === 0;
if (!hasSqlite) console.warn('[tui] SKIPPED: the sqlite3 command is not installed; the SQLite grid test did not run');
describe.skipIf(!hasSqlite)('tableModels from a real SQLite diff', () => {
  test('one grid per changed table, keyed by the primary key, NULL shown as NULL', async () => {
    const { execFileSync } = await import('node:child_process');
    const db = (name: string, sql: string) => {
      const p = path.join(dir, name);
      execFileSync('sqlite3', [p, sql]);
      return p;
    };
    const a = db('a.db', "CREATE TABLE runs(id INTEGER PRIMARY KEY, loss REAL, note TEXT); INSERT INTO runs VALUES (1, 0.5, 'x'), (2, 0.4, NULL); CREATE TABLE same(k INTEGER PRIMARY KEY); INSERT INTO same VALUES (1);");
    const b = db('b.db', "CREATE TABLE runs(id INTEGER PRIMARY KEY, loss REAL, note TEXT); INSERT INTO runs VALUES (1, 0.5, 'x'), (2, 0.3, 'tuned'), (3, 0.2, NULL); CREATE TABLE same(k INTEGER PRIMARY KEY); INSERT INTO same VALUES (1);");
    const r = await diffFiles({ path: a }, { path: b }, { name: 'runs.db' });
    expect(r.format).toBe('sqlite');
    const models = tableModels(r, 'runs.db')!;
    expect(models.map((m) => m.title)).toEqual(['table runs']);
    const [m] = models;
    expect(m!.summary).toContain('key id');
    const changed = m!.rows.find((x) => x.kind === 'changed')!;
    expect(changed.a[m!.columns.indexOf('note')]).toBe('NULL');
    expect(changed.b[m!.columns.indexOf('note')]).toBe('tuned');
    expect(changed.changed[m!.columns.indexOf('loss')]).toBe(true);
    expect(m!.rows.find((x) => x.kind === 'added')!.b).toEqual(['3', '0.2', 'NULL']);
  });
});
