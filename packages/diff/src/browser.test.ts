/**
 * diffBytes (the in-memory browser diff) gives exactly what diffFiles gives for the same two files:
 * CSV/TSV, JSON and text as data, with format changes, clipped long values and binary summaries alike.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffBytes, diffByteArrays } from './browser.js';
import { diffFiles } from './diff.js';
import type { DiffOptions } from './types.js';
import { tempDir } from './test-util/tmp.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
beforeAll(async () => { tmp = await tempDir(); });
afterAll(async () => { await tmp.cleanup(); });

const enc = (s: string | Uint8Array) => (typeof s === 'string' ? new TextEncoder().encode(s) : s);

async function both(a: string | Uint8Array, b: string | Uint8Array, opts: DiffOptions) {
  const ext = opts.name.slice(opts.name.lastIndexOf('.'));
  const pa = await tmp.write(`a${n}${ext}`, a);
  const pb = await tmp.write(`b${n++}${ext}`, b);
  const fromFiles = await diffFiles({ path: pa, label: 'A' }, { path: pb, label: 'B' }, opts);
  const inMemory = await diffBytes({ bytes: enc(a), label: 'A' }, { bytes: enc(b), label: 'B' }, opts);
  return { fromFiles, inMemory };
}

const cell = fc.oneof(fc.constantFrom('', 'x', 'a,b', 'q"q', 'line\nbreak', '1.5', '2', 'é'), fc.integer({ min: -50, max: 50 }).map(String));
const csvText = (rows: string[][], eol: string, delim: string) =>
  rows.map((r) => r.map((v) => (/[",\n\t]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(delim)).join(eol) + eol;

describe('diffBytes equals diffFiles', () => {
  it('CSV/TSV tables, keyed or positional, with dialect changes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cell, cell), { maxLength: 12 }),
        fc.array(fc.tuple(cell, cell), { maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom(',', '\t'),
        fc.boolean(),
        async (ra, rb, eolA, eolB, delim, positional) => {
          const rows = (r: [string, string][]) => [['id', 'v', 'w'], ...r.map(([v, w], i) => [String(i), v, w])];
          const name = delim === ',' ? 'data.csv' : 'data.tsv';
          const { fromFiles, inMemory } = await both(csvText(rows(ra), eolA, delim), csvText(rows(rb), eolB, delim), { name, positional });
          expect(inMemory).toEqual(fromFiles);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('JSON values, with layout and key-order changes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(0, 2, 4), async (va, vb, indent) => {
        const { fromFiles, inMemory } = await both(JSON.stringify(va, null, indent), JSON.stringify(vb ?? va), { name: 'p.json' });
        expect(inMemory).toEqual(fromFiles);
      }),
      { numRuns: 40 },
    );
  });

  it('text lines (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('a', 'b', 'c', '', 'dé'), { maxLength: 30 }), fc.array(fc.constantFrom('a', 'b', 'c', '', 'x'), { maxLength: 30 }), async (la, lb) => {
        const { fromFiles, inMemory } = await both(la.join('\n'), lb.join('\r\n') + '\n', { name: 'notes.txt' });
        expect(inMemory).toEqual(fromFiles);
      }),
      { numRuns: 40 },
    );
  });

  it('clips long cells and JSON values the same way (sha256 of the full value)', async () => {
    const long = 'z'.repeat(5000);
    const csv = await both(`id,v\n1,a\n2,${long}\n`, `id,v\n1,b\n2,${long}y\n`, { name: 't.csv' });
    expect(csv.inMemory).toEqual(csv.fromFiles);
    expect(JSON.stringify(csv.inMemory)).toContain('"clipped":true');
    const json = await both(JSON.stringify({ k: long }), JSON.stringify({ k: long + 'y' }), { name: 't.json' });
    expect(json.inMemory).toEqual(json.fromFiles);
  });

  it('binary files and byte-identical data with different bytes', async () => {
    const a = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 256);
    const b = Uint8Array.from(a);
    b[10] = 1; b[40] = 2; b[200] = 4; b[4000] = 3;
    const bin = await both(a, b, { name: 'm.bin', limit: 1 });
    expect(bin.inMemory).toEqual(bin.fromFiles);
    expect(bin.inMemory).toMatchObject({ format: 'binary', summary: { ranges: 3 }, truncated: true });
    const same = await both('id,v\n1,2\n', 'id,v\n1,2', { name: 's.csv' });
    expect(same.inMemory).toEqual(same.fromFiles);
    expect(same.inMemory.identical).toBe(false);
    expect(diffByteArrays(a, a, 10)).toMatchObject({ bytesDiffering: 0, rangeCount: 0 });
  });
});

describe('sha256 of clipped values', () => {
  it('the plain-JavaScript hasher (browsers) and the Node one agree', async () => {
    const { sha256Hasher, nobleHasher } = await import('./bytes.js');
    const { createHash } = await import('node:crypto');
    await fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (parts) => {
        const a = sha256Hasher();
        const b = nobleHasher();
        const c = createHash('sha256');
        for (const p of parts) { a.update(p); b.update(p); c.update(p); }
        const want = c.digest('hex');
        expect(a.hex()).toBe(want);
        expect(b.hex()).toBe(want);
      }),
    );
  });
});
