import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffJson } from './diff.js';
import { applyJsonDiff } from './apply.js';
import { parseJson, type JsonValue } from './parse.js';
import { DiffError } from '../errors.js';
import { diffFiles } from '../diff.js';
import type { JsonDiffResult } from '../types.js';
import { tempDir } from '../test-util/tmp.js';

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
