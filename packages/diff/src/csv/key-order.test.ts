import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffTables, type TableDiff } from '../table/engine.js';
import { KeyRecorder, LEX, SHORTLEX, mergeKeyRuns } from './key-order.js';
import { openCsvSource } from './source.js';
import { tempDir } from '../test-util/tmp.js';

const enc = new TextEncoder();
const bytesCmp = (x: Uint8Array, y: Uint8Array): number => Buffer.compare(x, y);
const shortlexCmp = (x: Uint8Array, y: Uint8Array): number => (x.length !== y.length ? x.length - y.length : Buffer.compare(x, y));

describe('KeyRecorder', () => {
  const key = fc.uint8Array({ maxLength: 5 }).map((u) => u.map((b) => b % 4 + 48)); // small alphabet: many ties
  it('follows exactly the orders in which the keys strictly increase, and keeps their bytes', () => {
    fc.assert(fc.property(fc.array(key, { maxLength: 30 }), fc.constantFrom('no', 'lex', 'shortlex'), (keys, sort) => {
      if (sort !== 'no') keys.sort(sort === 'lex' ? bytesCmp : shortlexCmp);
      const r = new KeyRecorder(2);
      const src = new Uint8Array(64);
      for (const k of keys) { src.set(k, 7); r.add(src, 7, 7 + k.length); }
      let want = LEX | SHORTLEX;
      for (let i = 1; i < keys.length; i++) {
        if (bytesCmp(keys[i]!, keys[i - 1]!) <= 0) want &= ~LEX;
        if (shortlexCmp(keys[i]!, keys[i - 1]!) <= 0) want &= ~SHORTLEX;
      }
      const run = r.run();
      expect(run.order).toBe(want);
      if (want !== 0) {
        expect(run.n).toBe(keys.length);
        let s = 0;
        keys.forEach((k, i) => { expect([...run.bytes.subarray(s, run.ends[i])]).toEqual([...k]); s = run.ends[i]!; });
      }
    }));
  });

  it('gives up (order 0) past its byte limit', () => {
    const r = new KeyRecorder(4, 10);
    const src = enc.encode('abcdefghij');
    r.add(src, 0, 4);
    r.add(src, 4, 8);
    expect(r.order).not.toBe(0);
    r.add(src, 8, 10);
    r.add(src, 0, 1); // not reached: over the limit
    expect(r.run().order).toBe(0);
  });
});

describe('mergeKeyRuns', () => {
  it('matches every row of b to the row of a with the same key, as a map of the keys would', () => {
    const keySet = fc.uniqueArray(fc.string({ unit: fc.constantFrom('0', '1', '2', 'a', 'é'), maxLength: 4 }), { maxLength: 25 });
    fc.assert(fc.property(keySet, keySet, fc.constantFrom(LEX, SHORTLEX), (ka, kb, order) => {
      const cmp = order === LEX ? bytesCmp : shortlexCmp;
      const ua = ka.map((k) => enc.encode(k)).sort(cmp);
      const ub = kb.map((k) => enc.encode(k)).sort(cmp);
      const record = (keys: Uint8Array[]) => { const r = new KeyRecorder(1); for (const k of keys) r.add(k, 0, k.length); return r.run(); };
      const ra = record(ua);
      const rb = record(ub);
      expect(ra.order & order).toBe(order);
      const got = mergeKeyRuns({ ...ra, order }, ua.length, { ...rb, order }, ub.length);
      const index = new Map(ua.map((k, i) => [Buffer.from(k).toString('hex'), i] as const));
      expect(got && [...got]).toEqual(ub.map((k) => index.get(Buffer.from(k).toString('hex')) ?? -1));
    }));
  });

  it('refuses runs without a common order or with rows missing', () => {
    const r = { order: LEX, n: 1, bytes: enc.encode('a'), ends: Int32Array.of(1) };
    expect(mergeKeyRuns(r, 1, { ...r, order: SHORTLEX }, 1)).toBeNull();
    expect(mergeKeyRuns(r, 2, r, 1)).toBeNull();
    expect(mergeKeyRuns(r, 1, r, 1)).not.toBeNull();
  });
});

// A diff of versions sorted by key is made by a merge (no key table): it must be exactly the diff the key table
// gives (the reference: the general fingerprint, which keeps no key bytes), whatever the quoting, line ends,
// unsorted tails, repeated keys or malformed rows.
describe('keyed diff of sorted versions (merge) gives the same diff as the key table', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let n = 0;
  beforeAll(async () => { t = await tempDir(); });
  afterAll(async () => { await t.cleanup(); });

  const field = (v: string, quoteAll: boolean): string => (quoteAll || /[,"\r\n]/.test(v) || v === '' ? `"${v.split('"').join('""')}"` : v);
  const text = (rows: string[][], eol: string, quoteAll: (i: number) => boolean, bom: boolean): string =>
    (bom ? '\uFEFF' : '') + rows.map((r, i) => r.map((v) => field(v, quoteAll(i))).join(',') + eol).join('');

  const keyChar = fc.constantFrom('0', '1', '9', 'a', 'B', ',', '"', '\n', '\r', ' ', 'é');
  const value = fc.string({ unit: fc.constantFrom('x', 'y', ',', '"', '\n', '\r\n', '\r', ''), maxLength: 3 });
  const input = fc.record({
    keys: fc.uniqueArray(fc.string({ unit: keyChar, minLength: 1, maxLength: 4 }), { minLength: 0, maxLength: 30 }),
    shortlex: fc.boolean(),
    vals: fc.array(value, { minLength: 30, maxLength: 30 }),
    edits: fc.array(fc.tuple(fc.constantFrom('change', 'add', 'remove', 'tail', 'dup', 'dupA', 'bad'), fc.nat(), value), { maxLength: 6 }),
    eolA: fc.constantFrom('\n', '\r\n', '\r'),
    eolB: fc.constantFrom('\n', '\r\n', '\r'),
    quoteA: fc.nat(3),
    quoteB: fc.nat(3),
    bom: fc.boolean(),
    chunk: fc.constantFrom(16, 64, 1 << 20),
    detect: fc.boolean(),
  });

  it('on random sorted tables with edits', { timeout: 600_000 }, async () => {
    let merged = 0;
    let runs = 0;
    await fc.assert(fc.asyncProperty(input, async ({ keys, shortlex, vals, edits, eolA, eolB, quoteA, quoteB, bom, chunk, detect }) => {
      const cmp = shortlex ? shortlexCmp : bytesCmp;
      const sorted = keys.map((k) => enc.encode(k)).sort(cmp).map((u) => new TextDecoder().decode(u));
      const a = sorted.map((k, i) => [k, vals[i]!, String(i)]);
      let b = a.map((r) => [...r]);
      let badA = false;
      for (const [op, at, v] of edits) {
        const r = b.length ? at % b.length : 0;
        if (op === 'change' && b.length) b[r]![1] = v;
        else if (op === 'add') {
          // a new key in its sorted place (or nowhere when it exists already)
          const k = `${sorted[r] ?? ''}${v.replace(/\r|\n/g, '') || '0'}`;
          if (!b.some((x) => x[0] === k)) { b.push([k, v, 'new']); b.sort((x, y) => cmp(enc.encode(x[0]!), enc.encode(y[0]!))); }
        } else if (op === 'remove' && b.length) b.splice(r, 1);
        else if (op === 'tail' && b.length > 1) { const [x] = b.splice(r, 1); b.push(x!); } // an unsorted tail
        else if (op === 'dup' && b.length) b.splice(r, 0, [b[r]![0]!, v, 'dup']);
        else if (op === 'dupA' && a.length) badA = true;
        else if (op === 'bad' && b.length) b = [...b.slice(0, r), [b[r]![0]!, 'only two'] as string[], ...b.slice(r)];
      }
      const rowsA = badA && a.length ? [...a, [a[a.length - 1]![0]!, 'again', 'x']] : a;
      const header = ['id', 'v', 'n'];
      const ta = text([header, ...rowsA], eolA, (i) => quoteA === 3 || (quoteA === 2 && i % 2 === 1), bom);
      const tb = text([header, ...b], eolB, (i) => quoteB === 3 || (quoteB === 2 && i % 3 === 1), false);
      const i = n++;
      const pa = await t.write(`a${i}.csv`, ta);
      const pb = await t.write(`b${i}.csv`, tb);
      const dialect = { delimiter: ',', quote: '"' };
      const run = async (canonical: boolean): Promise<TableDiff | { error: unknown }> => {
        try {
          const sa = await openCsvSource(pa, 'a', dialect, 4096, { canonical, chunk: canonical ? chunk : undefined, noWorker: true });
          const sb = await openCsvSource(pb, 'b', dialect, 4096, { canonical, chunk: canonical ? chunk : undefined, noWorker: true });
          if (canonical) {
            const order = async (s: typeof sa) => ((await s.scan([0], [0, 1, 2], () => undefined, true).catch(() => null)) || { order: 0 }).order;
            if (((await order(sa)) & (await order(sb))) !== 0) merged++;
            runs++;
          }
          return await diffTables(sa, sb, { key: detect ? undefined : ['id'], limit: 1000, detectKey: true });
        } catch (e) {
          return { error: e };
        }
      };
      const fast = await run(true);
      const ref = await run(false);
      expect(fast).toEqual(ref);
    }), { numRuns: 300 });
    // The property must have exercised the merge, not only the key table.
    expect(merged).toBeGreaterThan(runs / 4);
  });
});
