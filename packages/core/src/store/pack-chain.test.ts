import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeltaBaseCache, deltaBaseCache, listPacks, readObjectBuffer, readSmallPacked } from './reader.js';
import { git, gitBuf, tempRepo } from './test-helpers.js';

/** One edit of a text file: replace a line, insert a line, delete a line or append a block. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), text: fc.constant('') }),
  fc.record({ kind: fc.constant('append' as const), at: fc.constant(0), text: fc.string({ minLength: 1, maxLength: 200 }) }),
);

function applyEdit(lines: string[], e: { kind: string; at: number; text: string }): string[] {
  const out = lines.slice();
  const i = lines.length ? e.at % lines.length : 0;
  if (e.kind === 'replace' && out.length) out[i] = e.text;
  else if (e.kind === 'insert') out.splice(i, 0, e.text);
  else if (e.kind === 'delete' && out.length > 1) out.splice(i, 1);
  else out.push(...e.text.split(''));
  return out;
}

describe('packs with deep delta chains written by native git', () => {
  it('random edit sequences → git gc --aggressive (gc.aggressiveDepth=250) → every object reads back byte-identical', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(edit, { minLength: 1, maxLength: 4 }), { minLength: 5, maxLength: 40 }), fc.boolean(), async (steps, refDelta) => {
        const repo = tempRepo();
        try {
          let lines = Array.from({ length: 200 }, (_, i) => `row ${i},${(i * 7919) % 10007}`);
          for (const [n, step] of steps.entries()) {
            for (const e of step) lines = applyEdit(lines, e);
            writeFileSync(path.join(repo.dir, 'data.csv'), lines.join('\n') + '\n');
            git(repo.dir, ['add', 'data.csv']);
            git(repo.dir, ['commit', '-q', '--allow-empty', '-m', `v${n}`]);
          }
          git(repo.dir, ['-c', 'gc.aggressiveDepth=250', 'gc', '-q', '--aggressive', '--prune=now']);
          if (refDelta) {
            // ref-deltas instead of ofs-deltas: repack without the ofs-delta capability
            git(repo.dir, ['-c', 'repack.useDeltaBaseOffset=false', 'repack', '-a', '-d', '-f', '-q', '--depth=250', '--window=50']);
          }
          const objs = git(repo.dir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)']).trim().split('\n');
          // reading newest-first and oldest-first both go through the cache; clear it so runs are independent
          deltaBaseCache.clear();
          for (const l of objs) {
            const [oid, type] = l.split(' ') as [string, string];
            const native = gitBuf(repo.dir, ['cat-file', type, oid]);
            const ours = await readObjectBuffer(repo.gitdir, oid);
            expect(ours.type).toBe(type);
            expect(createHash('sha1').update(ours.data).digest('hex')).toBe(createHash('sha1').update(native).digest('hex'));
            // the streaming path (what large objects take): small-entry path and memory bases off
            if (type === 'blob') {
              const streamed = await readObjectBuffer(repo.gitdir, oid, { memoryBaseLimit: 0 });
              expect(streamed.data.equals(native)).toBe(true);
            }
          }
        } finally {
          repo.cleanup();
        }
      }),
      { numRuns: 6 },
    );
  }, 240_000);

  it('resolves a 200-deep chain once: later reads down the same chain hit the delta-base cache', async () => {
    const repo = tempRepo();
    try {
      let lines = Array.from({ length: 300 }, (_, i) => `row ${i}`);
      for (let v = 0; v < 200; v++) {
        lines = lines.slice();
        lines[(v * 37) % lines.length] = `edited ${v}`;
        writeFileSync(path.join(repo.dir, 'data.csv'), lines.join('\n') + '\n');
        git(repo.dir, ['add', 'data.csv']);
        git(repo.dir, ['commit', '-q', '-m', `v${v}`]);
      }
      git(repo.dir, ['-c', 'gc.aggressiveDepth=250', 'gc', '-q', '--aggressive', '--prune=now']);
      const verifyOut = git(repo.dir, ['verify-pack', '-v', ...(await listPacks(repo.gitdir)).map((p) => p.idxPath)]);
      const maxDepth = Math.max(...[...verifyOut.matchAll(/^chain length = (\d+):/gm)].map((m) => Number(m[1])));
      expect(maxDepth).toBeGreaterThan(50);
      const [pack] = await listPacks(repo.gitdir);
      const cache = new DeltaBaseCache(64 << 20);
      const entries = [...pack!.idx.entries()];
      for (const { oid, offset } of entries) {
        const r = readSmallPacked(pack!, offset, 1 << 20, 8 << 20, cache);
        expect(r).not.toBeNull();
        const hdr = `${r!.type} ${r!.data.length}\0`;
        expect(createHash('sha1').update(hdr).update(r!.data).digest('hex')).toBe(oid);
      }
      // every entry was inflated once; everything else came from the cache
      expect(cache.misses).toBeLessThanOrEqual(entries.length * 2);
      // a cache bounded to a few KiB still returns correct bytes (entries are dropped, not corrupted)
      const tiny = new DeltaBaseCache(16 << 10);
      for (const { oid, offset } of entries.slice(0, 50)) {
        const r = readSmallPacked(pack!, offset, 1 << 20, 8 << 20, tiny)!;
        expect(createHash('sha1').update(`${r.type} ${r.data.length}\0`).update(r.data).digest('hex')).toBe(oid);
      }
      expect(tiny.size).toBeLessThanOrEqual(16 << 10);
    } finally {
      repo.cleanup();
    }
  }, 120_000);
});
