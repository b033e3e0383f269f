import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, createDelta } from './delta.js';
import { composePieces, deltaPieces, type Pieces } from './delta-chain.js';
import { csv } from './test-helpers.js';

/** Render pieces against the bottom object and the delta buffers. */
function render(p: Pieces, bottom: Uint8Array, deltas: Uint8Array[]): Buffer {
  const out = Buffer.alloc(p.size);
  for (let i = 0; i < p.start.length; i++) {
    const src = p.src[i] === -1 ? deltas[p.lit[i]!]! : bottom;
    out.set(src.subarray(p.off[i]!, p.off[i]! + p.len[i]!), p.start[i]!);
  }
  return out;
}

describe('delta chain composition', () => {
  it('composing a chain of deltas gives what applying them level by level gives (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.record({ at: fc.nat(), del: fc.nat({ max: 300 }), ins: fc.uint8Array({ maxLength: 200 }) }), { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 7 }), async (levels) => {
        // versions[0] is the bottom (stored whole); each next version edits the previous one
        const versions: Buffer[] = [csv(800, 1, 7)];
        for (const edits of levels) {
          let v = versions[versions.length - 1]!;
          for (const e of edits) {
            const at = v.length ? e.at % v.length : 0;
            v = Buffer.concat([v.subarray(0, at), Buffer.from(e.ins), v.subarray(Math.min(v.length, at + e.del))]);
          }
          versions.push(v);
        }
        // the pack stores the newest as a delta on the one below it, and so on down to the bottom
        const deltas: Uint8Array[] = [];
        for (let i = versions.length - 1; i >= 1; i--) {
          const d = await createDelta(versions[i - 1]!, versions[i]!, { maxDeltaSize: 1 << 30 });
          expect(d).not.toBeNull();
          expect(Buffer.from(applyDelta(versions[i - 1]!, d!)).equals(versions[i]!)).toBe(true);
          deltas.push(d!);
        }
        let p = deltaPieces(deltas[0]!, 0);
        for (let i = 1; i < deltas.length; i++) p = composePieces(p, deltaPieces(deltas[i]!, i), 1 << 20)!;
        expect(p.baseSize).toBe(versions[0]!.length);
        expect(render(p, versions[0]!, deltas).equals(versions[versions.length - 1]!)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a chain whose sizes do not fit together, and gives up past the piece limit', () => {
    const a = Buffer.from([10, 5, 0x90, 5]); // base 10, result 5: copy 5 bytes from 0
    const b = Buffer.from([7, 10, 0x90, 7, 3, 1, 2, 3]); // base 7, result 10 (copy 7 + insert 3)
    const c = Buffer.from([9, 10, 0x90, 9, 1, 4]); // base 9, result 10
    expect(composePieces(deltaPieces(a, 0), deltaPieces(b, 1), 100)).toMatchObject({ size: 5, baseSize: 7 });
    expect(() => composePieces(deltaPieces(a, 0), deltaPieces(Buffer.from([7, 11, 0x90, 7, 4, 1, 2, 3, 4]), 1), 100)).toThrow(/base of 10 bytes, got 11/);
    expect(composePieces(deltaPieces(Buffer.from([10, 10, 0x90, 5, 0x91, 1, 5]), 0), deltaPieces(c, 1), 1)).toBeNull();
  });
});
