import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PARALLEL_MIN_BYTES, useTwoThreads, writeLooseBlob } from './loose-writer.js';
import { looseObjectPath } from './reader.js';
import { git, gitBuf, prng, tempRepo } from './test-helpers.js';

let repo: ReturnType<typeof tempRepo>;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

const sha = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');

/** Save `content` with the given writer options and check it against git, zlib and the hashes. */
async function check(content: Buffer, name: string, opts: Parameters<typeof writeLooseBlob>[2]) {
  const file = path.join(repo.dir, name);
  writeFileSync(file, content);
  const r = await writeLooseBlob(repo.gitdir, file, opts);
  expect(r.oid).toBe(git(repo.dir, ['hash-object', file]).trim());
  expect(r.size).toBe(content.length);
  expect(r.sha256).toBe(sha('sha256', content));
  if (opts?.md5) expect(r.md5).toBe(sha('md5', content));
  else expect(r.md5).toBeUndefined();
  // zlib checks the Adler-32 when it inflates the whole object
  const raw = zlib.inflateSync(readFileSync(looseObjectPath(repo.gitdir, r.oid)));
  expect(raw.equals(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]))).toBe(true);
  expect(gitBuf(repo.dir, ['cat-file', 'blob', r.oid]).equals(content)).toBe(true);
  return r;
}

describe('writeLooseBlob on two threads (a worker hashes sha256, or md5 when asked for)', () => {
  it('writes the same objects as one thread, at sizes around the read size and the stored-block size; git fsck --strict accepts them', async () => {
    const rnd = prng(11);
    const chunk = 70_000; // not a multiple of the 65,535-byte stored block
    const sizes = [0, 1, 7, 8, 9, 65_535, 65_536, chunk - 1, chunk, chunk + 1, 2 * chunk, 4 * chunk - 1, 4 * chunk, 4 * chunk + 1, 9 * chunk + 12_345];
    for (const n of sizes) {
      const content = rnd(n);
      for (const md5 of [false, true]) {
        const par = await check(content, `p${n}-${md5}.bin`, { parallel: true, chunkSize: chunk, md5 });
        const ser = await check(content, `s${n}-${md5}.bin`, { parallel: false, chunkSize: chunk, md5 });
        expect(par.threads).toBe(2);
        expect(ser.threads).toBe(1);
        expect({ ...par, written: null, threads: null }).toEqual({ ...ser, written: null, threads: null });
        expect(ser.written).toBe(false); // the same object: the serial save replaced the parallel one
      }
    }
    git(repo.dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('random contents, read sizes and md5 (property)', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 150_000 }), fc.integer({ min: 1, max: 40_000 }), fc.boolean(), async (bytes, chunk, md5) => {
        expect((await check(Buffer.from(bytes), `r${i++}.bin`, { parallel: true, chunkSize: chunk, md5 })).threads).toBe(2);
      }),
      { numRuns: 30 },
    );
    git(repo.dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('is chosen by default for large files when a core is free', () => {
    expect(useTwoThreads(PARALLEL_MIN_BYTES, 2, 0.3)).toBe(true);
    expect(useTwoThreads(PARALLEL_MIN_BYTES - 1, 2, 0.3)).toBe(false);
    expect(useTwoThreads(PARALLEL_MIN_BYTES, 1, 0)).toBe(false);
    expect(useTwoThreads(PARALLEL_MIN_BYTES, 2, 1.7)).toBe(false);
    expect(useTwoThreads(1 << 30, 8, 3)).toBe(true);
  });

  it('a file over PARALLEL_MIN_BYTES on two threads, with progress up to the size', async () => {
    const content = prng(3)(PARALLEL_MIN_BYTES + 3);
    const seen: number[] = [];
    expect((await check(content, 'big.bin', { parallel: true, onProgress: (p) => seen.push(p.loaded) })).threads).toBe(2);
    expect(seen.at(-1)).toBe(content.length);
    git(repo.dir, ['fsck', '--strict', '--no-dangling']);
  });
});

describe('stored-block framing', () => {
  it('objects are zlib streams of stored blocks only (native deflate at level 0), so restores copy them without inflating', async () => {
    for (const n of [0, 1, 65_535, 65_536, 200_001]) {
      const content = prng(n + 5)(n);
      const r = await check(content, `f${n}.bin`, { chunkSize: 70_000 });
      const obj = readFileSync(looseObjectPath(repo.gitdir, r.oid));
      expect([obj[0], obj[1]]).toEqual([0x78, 0x01]);
      // walk the blocks: every one stored (BTYPE 00) with LEN = ~NLEN, the last one final, then the Adler-32
      let pos = 2;
      let payload = 0;
      for (;;) {
        const b = obj[pos]!;
        expect(b & 0x06).toBe(0);
        const len = obj.readUInt16LE(pos + 1);
        expect(len ^ 0xffff).toBe(obj.readUInt16LE(pos + 3));
        pos += 5 + len;
        payload += len;
        if (b & 1) break;
      }
      expect(pos + 4).toBe(obj.length);
      expect(payload).toBe(`blob ${n}\0`.length + n);
    }
  });
});

describe('a file that changes while it is saved', () => {
  it('growing or shrinking mid-save fails with E_INVALID_ARGUMENT and leaves no object and no temp file, on one or two threads', async () => {
    for (const parallel of [false, true]) {
      for (const change of ['grow', 'shrink'] as const) {
        const file = path.join(repo.dir, `${change}.bin`);
        writeFileSync(file, prng(5)(400_000));
        let changed = false;
        const save = writeLooseBlob(repo.gitdir, file, {
          parallel,
          chunkSize: 50_000,
          onProgress: () => {
            if (changed) return;
            changed = true;
            if (change === 'grow') appendFileSync(file, Buffer.alloc(1000, 1));
            else truncateSync(file, 100_000);
          },
        });
        await expect(save).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
        const objects = readdirSync(path.join(repo.gitdir, 'objects'), { recursive: true }).map(String);
        expect(objects.filter((n) => !['info', 'pack'].includes(n))).toEqual([]);
      }
    }
  });
});
