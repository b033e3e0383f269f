import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adler32 } from './adler32.js';

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

});
