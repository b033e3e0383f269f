import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffFiles } from '../diff.js';
import { DiffError } from '../errors.js';
import type { TableDiffResult } from '../types.js';
import { applyCsvDiff } from './apply.js';
import { formatCsv, parseCsv } from './scanner.js';
import { tempDir } from '../test-util/tmp.js';
import { renderDiff } from '../render.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
beforeAll(async () => { t = await tempDir(); });
afterAll(async () => { await t.cleanup(); });

async function csvDiff(a: string, b: string, opts: { key?: string[]; tolerance?: number; limit?: number; positional?: boolean; name?: string } = {}): Promise<TableDiffResult> {
  const i = n++;
  const name = opts.name ?? 'data.csv';
  const pa = await t.write(`a${i}-${name}`, a);
  const pb = await t.write(`b${i}-${name}`, b);
  const r = await diffFiles({ path: pa, label: `${name}@1` }, { path: pb, label: `${name}@2` }, { ...opts, name });
  expect(['csv', 'tsv']).toContain(r.format);
  return r as TableDiffResult;
}

describe('CSV diff', () => {
  it('keyed by a detected unique column: added, removed, changed cells', async () => {
    const r = await csvDiff('id,name,loss\n1,a,0.5\n2,b,0.41\n3,c,0.3\n', 'id,name,loss\n1,a,0.5\n2,b,0.39\n4,d,0.2\n');
    expect(r.match).toEqual({ mode: 'keyed', key: ['id'], keySource: 'detected' });
    expect(r.summary).toMatchObject({ rowsA: 3, rowsB: 3, added: 1, removed: 1, changed: 1, unchanged: 1, cellsChanged: 1 });
    expect(r.rows).toEqual([
      { kind: 'changed', aRow: 2, bRow: 2, aLine: 3, bLine: 3, key: ['2'], cells: [{ column: 'loss', old: '0.41', new: '0.39' }] },
      { kind: 'added', bRow: 3, bLine: 4, key: ['4'], values: ['4', 'd', '0.2'] },
      { kind: 'removed', aRow: 3, aLine: 4, key: ['3'], values: ['3', 'c', '0.3'] },
    ]);
  });

  const identicalCases: [string, string, string][] = [
    ['empty files', '', ''],
    ['same bytes', 'id,v\r\n1,x\r\n', 'id,v\r\n1,x\r\n'],
  ];
  for (const [name, a, b] of identicalCases) {
    it(name, async () => {
      const r = await csvDiff(a, b);
      expect(r.identical).toBe(true);
      expect(r.rows).toEqual([]);
    });
  }

  // Same data, written differently: never "identical"; the dialect says what changed.
  const dialectCases: [string, string, string, { aspect: string; a: string; b: string }[]][] = [
    ['LF → CRLF', 'id,v\n1,x\n2,y\n', 'id,v\r\n1,x\r\n2,y\r\n', [{ aspect: 'line-endings', a: 'LF', b: 'CRLF' }]],
    ['comma → semicolon', 'id,v\n1,x\n2,y\n', 'id;v\n1;x\n2;y\n', [{ aspect: 'delimiter', a: 'comma', b: 'semicolon' }]],
    ['an added BOM', 'id,v\n1,x\n2,y\n', '\uFEFFid,v\n1,x\n2,y\n', [{ aspect: 'bom', a: 'none', b: 'UTF-8 BOM' }]],
    ['quote everything', 'id,v\n1,x\n2,y\n', '"id","v"\n"1","x"\n"2","y"\n', [{ aspect: 'quoting', a: 'minimal', b: 'all' }]],
    ['quote non-numbers', 'id,v\n1,x\n2,y\n', '"id","v"\n1,"x"\n2,"y"\n', [{ aspect: 'quoting', a: 'minimal', b: 'non-numeric' }]],
    ['final newline dropped', 'id,v\n1,x\n2,y\n', 'id,v\n1,x\n2,y', [{ aspect: 'trailing-newline', a: 'yes', b: 'no' }]],
    ['header-only, CRLF', 'a,b\n', 'a,b\r\n', [{ aspect: 'line-endings', a: 'LF', b: 'CRLF' }]],
    ['BOM and CRLF together', 'id,v\n1,x\n', '\uFEFFid,v\r\n1,x\r\n', [{ aspect: 'bom', a: 'none', b: 'UTF-8 BOM' }, { aspect: 'line-endings', a: 'LF', b: 'CRLF' }]],
  ];
  for (const [name, a, b, want] of dialectCases) {
    it(`same data, ${name}: reported as a format change, not identical`, async () => {
      const r = await csvDiff(a, b);
      expect(r.rows).toEqual([]);
      expect(r.identical).toBe(false);
      expect(r.formatChanges).toEqual(want);
    });
  }

  it('line endings of a file whose header is longer than the 64 KiB head are still named', async () => {
    const cols = Array.from({ length: 12_000 }, (_, i) => `col${i}`);
    const row = cols.map((_, i) => String(i));
    const r = await csvDiff(`${cols.join(',')}\n${row.join(',')}\n`, `${cols.join(',')}\r\n${row.join(',')}\r\n`, { positional: true });
    expect(r.formatChanges).toEqual([{ aspect: 'line-endings', a: 'LF', b: 'CRLF' }]);
  });

  it('the dialect section describes both sides and the text names the change', async () => {
    const r = await csvDiff('id,v\n1,x\n2,y\n', 'id;v\r\n1;x\r\n2;y\r\n');
    expect(r.dialect.a).toEqual({ delimiter: ',', quote: '"', lineEnding: 'LF', bom: false, encoding: 'utf-8', quoting: 'minimal', trailingNewline: true });
    expect(r.dialect.b).toMatchObject({ delimiter: ';', lineEnding: 'CRLF' });
    const lines = renderDiff(r, { color: false });
    expect(lines).toContain('~ line endings: LF → CRLF');
    expect(lines).toContain('~ delimiter: comma → semicolon');
    expect(lines.at(-1)).toBe('written differently: line endings, delimiter');
    expect(renderDiff(r, { color: false, stat: true })).toEqual(['0 rows added, 0 rows removed, 0 rows changed (0 cells)', 'written differently: line endings, delimiter']);
  });

  it('a byte difference no dialect field explains (a blank line) is still reported, with its offset', async () => {
    const r = await csvDiff('id,v\n1,x\n2,y\n', 'id,v\n1,x\n\n2,y\n');
    expect(r.summary).toMatchObject({ added: 0, removed: 0, changed: 0 });
    expect(r.identical).toBe(false);
    expect(r.formatChanges).toEqual([{ aspect: 'bytes', a: '13 bytes', b: '14 bytes', offset: 9 }]);
    expect(renderDiff(r, { color: false })).toContain('~ bytes: 13 bytes → 14 bytes, first difference at byte 9 (the data is the same; it is written differently)');
  });

  it('with a tolerance, numbers within it are equal even though the bytes differ', async () => {
    const r = await csvDiff('id,v\n1,0.5\n', 'id,v\n1,0.5000001\n', { tolerance: 0.001 });
    expect(r.identical).toBe(true);
    expect(r.formatChanges).toEqual([]);
  });

  it('quoted fields with newlines are one cell; lines are physical lines', async () => {
    const r = await csvDiff('id,note\n1,"a\nb"\n2,"x"\n', 'id,note\n1,"a\nB"\n2,"x"\n');
    expect(r.rows).toEqual([{ kind: 'changed', aRow: 1, bRow: 1, aLine: 2, bLine: 2, key: ['1'], cells: [{ column: 'note', old: 'a\nb', new: 'a\nB' }] }]);
    const r2 = await csvDiff('id,note\n1,"a\nb"\n2,x\n', 'id,note\n1,"a\nb"\n2,y\n');
    expect(r2.rows[0]).toMatchObject({ aLine: 4, bLine: 4 });
  });

  it('header-only to rows: all added', async () => {
    const r = await csvDiff('a,b\n', 'a,b\n1,2\n3,4\n');
    expect(r.summary).toMatchObject({ added: 2, removed: 0 });
  });

  it('empty to data: column and rows added', async () => {
    const r = await csvDiff('', 'a\n1\n');
    expect(r.columns.added).toEqual(['a']);
    expect(r.summary.added).toBe(1);
  });

  it('columns added, removed and reordered', async () => {
    const r = await csvDiff('id,x,y\n1,a,b\n2,c,d\n', 'id,y,z\n1,b,\n2,d,q\n');
    expect(r.columns).toEqual({ a: ['id', 'x', 'y'], b: ['id', 'y', 'z'], added: ['z'], removed: ['x'], reordered: false });
    expect(r.summary).toMatchObject({ changed: 2, columnsAdded: 1, columnsRemoved: 1 });
    expect(r.rows[1]).toMatchObject({ key: ['2'], cells: [{ column: 'z', new: 'q' }, { column: 'x', old: 'c' }] });
    const r2 = await csvDiff('id,x,y\n1,a,b\n', 'id,y,x\n1,b,a\n');
    expect(r2.columns.reordered).toBe(true);
    expect(r2.summary.changed).toBe(0);
  });

  it('TSV and semicolon dialects are detected', async () => {
    const r = await csvDiff('id\tv\n1\ta,b\n', 'id\tv\n1\ta;b\n', { name: 'x.tsv' });
    expect(r.format).toBe('tsv');
    expect(r.rows[0]).toMatchObject({ cells: [{ column: 'v', old: 'a,b', new: 'a;b' }] });
    const r2 = await csvDiff('id;v\n1;1,5\n2;2\n', 'id;v\n1;1,6\n2;2\n');
    expect(r2.dialect.a.delimiter).toBe(';');
    expect(r2.rows[0]).toMatchObject({ cells: [{ column: 'v', old: '1,5', new: '1,6' }] });
  });

  it('explicit composite key', async () => {
    const r = await csvDiff('run,step,loss\n1,1,0.5\n1,2,0.4\n2,1,0.6\n', 'run,step,loss\n1,1,0.5\n1,2,0.35\n2,1,0.6\n', { key: ['run', 'step'] });
    expect(r.match).toEqual({ mode: 'keyed', key: ['run', 'step'], keySource: 'option' });
    expect(r.rows).toEqual([{ kind: 'changed', aRow: 2, bRow: 2, aLine: 3, bLine: 3, key: ['1', '2'], cells: [{ column: 'loss', old: '0.4', new: '0.35' }] }]);
  });

  it('tolerance compares numbers', async () => {
    const a = 'id,v\n1,0.5000\n2,1e3\n3,x\n';
    const b = 'id,v\n1,0.5001\n2,1000\n3,y\n';
    expect((await csvDiff(a, b)).summary.changed).toBe(3);
    const r = await csvDiff(a, b, { tolerance: 0.001 });
    expect(r.summary).toMatchObject({ changed: 1, unchanged: 2 });
  });

  it('duplicate explicit key is an error naming the lines', async () => {
    const err = await csvDiff('id,v\n1,a\n1,b\n', 'id,v\n1,a\n', { key: ['id'] }).catch((e) => e);
    expect(err).toBeInstanceOf(DiffError);
    expect(err.code).toBe('E_CSV_DUPLICATE_KEY');
    expect(err.details).toMatchObject({ side: 'a', lines: [2, 3] });
  });

  it('duplicate key in b for an explicit key', async () => {
    const err = await csvDiff('id,v\n1,a\n', 'id,v\n2,a\n2,b\n', { key: ['id'] }).catch((e) => e);
    expect(err.code).toBe('E_CSV_DUPLICATE_KEY');
    expect(err.details).toMatchObject({ side: 'b' });
  });

  it('a duplicate key is named once, as its cells (not JSON inside JSON)', async () => {
    const err = await csvDiff('id,run,v\n1,x y,a\n1,x y,b\n', 'id,run,v\n1,x y,a\n', { key: ['id', 'run'] }).catch((e) => e);
    expect(err.code).toBe('E_CSV_DUPLICATE_KEY');
    expect(err.details.value).toEqual(['1', 'x y']);
    expect(err.message).toContain('id=1, run="x y" appears more than once');
    expect(err.message).not.toContain('\\');
    expect(err.message).not.toContain('[');
  });

  it('a detected key that turns out duplicated falls back to position with a note', async () => {
    const rowsA = Array.from({ length: 5 }, (_, i) => `${i},v${i}`);
    const rowsB = [...rowsA, '3,dup'];
    // Only the first 10 000 rows are sampled for detection; here duplicates show up after the sample.
    const many = Array.from({ length: 10_000 }, (_, i) => `${i + 10},w`);
    const r = await csvDiff(['id,v', ...rowsA, ...many].join('\n'), ['id,v', ...rowsB.slice(0, 5), ...many, '3,dup'].join('\n'));
    expect(r.match).toEqual({ mode: 'positional' });
    expect(r.notes[0]).toMatchObject({ code: 'duplicate-key', key: ['id'], side: 'b', value: ['3'] });
    expect(r.summary).toMatchObject({ added: 1, removed: 0, changed: 0 });
  });

  it('unknown key column is an error', async () => {
    const err = await csvDiff('id,v\n1,a\n', 'id,v\n1,b\n', { key: ['nope'] }).catch((e) => e);
    expect(err.code).toBe('E_CSV_KEY_NOT_FOUND');
    expect(err.details).toMatchObject({ key: 'nope', keys: ['nope'], columns: ['id', 'v'] });
    expect(err.message).toContain('Key column nope is not in data.csv@');
    const odd = await csvDiff('id,v\n1,a\n', 'id,v\n1,b\n', { key: ['we"ird'] }).catch((e) => e);
    expect(odd.details.key).toBe('we"ird');
    expect(odd.message.split('we').length - 1).toBe(1);
  });

  it('positional mode recognises moved rows and pairs changed rows', async () => {
    const a = 'x,y\na,1\nb,1\nc,1\nd,1\ne,1\n';
    const b = 'x,y\nb,1\nc,1\nd,2\ne,1\na,1\n';
    const r = await csvDiff(a, b, { positional: true });
    expect(r.match).toEqual({ mode: 'positional' });
    expect(r.summary).toMatchObject({ moved: 1, changed: 1, added: 0, removed: 0, unchanged: 3 });
    expect(r.rows).toEqual([
      { kind: 'changed', aRow: 4, bRow: 3, aLine: 5, bLine: 4, cells: [{ column: 'y', old: '1', new: '2' }] },
      { kind: 'moved', aRow: 1, bRow: 5, aLine: 2, bLine: 6, values: ['a', '1'] },
    ]);
  });

  it('no unique column → positional', async () => {
    const r = await csvDiff('k,v\na,1\na,1\nb,2\n', 'k,v\na,1\na,2\nb,2\n');
    expect(r.match.mode).toBe('positional');
    expect(r.summary.changed).toBe(1);
  });

  it('limit caps details but counts stay exact', async () => {
    const a = ['id,v', ...Array.from({ length: 500 }, (_, i) => `${i},a`)].join('\n');
    const b = ['id,v', ...Array.from({ length: 500 }, (_, i) => `${i},b`)].join('\n');
    const r = await csvDiff(a, b, { limit: 7 });
    expect(r.summary.changed).toBe(500);
    expect(r.rows.length).toBe(7);
    expect(r.truncated).toBe(true);
  });

  const malformed: [string, string, number][] = [
    ['unclosed quote', 'id,v\n1,a\n2,"b\n3,c\n', 3],
    ['text after closing quote', 'id,v\n1,a\n2,"b"x\n', 3],
    ['wrong field count', 'id,v\n1,a\n2,b,c\n', 3],
    ['wrong count after a multi-line field', 'id,v\n1,"a\n\nb"\n2\n', 5],
  ];
  for (const [name, bad, line] of malformed) {
    it(`malformed CSV (${name}) names the line`, async () => {
      const err = await csvDiff('id,v\n1,a\n', bad).catch((e) => e);
      expect(err).toBeInstanceOf(DiffError);
      expect(err.code).toBe('E_CSV_MALFORMED');
      expect(err.details.line).toBe(line);
      expect(err.message).toContain(`line ${line}`);
    });
  }
});

describe('applyCsvDiff(a, diffFiles(a, b)) = b', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ',', '"', '\n', ' ', '1', '.', 'é'), maxLength: 4 });
  const eol = fc.constantFrom('\n', '\r\n');

  it('keyed', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }).chain((w) => fc.record({
        w: fc.constant(w),
        rowsA: fc.array(fc.array(cell, { minLength: w, maxLength: w }), { maxLength: 15 }),
        rowsB: fc.array(fc.array(cell, { minLength: w, maxLength: w }), { maxLength: 15 }),
        keep: fc.array(fc.boolean(), { minLength: 15, maxLength: 15 }),
        shuffle: fc.boolean(),
        dropCol: fc.boolean(),
        addCol: fc.boolean(),
        eolA: eol, eolB: eol,
      })),
      async ({ w, rowsA, rowsB, keep, shuffle, dropCol, addCol, eolA, eolB }) => {
        const header = ['id', ...Array.from({ length: w }, (_, i) => `c${i}`)];
        const a = rowsA.map((r, i) => [`k${i}`, ...r]);
        // b keeps some of a's rows (possibly edited from rowsB), drops others, adds new ids.
        let b = a.filter((_, i) => keep[i]).map((r, i) => (rowsB[i] && i % 2 === 0 ? [r[0]!, ...rowsB[i]!] : r));
        b.push(...rowsB.slice(0, 3).map((r, i) => [`n${i}`, ...r]));
        if (shuffle) b = b.reverse();
        let headerB = header;
        if (dropCol && w > 1) { headerB = header.filter((_, i) => i !== 1); b = b.map((r) => r.filter((_, i) => i !== 1)); }
        if (addCol) { headerB = [...headerB, 'extra']; b = b.map((r, i) => [...r, i % 2 ? 'x' : '']); }
        const textA = formatCsv([header, ...a], undefined, eolA);
        const textB = formatCsv([headerB, ...b], undefined, eolB);
        const r = await csvDiff(textA, textB, { key: ['id'], limit: 10_000 });
        const got = parseCsv(applyCsvDiff(textA, r));
        const want = parseCsv(textB);
        if (r.rowOrderChanged) {
          expect(got[0]).toEqual(want[0]);
          expect(got.slice(1).map((x) => JSON.stringify(x)).sort()).toEqual(want.slice(1).map((x) => JSON.stringify(x)).sort());
        } else expect(got).toEqual(want);
        // Counts are consistent with the rows reported.
        expect(r.rows.filter((x) => x.kind === 'changed').length).toBe(r.summary.changed);
        expect(r.summary.unchanged + r.summary.changed + r.summary.removed).toBe(a.length);
      },
    ), { numRuns: 150 });
  });

  it('positional', async () => {
    const small = fc.constantFrom('a', 'b', 'c', 'x,y', '"q"', 'l\nm', '');
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(small, { minLength: 2, maxLength: 2 }), { maxLength: 20 }),
      fc.array(fc.array(small, { minLength: 2, maxLength: 2 }), { maxLength: 20 }),
      eol,
      async (rowsA, rowsB, e) => {
        // Make b share structure with a: interleave kept a rows with b rows.
        const b = rowsA.flatMap((r, i) => (i % 3 === 0 ? [] : i % 3 === 1 ? [r] : [r, ...(rowsB[i] ? [rowsB[i]!] : [])]));
        if (rowsB[0]) b.unshift(rowsB[0]);
        const textA = formatCsv([['p', 'q'], ...rowsA], undefined, e);
        const textB = formatCsv([['p', 'q'], ...b], undefined, e);
        const r = await csvDiff(textA, textB, { positional: true, limit: 10_000 });
        expect(parseCsv(applyCsvDiff(textA, r))).toEqual(parseCsv(textB));
        const s = r.summary;
        expect(s.unchanged + s.changed + s.removed + s.moved).toBe(rowsA.length);
        expect(s.unchanged + s.changed + s.added + s.moved).toBe(b.length);
      },
    ), { numRuns: 150 });
  });
});

describe('large positional diff (anchored alignment)', () => {
  it('applying the diff rebuilds b and moved/changed rows are found', async () => {
    let seed = 7;
    const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; };
    const a = Array.from({ length: 20_000 }, (_, i) => [`s${(rnd() * 1e9) | 0}`, i % 50 === 0 ? 'dup' : `${i}`]);
    const b = a.map((r) => [...r]);
    for (let k = 0; k < 200; k++) b[(rnd() * b.length) | 0]![1] = `changed-${k}`;
    b.splice(5000, 10);
    b.splice(100, 0, ['new', 'row']);
    b.push(...b.splice(7000, 2)); // two rows moved to the end
    const textA = formatCsv([['s', 'v'], ...a]);
    const textB = formatCsv([['s', 'v'], ...b]);
    const r = await csvDiff(textA, textB, { positional: true, limit: 100_000 });
    expect(r.notes).toEqual([]);
    expect(r.summary.moved).toBe(2);
    expect(r.summary.added).toBe(1);
    expect(parseCsv(applyCsvDiff(textA, r))).toEqual(parseCsv(textB));
  });
});
