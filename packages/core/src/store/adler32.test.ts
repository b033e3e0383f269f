import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adler32 } from './adler32.js';
import { OffThreadAdler } from './adler-worker.js';

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

  it('gives the same value off the main thread, for interleaved sessions', async () => {
    const a = new Uint8Array(3_000_000).map((_, i) => (i * 31) & 0xff);
    const b = new Uint8Array(500_001).fill(0xfe);
    const sa = new OffThreadAdler();
    const sb = new OffThreadAdler(b.subarray(0, 7));
    for (let p = 0; p < a.length; p += 65_535) {
      sa.update(a.subarray(p, p + 65_535));
      if (p === 0) sb.update(b.subarray(7));
    }
    expect(await sb.digest()).toBe(zlibAdler(b));
    expect(await sa.digest()).toBe(zlibAdler(a));
  });
});
