import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDelta, createDelta } from './delta.js';
import { DeltaThreads, sharedBuffer } from './delta-parallel.js';
import { csv } from './test-helpers.js';

// The worker runs the compiled module (dist/, built by `tsc -b` as `pnpm test` does).
const distWorker = new URL('../../dist/store/delta-worker.js', import.meta.url);

function shared(b: Uint8Array): Buffer {
  const s = sharedBuffer(b.length);
  s.set(b);
  return s;
}

/** Feed `target` in pieces of the given sizes (cycled), as compact streams a stored object. */
function feeder(target: Uint8Array, pieces: number[]) {
  return async (sink: (c: Uint8Array) => Promise<void>) => {
    let p = 0;
    for (let i = 0; p < target.length; i++) {
      const n = pieces.length ? pieces[i % pieces.length]! : target.length;
      await sink(target.subarray(p, p + n));
      p += n;
    }
  };
}

describe.skipIf(!existsSync(distWorker))('delta on two threads', () => {
  // small segments so that a few kilobytes cross many segment boundaries, on both threads
  let threads: DeltaThreads;
  beforeAll(() => {
    threads = DeltaThreads.create({ workerUrl: distWorker, force: true, segmentBytes: 4096 })!;
  });
  afterAll(() => threads.close());

  it('round-trips edited content whatever the segment boundaries and chunking (property)', async () => {
    const edited = fc
      .tuple(fc.uint8Array({ minLength: 100, maxLength: 30_000 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 300 }), fc.uint8Array({ maxLength: 80 })), { maxLength: 10 }))
      .map(([base, edits]) => {
        let t = Buffer.from(base);
        for (const [at, del, ins] of edits) {
          const pos = at % Math.max(1, t.length);
          t = Buffer.concat([t.subarray(0, pos), Buffer.from(ins), t.subarray(pos + del)]);
        }
        return { base: Buffer.from(base), target: t };
      });
    await fc.assert(
      fc.asyncProperty(edited, fc.array(fc.integer({ min: 1, max: 9000 }), { maxLength: 5 }), async ({ base, target }, pieces) => {
        const parts = await threads.encode(shared(base), target.length, Number.MAX_SAFE_INTEGER, feeder(target, pieces));
        expect(parts).not.toBeNull();
        expect(Buffer.from(applyDelta(base, Buffer.concat(parts!)))).toEqual(target);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same bytes on every run, and about the one-thread delta on CSV versions', async () => {
    const base = Buffer.from(csv(3000, 1, 9));
    const target = Buffer.from(csv(3100, 2, 9));
    const a = Buffer.concat((await threads.encode(shared(base), target.length, Number.MAX_SAFE_INTEGER, feeder(target, [777])))!);
    const b = Buffer.concat((await threads.encode(shared(base), target.length, Number.MAX_SAFE_INTEGER, feeder(target, [5000, 13])))!);
    expect(a).toEqual(b);
    expect(Buffer.from(applyDelta(base, a))).toEqual(target);
    const one = (await createDelta(base, target))!;
    // one more copy instruction per segment boundary at most (and a few bytes to find the next block)
    expect(a.length).toBeLessThan(one.length + (target.length / 4096 + 1) * 48);
  });

  it('answers null when the delta would be larger than allowed, and then works again', async () => {
    const base = Buffer.from(csv(2000, 1, 3));
    const unrelated = Buffer.from(csv(2000, 99, 4).map((x) => x ^ 0x5a));
    expect(await threads.encode(shared(base), unrelated.length, 1000, feeder(unrelated, [3000]))).toBeNull();
    const target = Buffer.from(csv(2010, 2, 3));
    const parts = await threads.encode(shared(base), target.length, Number.MAX_SAFE_INTEGER, feeder(target, [3000]));
    expect(Buffer.from(applyDelta(base, Buffer.concat(parts!)))).toEqual(target);
  });

  it('refuses a target that is not the announced size, and a base outside shared memory', async () => {
    const base = Buffer.from(csv(500, 1, 3));
    await expect(threads.encode(shared(base), base.length + 1, Number.MAX_SAFE_INTEGER, feeder(base, [100]))).rejects.toThrow(/expected/);
    await expect(threads.encode(base, base.length, Number.MAX_SAFE_INTEGER, feeder(base, [100]))).rejects.toThrow(/shared memory/);
    const parts = await threads.encode(shared(base), base.length, Number.MAX_SAFE_INTEGER, feeder(base, [100]));
    expect(Buffer.from(applyDelta(base, Buffer.concat(parts!)))).toEqual(base);
  });
});
