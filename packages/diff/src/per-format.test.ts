import { describe, expect, it } from 'vitest';
import { ByteRanges, checkOptions, chooseFormat, sniffDialects } from './per-format.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('shared per-format steps', () => {
  it('ByteRanges coalesces runs within 64 bytes, keeps at most `limit` ranges and counts them all', () => {
    const r = new ByteRanges(2);
    r.mark(0, 2);
    r.mark(66, 1); // gap 64: same range
    r.mark(200, 3); // gap > 64: new range
    r.mark(1000, 1);
    r.close();
    expect(r.ranges).toEqual([{ offset: 0, length: 67 }, { offset: 200, length: 3 }]);
    expect(r.rangeCount).toBe(3);
    expect(r.bytesDiffering).toBe(7);
    const none = new ByteRanges(5);
    none.close();
    expect([none.rangeCount, none.ranges.length]).toEqual([0, 0]);
  });

  it('chooseFormat: the option wins; an empty side takes the other side; disagreeing sides are binary', () => {
    const csv = enc('a,b\n1,2\n');
    const bin = new Uint8Array([0, 1, 2, 0xff, 0]);
    expect(chooseFormat({ name: 'x.csv', format: 'text' }, csv, csv, 8, 8)).toEqual({ format: 'text' });
    expect(chooseFormat({ name: 'x.csv' }, csv, csv, 8, 8).format).toBe('csv');
    expect(chooseFormat({ name: 'x.csv' }, new Uint8Array(0), csv, 0, 8).format).toBe('csv');
    const mixed = chooseFormat({ name: 'x.csv' }, csv, bin, 8, 5);
    expect(mixed.format).toBe('binary');
    expect(mixed.fa).toBe('csv');
    expect(mixed.fb).not.toBe('csv');
  });

  it('checkOptions rejects bad limits, tolerances, cell sizes and empty key lists with E_INVALID_ARGUMENT', () => {
    expect(checkOptions({ name: 'x' })).toBe(1000);
    for (const bad of [{ limit: -1 }, { tolerance: Number.NaN }, { maxCellBytes: 8 }, { key: [] }]) {
      expect(() => checkOptions({ name: 'x', ...bad })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
  });

  it('sniffDialects prefers tabs for TSV', () => {
    const head = enc('a\tb,c\n1\t2,3\n');
    expect(sniffDialects('tsv', head, head).map((d) => d.delimiter)).toEqual(['\t', '\t']);
  });
});
