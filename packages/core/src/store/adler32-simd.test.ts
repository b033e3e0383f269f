import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adler32 } from './adler32.js';
import { ADLER_SIMD_PAGES, createAdler32Simd } from './adler32-simd.js';
import { prng } from './test-helpers.js';

/** zlib's own Adler-32 of `b`: the last four bytes of a zlib stream (RFC 1950), big-endian. */
const zlibAdler = (b: Uint8Array): number => {
  const z = zlib.deflateSync(b, { level: 0 });
  return z.readUInt32BE(z.length - 4);
};

describe('WebAssembly SIMD Adler-32', () => {
  const simd = createAdler32Simd();
  it('is available on the Node versions we support (20+)', () => {
    expect(simd).not.toBeNull();
    expect(simd!.view.length).toBe(ADLER_SIMD_PAGES * 65536);
  });

  it('equals zlib and the JS adler32 for every length up to 300 and at any offset', () => {
    const s = simd!;
    const rnd = prng(5);
    for (let len = 0; len <= 300; len++) {
      const data = rnd(len);
      const at = len % 37;
      s.view.set(data, at);
      const got = s.adler32(at, at + len);
      expect(got, `length ${len}`).toBe(zlibAdler(data));
      expect(got).toBe(adler32(data));
    }
  });

  it('does not overflow on the worst case: megabytes of 0xff, in one call and continued over odd splits', () => {
    const s = simd!;
    const n = (1 << 20) + 900_000;
    const data = Buffer.alloc(n, 0xff);
    s.view.set(data, 3);
    const whole = s.adler32(3, 3 + n);
    expect(whole).toBe(zlibAdler(data));
    let a = 1;
    for (const [from, to] of [[0, 31], [31, 70_001], [70_001, 1 << 20], [1 << 20, n]] as const) a = s.adler32(3 + from, 3 + to, a);
    expect(a).toBe(whole);
  });

  it('continues from any previous value exactly as zlib would over the concatenation (property)', () => {
    const s = simd!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.uint8Array({ maxLength: 70_000 }), fc.integer({ min: 0, max: 15 }), (x, y, at) => {
        s.view.set(x, at);
        s.view.set(y, at + x.length);
        const prev = s.adler32(at, at + x.length);
        expect(prev).toBe(adler32(x));
        expect(s.adler32(at + x.length, at + x.length + y.length, prev)).toBe(zlibAdler(Buffer.concat([x, y])));
      }),
      { numRuns: 200 },
    );
  });

  it('gives each caller its own memory', () => {
    const a = createAdler32Simd()!;
    const b = createAdler32Simd()!;
    a.view.fill(1, 0, 100);
    b.view.fill(2, 0, 100);
    expect(a.adler32(0, 100)).toBe(adler32(Buffer.alloc(100, 1)));
    expect(b.adler32(0, 100)).toBe(adler32(Buffer.alloc(100, 2)));
  });
});
