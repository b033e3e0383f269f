import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeltaEncoder, DeltaError, DeltaInterpreter, applyDelta, createDelta, memoryBase, readDeltaCopy, readDeltaHeader } from './delta.js';
import { CorruptObject, deltaResultSize } from './reader.js';
import { csv, prng } from './test-helpers.js';

async function streamApply(base: Uint8Array, delta: Uint8Array, pieces: number[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const interp = new DeltaInterpreter(memoryBase(base), (c) => void out.push(Buffer.from(c)), 1000);
  let p = 0;
  for (const n of pieces) {
    if (p >= delta.length) break;
    await interp.push(delta.subarray(p, p + n));
    p += n;
  }
  if (p < delta.length) await interp.push(delta.subarray(p));
  interp.finish();
  return Buffer.concat(out);
}

/** A target derived from a base by edits, so deltas have real copies in them. */
const edited = fc
  .tuple(
    fc.uint8Array({ minLength: 0, maxLength: 5000 }),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 200 }), fc.uint8Array({ maxLength: 60 })), { maxLength: 8 }),
  )
  .map(([base, edits]) => {
    let t = Buffer.from(base);
    for (const [at, del, ins] of edits) {
      const pos = t.length ? at % t.length : 0;
      t = Buffer.concat([t.subarray(0, pos), Buffer.from(ins), t.subarray(pos + del)]);
    }
    return { base: Buffer.from(base), target: t };
  });

describe('delta codec', () => {
  it('round-trips edited content (property), whole and streamed in random pieces', async () => {
    await fc.assert(
      fc.asyncProperty(edited, fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 20 }), async ({ base, target }, pieces) => {
        const delta = await createDelta(base, target);
        expect(delta).not.toBeNull();
        expect(Buffer.from(applyDelta(base, delta!)).equals(target)).toBe(true);
        expect((await streamApply(base, delta!, pieces)).equals(target)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips unrelated random inputs (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }), async (a, b) => {
        const delta = await createDelta(a, b);
        expect(Buffer.from(applyDelta(a, delta!)).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('makes small deltas for CSV edits and works across a sliding window and chunked target', async () => {
    const base = csv(60_000, 0);
    const target = Buffer.concat([csv(60_000, 3, 101).subarray(0, base.length - 1000), Buffer.from('appended,row\n'.repeat(500))]);
    const delta = (await createDelta(base, target))!;
    expect(delta.length).toBeLessThan(target.length / 20);
    expect(Buffer.from(applyDelta(base, delta)).equals(target)).toBe(true);
    // Tiny window forces several slides; odd chunk sizes split matches across pushes.
    const enc = new DeltaEncoder(memoryBase(base), target.length, { window: 1 << 16, maxDeltaSize: Number.MAX_SAFE_INTEGER });
    for (let p = 0; p < target.length; p += 77_777) await enc.push(target.subarray(p, p + 77_777));
    const parts = await enc.finish();
    const windowed = Buffer.concat(parts!);
    expect(Buffer.from(applyDelta(base, windowed)).equals(target)).toBe(true);
    expect(windowed.length).toBeLessThan(target.length / 10);
  });

  it('gives up when the delta would exceed the limit', async () => {
    const rnd = prng(9);
    const a = rnd(100_000);
    const b = rnd(100_000);
    const enc = new DeltaEncoder(memoryBase(a), b.length, { maxDeltaSize: 20_000 });
    await enc.push(b);
    expect(await enc.finish()).toBeNull();
  });

  it('rejects malformed deltas', async () => {
    const base = Buffer.from('hello world');
    expect(() => applyDelta(base, Buffer.from([11, 5, 0]))).toThrow(DeltaError); // reserved opcode
    expect(() => applyDelta(base, Buffer.from([11, 5, 0x91, 8, 5]))).toThrow(DeltaError); // copy out of range
    expect(() => applyDelta(base, Buffer.from([12, 5, 0x90, 5]))).toThrow(DeltaError); // wrong base size
    await expect(streamApply(base, Buffer.from([11, 5, 3, 65]), [2])).rejects.toThrow(DeltaError); // truncated insert
  });

  it('parses the shared header and copy arguments the decoders use', () => {
    // base 300 (0xac 0x02), result 70000 (0xf0 0xa2 0x04), then a copy of 0x1234 bytes at 0x01020304
    const d = Buffer.from([0xac, 0x02, 0xf0, 0xa2, 0x04, 0xbf, 0x04, 0x03, 0x02, 0x01, 0x34, 0x12]);
    expect(readDeltaHeader(d)).toEqual({ baseSize: 300, resultSize: 70000, start: 5 });
    expect(deltaResultSize(d)).toBe(70000);
    const copy = readDeltaCopy(d, 6, d[5]!, { off: 0, size: 0, next: 0 });
    expect(copy).toEqual({ off: 0x01020304, size: 0x1234, next: 12 });
    expect(readDeltaCopy(Buffer.from([0x80]), 1, 0x80, { off: 0, size: 0, next: 0 })).toEqual({ off: 0, size: 0x10000, next: 1 });
    expect(() => readDeltaCopy(d, 6, 0xff, { off: 0, size: 0, next: 0 })).toThrow('delta copy instruction is truncated');
    expect(() => readDeltaHeader(Buffer.from([0x80]))).toThrow('delta header is truncated');
    expect(() => deltaResultSize(Buffer.from([0x05, 0x80]))).toThrow(CorruptObject);
    expect(() => readDeltaHeader(Buffer.from(new Array(10).fill(0xff)))).toThrow('delta header size is too large');
  });
});
