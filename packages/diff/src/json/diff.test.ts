import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffJson } from './diff.js';
import { applyJsonDiff } from './apply.js';
import { parseJson, type JsonValue } from './parse.js';
import { DiffError } from '../errors.js';
import { diffFiles } from '../diff.js';
import type { JsonDiffResult } from '../types.js';
import { tempDir } from '../test-util/tmp.js';
import { renderDiff } from '../render.js';
import { createHash } from 'node:crypto';

let t: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => { t = await tempDir(); });
afterAll(async () => { await t.cleanup(); });

describe('diffJson', () => {
  const cases: { name: string; a: JsonValue; b: JsonValue; want: string[] }[] = [
    { name: 'leaf change in a positional array', a: { runs: [{ loss: 1 }, { loss: 0.5 }, { loss: 0.45 }, { loss: 0.41 }] }, b: { runs: [{ loss: 1 }, { loss: 0.5 }, { loss: 0.45 }, { loss: 0.39 }] }, want: ['change $.runs[3].loss 0.41 0.39'] },
    { name: 'keys added and removed', a: { a: 1, b: 2 }, b: { b: 2, c: 3 }, want: ['remove $.a 1', 'add $.c 3'] },
    { name: 'array matched by id', a: { items: [{ id: 1, v: 'a' }, { id: 2, v: 'b' }] }, b: { items: [{ id: 2, v: 'B' }, { id: 3, v: 'c' }] }, want: ['remove $.items[id=1] {"id":1,"v":"a"}', 'change $.items[id=2].v "b" "B"', 'add $.items[id=3] {"id":3,"v":"c"}'] },
    { name: 'array matched by name when no id', a: [{ name: 'x', n: 1 }, { name: 'y', n: 2 }], b: [{ name: 'y', n: 3 }, { name: 'x', n: 1 }], want: ['change $[name=y].n 2 3', 'reorder $ '] },
    { name: 'insertion at the front of a plain array', a: [1, 2, 3], b: [0, 1, 2, 3], want: ['add $[0] 0'] },
    { name: 'type change', a: { x: [1] }, b: { x: { y: 1 } }, want: ['change $.x [1] {"y":1}'] },
    { name: 'odd keys are quoted', a: { 'a b': 1 }, b: { 'a b': 2 }, want: ['change $["a b"] 1 2'] },
    { name: 'equal documents with different key order', a: { a: 1, b: [1, { c: 2, d: 3 }] }, b: { b: [1, { d: 3, c: 2 }], a: 1 }, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = diffJson(c.a, c.b).map((x) => `${x.op} ${x.path} ${x.op === 'add' ? JSON.stringify(x.new) : x.op === 'remove' ? JSON.stringify(x.old) : x.op === 'change' ? `${JSON.stringify(x.old)} ${JSON.stringify(x.new)}` : ''}`);
      expect(got).toEqual(c.want);
      expect(applyJsonDiff(c.a, diffJson(c.a, c.b))).toEqual(c.b);
    });
  }

  it('tolerance for numbers', () => {
    expect(diffJson({ x: 0.5 }, { x: 0.5000001 }, { tolerance: 1e-3 })).toEqual([]);
    expect(diffJson({ x: 0.5 }, { x: 0.6 }, { tolerance: 1e-3 })).toHaveLength(1);
  });

  it('applyJsonDiff(a, diffJson(a, b)) = b for arbitrary documents', () => {
    const doc = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b', null, true), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('x', 'y', 'z', 'id'), tie('v'), { maxKeys: 3 }), tie('rows')),
      rows: fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 6 }), v: fc.integer({ min: 0, max: 2 }) }), { selector: (r) => r.id, maxLength: 5 }),
    })).v as fc.Arbitrary<JsonValue>;
    fc.assert(fc.property(doc, doc, (a, b) => {
      expect(applyJsonDiff(a, diffJson(a, b))).toEqual(b);
    }), { numRuns: 1000 });
  });
});

describe('parseJson', () => {
  const bad: [string, string, number, number][] = [
    ['missing value', '{\n  "a": 1,\n  "b": }', 3, 8],
    ['trailing comma', '[1,2,]', 1, 6],
    ['unterminated string', '{"a": "x', 1, 9],
    ['empty', '', 1, 1],
    ['single quotes', "{'a': 1}", 1, 2],
    ['garbage after value', '{}\n}', 2, 1],
  ];
  for (const [name, text, line, column] of bad) {
    it(`${name} → E_JSON_MALFORMED at ${line}:${column}`, () => {
      try {
        parseJson(text);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DiffError);
        expect((e as DiffError).code).toBe('E_JSON_MALFORMED');
        expect((e as DiffError).details).toMatchObject({ line, column });
      }
    });
  }
});

describe('diffFiles on JSON', () => {
  it('reports summary and paths, and BOM is ignored', async () => {
    const a = await t.write('a.json', '\uFEFF{"runs":[{"id":1,"loss":0.41}]}');
    const b = await t.write('b.json', '{"runs":[{"id":1,"loss":0.39},{"id":2,"loss":0.5}]}');
    const r = (await diffFiles({ path: a }, { path: b }, { name: 'm.json' })) as JsonDiffResult;
    expect(r.format).toBe('json');
    expect(r.summary).toEqual({ added: 1, removed: 0, changed: 1 });
    expect(r.changes.map((c) => c.path)).toEqual(['$.runs[id=1].loss', '$.runs[id=2]']);
  });
  it('invalid JSON names the side and position', async () => {
    const a = await t.write('ok.json', '{}');
    const b = await t.write('bad.json', '{\n "a": tru }');
    const err = await diffFiles({ path: a }, { path: b, label: 'm.json@2' }, { name: 'm.json' }).catch((e) => e);
    expect(err.code).toBe('E_JSON_MALFORMED');
    expect(err.details).toMatchObject({ line: 2, column: 7, label: 'm.json@2' });
  });
});

describe('diffFiles on JSON: same data, written differently', () => {
  const cases: [string, string, string, { aspect: string; a?: string; b?: string; path?: string }[]][] = [
    ['re-indented', '{"a":1,"b":[1,2]}', '{\n  "a": 1,\n  "b": [1, 2]\n}\n', [{ aspect: 'line-endings', a: 'none', b: 'LF' }, { aspect: 'trailing-newline', a: 'no', b: 'yes' }, { aspect: 'indentation', a: 'compact', b: '2 spaces' }]],
    ['2 → 4 spaces', '{\n  "a": 1\n}\n', '{\n    "a": 1\n}\n', [{ aspect: 'indentation', a: '2 spaces', b: '4 spaces' }]],
    ['spaces inside a line only', '{"a": 1, "b": 2}', '{"a":1,"b":2}', [{ aspect: 'whitespace', a: '16 bytes', b: '13 bytes' }]],
    ['keys reordered', '{"x":{"a":1,"b":2}}', '{"x":{"b":2,"a":1}}', [{ aspect: 'key-order', a: 'a, b', b: 'b, a', path: '$.x' }]],
    ['number notation', '{"a":1.0}', '{"a":1}', [{ aspect: 'notation', a: '9 bytes', b: '7 bytes' }]],
    ['a BOM', '{"a":1}', '\uFEFF{"a":1}', [{ aspect: 'bom', a: 'none', b: 'UTF-8 BOM' }]],
    ['CRLF', '{\n"a":1\n}\n', '{\r\n"a":1\r\n}\r\n', [{ aspect: 'line-endings', a: 'LF', b: 'CRLF' }]],
  ];
  for (const [name, a, b, want] of cases) {
    it(name, async () => {
      const pa = await t.write(`fa-${name}.json`, a);
      const pb = await t.write(`fb-${name}.json`, b);
      const r = (await diffFiles({ path: pa }, { path: pb }, { name: 'm.json' })) as JsonDiffResult;
      expect(r.changes).toEqual([]);
      expect(r.identical).toBe(false);
      expect(r.formatChanges).toEqual(want);
    });
  }
});

describe('deep and huge JSON', () => {
  const deepArray = (d: number, leaf: string) => '['.repeat(d) + leaf + ']'.repeat(d);
  const deepObject = (d: number, leaf: string) => '{"a":'.repeat(d) + leaf + '}'.repeat(d);

  it('a 100,000-deep document diffs without recursion (arrays and objects)', async () => {
    for (const [name, make] of [['arr', deepArray], ['obj', deepObject]] as const) {
      const pa = await t.write(`deep-${name}-a.json`, make(100_000, '1'));
      const pb = await t.write(`deep-${name}-b.json`, make(100_000, '2'));
      const r = (await diffFiles({ path: pa, label: 'd@1' }, { path: pb, label: 'd@2' }, { name: 'd.json' })) as JsonDiffResult;
      expect(r.summary).toEqual({ added: 0, removed: 0, changed: 1 });
      expect(r.changes[0]!.segments).toHaveLength(100_000);
      expect(r.changes[0]).toMatchObject({ op: 'change', old: 1, new: 2 });
      const lines = renderDiff(r, { color: false });
      expect(lines.every((l) => l.length < 1000)).toBe(true);
      expect(lines.join('\n')).toContain('…(100,000 levels)…');
      JSON.stringify(r); // what `--json` prints must serialise too
      const same = await diffFiles({ path: pa }, { path: pa }, { name: 'd.json' });
      expect(same.identical).toBe(true);
    }
  });

  it('a deep value that was added is clipped (length + sha256), so the result serialises', async () => {
    const deep = deepArray(100_000, '0');
    const pa = await t.write('deepadd-a.json', '{"x":1}');
    const pb = await t.write('deepadd-b.json', `{"x":1,"big":${deep}}`);
    const r = (await diffFiles({ path: pa }, { path: pb }, { name: 'd.json' })) as JsonDiffResult;
    const c = r.changes[0]!;
    expect(c).toMatchObject({ op: 'add', path: '$.big' });
    expect(c.new).toBeUndefined();
    expect(c.newClipped).toEqual({ clipped: true, bytes: deep.length, sha256: createHash('sha256').update(deep).digest('hex'), head: '['.repeat(256) });
    expect(JSON.parse(JSON.stringify(r)).changes[0].newClipped.bytes).toBe(200_001);
    expect(renderDiff(r, { color: false })).toContain(`+ $.big: "${'['.repeat(256)}"… (200,001 bytes, sha256 ${c.newClipped!.sha256.slice(0, 16)}…)`);
  });

  it('invalid deep JSON is E_JSON_MALFORMED at the right place, not a crash', async () => {
    const text = '['.repeat(100_000) + '1' + ']'.repeat(99_999) + '}';
    expect(() => parseJson(text)).toThrowError(expect.objectContaining({ code: 'E_JSON_MALFORMED', details: expect.objectContaining({ column: 200_001, reason: "expected ',' or ']'" }) }));
  });
});
