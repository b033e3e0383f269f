import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { filterFiles, filterList, filterNarrowing, filterTitle, filterVersions, queryTerms, stepMatch, versionText } from './filter.js';
import type { FilterMemo } from './filter.js';

const word = fc.stringMatching(/^[a-zA-Z0-9./_-]{0,6}$/);
const query = fc.array(word, { maxLength: 3 }).map((ws) => ws.join(' '));

describe('filterList (property)', () => {
  test('keeps exactly the items containing every word, in their order', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 30 }), query, (items, q) => {
        const out = filterList(items, q, (s) => s.toLowerCase());
        const terms = queryTerms(q);
        const expected = items.filter((s) => terms.every((t) => s.toLowerCase().includes(t)));
        expect(out).toEqual(expected);
      }),
    );
  });

  test('a blank query keeps everything; another word never adds items', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 30 }), query, word, (items, q, more) => {
        expect(filterList(items, '  ', (s) => s.toLowerCase())).toEqual(items);
        const narrower = filterList(items, `${q} ${more}`, (s) => s.toLowerCase());
        const wider = filterList(items, q, (s) => s.toLowerCase());
        expect(narrower.every((x) => wider.includes(x))).toBe(true);
        expect(narrower.length).toBeLessThanOrEqual(wider.length);
      }),
    );
  });

  test('case does not matter', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-zA-Z]{0,8}$/), { maxLength: 20 }), fc.stringMatching(/^[a-zA-Z]{1,3}$/), (items, q) => {
        expect(filterList(items, q.toUpperCase(), (s) => s.toLowerCase())).toEqual(filterList(items, q.toLowerCase(), (s) => s.toLowerCase()));
      }),
    );
  });
});

describe('filterNarrowing (property)', () => {
  test('typing query after query gives exactly what a fresh filter gives', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-c ]{0,8}$/), { maxLength: 40 }), fc.array(fc.stringMatching(/^[a-c ]{0,5}$/), { maxLength: 12 }), (items, queries) => {
        let memo: FilterMemo<string> | null = null;
        let typed = '';
        for (const q of queries) {
          // mostly typing on (narrowing), sometimes starting over
          typed = q.startsWith(' ') ? q : typed + q;
          memo = filterNarrowing(memo, items, typed, (s) => s);
          expect(memo.result).toEqual(filterList(items, typed, (s) => s));
        }
      }),
    );
  });

  test('narrows from the previous result only when it can', () => {
    const items = ['abc', 'abd', 'xyz'];
    const seen: string[] = [];
    const text = (s: string) => (seen.push(s), s);
    const m1 = filterNarrowing(null, items, 'ab', text);
    seen.length = 0;
    filterNarrowing(m1, items, 'abc', text);
    expect(seen).toEqual(['abc', 'abd']);
    seen.length = 0;
    filterNarrowing(m1, items, 'x', text);
    expect(seen).toEqual(items);
  });
});

describe('files and versions', () => {
  const v = (version: number, over: Partial<Parameters<typeof versionText>[0]> = {}) => ({ version, summary: `save ${version}`, tags: [] as string[], savedAt: `2026-05-0${version}T09:00:00.000Z`, kind: 'manual' as const, ...over });

  test('files by path', () => {
    const files = [{ path: 'data/a.csv' }, { path: 'notes.json' }, { path: 'data/b.csv' }];
    expect(filterFiles(files, 'CSV').map((f) => f.path)).toEqual(['data/a.csv', 'data/b.csv']);
    expect(filterFiles(files, 'data b').map((f) => f.path)).toEqual(['data/b.csv']);
  });

  test('versions by description, tag, experiment, date and number', () => {
    const list = [v(3, { description: 'recalibrated sensor' }), v(2, { tags: ['baseline'] }), v(1, { experiment: 'exp-42' })];
    expect(filterVersions(list, 'recalib').map((x) => x.version)).toEqual([3]);
    expect(filterVersions(list, 'baseline').map((x) => x.version)).toEqual([2]);
    expect(filterVersions(list, 'exp-42').map((x) => x.version)).toEqual([1]);
    expect(filterVersions(list, '2026-05-02').map((x) => x.version)).toEqual([2]);
    // the date as the history pane shows it
    expect(filterVersions(list, '2026-05-02 09:00').map((x) => x.version)).toEqual([2]);
    expect(filterVersions(list, 'v1').map((x) => x.version)).toEqual([1]);
    expect(filterVersions(list, 'save 3').map((x) => x.version)).toEqual([3]);
  });

  test('a record given a new tag is found by it (the cached text follows the tags)', () => {
    const rec = v(1);
    expect(filterVersions([rec], 'gold')).toEqual([]);
    rec.tags = ['gold'];
    expect(filterVersions([rec], 'gold')).toEqual([rec]);
  });

  test('n / N wrap around the matches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.nat(49), fc.constantFrom<1 | -1>(1, -1), (count, c, dir) => {
        const cursor = c % count;
        const next = stepMatch(count, cursor, dir);
        expect(next).toBeGreaterThanOrEqual(0);
        expect(next).toBeLessThan(count);
        expect(stepMatch(count, next, dir === 1 ? -1 : 1)).toBe(cursor);
      }),
    );
    expect(stepMatch(3, 2, 1)).toBe(0);
    expect(stepMatch(3, 0, -1)).toBe(2);
    expect(stepMatch(0, 0, 1)).toBe(0);
  });

  test('the title shows the filter and how many match', () => {
    expect(filterTitle('csv', 2, 5)).toBe(' /csv (2 of 5)');
    expect(filterTitle('  ', 5, 5)).toBe('');
  });
});
