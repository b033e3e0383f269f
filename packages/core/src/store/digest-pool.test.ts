import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPLIT_MIN_BYTES, digestBlobs } from './digest-pool.js';
import { git } from './test-helpers.js';
import { looseObjectPath } from './reader.js';
import { writeBlobFromFile } from './object-store.js';
import { csv, prng, tempRepo } from './test-helpers.js';

// The worker threads run the compiled module (dist/, built by `tsc -b` as `pnpm test` does); from source the
// pool hashes in this thread. Both are checked against sha256 computed here.
const distWorker = new URL('../../dist/store/digest-worker.js', import.meta.url);

describe('digest pool', () => {
  let repo: ReturnType<typeof tempRepo>;
  const blobs: Array<{ oid: string; sha256: string; size: number }> = [];
  let damaged = '';
  beforeAll(async () => {
    repo = tempRepo();
    const rnd = prng(7);
    for (let i = 0; i < 6; i++) {
      const content = i % 2 ? csv(2000 + i * 500, i, 13) : rnd(300_000 + i * 1000);
      const f = path.join(repo.dir, `f${i}`);
      writeFileSync(f, content);
      const info = await writeBlobFromFile(repo.gitdir, f);
      blobs.push({ oid: info.oid, sha256: createHash('sha256').update(content).digest('hex'), size: content.length });
    }
    // flip one content byte in the middle of a stored-block loose object: framing intact, content wrong
    damaged = blobs[2]!.oid;
    const p = looseObjectPath(repo.gitdir, damaged);
    const buf = readFileSync(p);
    buf[buf.length >> 1] ^= 0xff;
    writeFileSync(p, buf);
  });
  afterAll(() => repo.cleanup());

  for (const mode of ['full', 'quick'] as const) {
    for (const where of ['worker threads', 'this thread'] as const) {
      it.skipIf(where === 'worker threads' && !existsSync(distWorker))(`${mode}, ${where}: every intact blob's sha256, the damaged one found`, async () => {
        const seen: number[] = [];
        const out = await digestBlobs(repo.gitdir, [...blobs, blobs[0]!], { quick: mode === 'quick', workers: where === 'this thread' ? 1 : 2, workerUrl: distWorker, onProgress: (n) => seen.push(n) });
        expect(out.size).toBe(blobs.length);
        for (const b of blobs) {
          const o = out.get(b.oid)!;
          if (b.oid === damaged) {
            if (mode === 'full') expect(o.error?.code).toBe('E_OBJECT_CORRUPT');
            else expect(o.digest!.sha256).not.toBe(b.sha256); // quick: hashes what is there; verify compares
          } else {
            expect(o.error).toBeUndefined();
            expect(o.digest).toEqual({ size: b.size, sha256: b.sha256 });
          }
        }
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.every((n, i) => i === 0 || n >= seen[i - 1]!)).toBe(true);
      });
    }
  }

  it('a missing object is an E_OBJECT_MISSING outcome, not a thrown error', async () => {
    const out = await digestBlobs(repo.gitdir, [{ oid: '0'.repeat(40), size: 1 }, blobs[1]!], { workers: 2, workerUrl: distWorker });
    expect(out.get('0'.repeat(40))!.error?.code).toBe('E_OBJECT_MISSING');
    expect(out.get(blobs[1]!.oid)!.digest?.sha256).toBe(blobs[1]!.sha256);
  });

  describe('one large blob in a full run: SHA-1 and framing here, sha256 in a worker', () => {
    let big: { oid: string; sha256: string; size: number };
    let content: Buffer;
    beforeAll(async () => {
      // split: true splits any size; 17 MiB keeps the test quick (the default threshold is SPLIT_MIN_BYTES)
      expect(SPLIT_MIN_BYTES).toBeGreaterThan(17 << 20);
      content = Buffer.concat([prng(3)(1 << 20), csv(200_000, 1, 7), Buffer.alloc(16 << 20, 0x41)]);
      const f = path.join(repo.dir, 'big.bin');
      writeFileSync(f, content);
      const info = await writeBlobFromFile(repo.gitdir, f);
      big = { oid: info.oid, sha256: createHash('sha256').update(content).digest('hex'), size: content.length };
    });
    const pack = () => git(repo.dir, ['pack-objects', '-q', path.join(repo.gitdir, 'objects/pack/pack')], `${big.oid}\n`);

    it.skipIf(!existsSync(distWorker))('is split, and gives the sha256 with progress that only goes up', async () => {
      const seen: number[] = [];
      const out = await digestBlobs(repo.gitdir, [big], { workers: 2, split: true, workerUrl: distWorker, onProgress: (n) => seen.push(n) });
      expect(out.get(big.oid)).toEqual({ digest: { size: big.size, sha256: big.sha256 }, split: true });
      expect(seen.at(-1)).toBe(big.size);
      expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true);
      // by default below SPLIT_MIN_BYTES, or quick, or one worker: not split
      expect((await digestBlobs(repo.gitdir, [big], { workers: 2, workerUrl: distWorker })).get(big.oid)).toEqual({ digest: { size: big.size, sha256: big.sha256 } });
      expect((await digestBlobs(repo.gitdir, [big], { workers: 1, split: true, workerUrl: distWorker })).get(big.oid)).toEqual({ digest: { size: big.size, sha256: big.sha256 } });
      expect((await digestBlobs(repo.gitdir, [big], { quick: true, workers: 2, split: true, workerUrl: distWorker })).get(big.oid)!.split).toBeUndefined();
      expect((await digestBlobs(repo.gitdir, [big], { workers: 2, split: false, workerUrl: distWorker })).get(big.oid)).toEqual({ digest: { size: big.size, sha256: big.sha256 } });
    });

    it.skipIf(!existsSync(distWorker))('a damaged loose copy beside an intact packed one: named, and the sha256 comes from one read of the intact copy', async () => {
      const p = looseObjectPath(repo.gitdir, big.oid);
      const good = readFileSync(p);
      pack();
      try {
        chmodSync(p, 0o644);
        const bad = Buffer.from(good);
        bad[bad.length - 1000]! ^= 0x02; // near the end, after megabytes were hashed
        writeFileSync(p, bad);
        const o = (await digestBlobs(repo.gitdir, [big], { workers: 2, split: true, workerUrl: distWorker })).get(big.oid)!;
        expect(o.digest).toEqual({ size: big.size, sha256: big.sha256 });
        expect(o.split).toBeUndefined();
        expect(o.damaged?.map((d) => d.location)).toEqual([p]);
        // with no intact copy left, the outcome is the full read's error
        rmSync(path.join(repo.gitdir, 'objects/pack'), { recursive: true, force: true });
        const only = (await digestBlobs(repo.gitdir, [big], { workers: 2, split: true, workerUrl: distWorker })).get(big.oid)!;
        expect(only.error?.code).toBe('E_OBJECT_CORRUPT');
      } finally {
        writeFileSync(p, good);
      }
    });

    it.skipIf(!existsSync(distWorker))('stops when its signal aborts', async () => {
      const ac = new AbortController();
      const err = await digestBlobs(repo.gitdir, [big], {
        workers: 2,
        split: true,
        workerUrl: distWorker,
        signal: ac.signal,
        onProgress: () => ac.abort(new Error('stop')),
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('stop');
    });
  });
});
