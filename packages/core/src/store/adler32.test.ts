import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adler32, adler32Combine } from './adler32.js';

/** zlib's own Adler-32: the last four bytes of a zlib stream. */
const zlibAdler = (b: Uint8Array) => zlib.deflateSync(b, { level: 0 }).readUInt32BE(zlib.deflateSync(b, { level: 0 }).length - 4);

describe('adler32', () => {
  it('matches zlib for any input, whole or continued across splits (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200_000 }), fc.nat(), (bytes, cut) => {
        const at = bytes.length ? cut % bytes.length : 0;
        expect(adler32(bytes)).toBe(zlibAdler(bytes));
        expect(adler32(bytes.subarray(at), adler32(bytes.subarray(0, at)))).toBe(zlibAdler(bytes));
      }),
      { numRuns: 60 },
    );
    const ff = new Uint8Array(1_000_003).fill(0xff); // worst case for overflow
    expect(adler32(ff)).toBe(zlibAdler(ff));
  });

  it('combines the checksums of two parts into that of the whole (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300_000 }), fc.nat(), (bytes, cut) => {
        const at = bytes.length ? cut % (bytes.length + 1) : 0;
        const x = bytes.subarray(0, at);
        const y = bytes.subarray(at);
        expect(adler32Combine(adler32(x), adler32(y), y.length)).toBe(zlibAdler(bytes));
      }),
      { numRuns: 80 },
    );
    const ff = new Uint8Array(200_003).fill(0xff);
    expect(adler32Combine(adler32(ff.subarray(0, 77_777)), adler32(ff.subarray(77_777)), ff.length - 77_777)).toBe(zlibAdler(ff));
  });

  it('runs from its own source text (as the hashing thread does)', () => {
    const again = new Function(`return (${adler32.toString()})`)() as typeof adler32;
    const b = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
    expect(again(b, 7, 3, 99_999)).toBe(adler32(b, 7, 3, 99_999));
  });
});
