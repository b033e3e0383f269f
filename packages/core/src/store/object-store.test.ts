import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SavepointError } from '../errors.js';
import { digestBlob, digestFile, readBlobToFile, writeBlobFromFile } from './object-store.js';
import { looseObjectPath, streamObject } from './reader.js';
import { git, gitBuf, prng, tempRepo } from './test-helpers.js';

let repo: ReturnType<typeof tempRepo>;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

const sha = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');

async function roundTrip(content: Buffer, name = 'f.bin') {
  const file = path.join(repo.dir, name);
  writeFileSync(file, content);
  const info = await writeBlobFromFile(repo.gitdir, file, { md5: true });
  expect(info.oid).toBe(git(repo.dir, ['hash-object', file]).trim());
  expect(info.size).toBe(content.length);
  expect(info.sha256).toBe(sha('sha256', content));
  expect(info.md5).toBe(sha('md5', content));
  // native git reads what we wrote
  expect(gitBuf(repo.dir, ['cat-file', 'blob', info.oid]).equals(content)).toBe(true);
  // and so do we
  const dest = path.join(repo.dir, `${name}.out`);
  const d = await readBlobToFile(repo.gitdir, info.oid, dest, { md5: true });
  expect(readFileSync(dest).equals(content)).toBe(true);
  expect(d).toEqual({ size: content.length, sha256: info.sha256, md5: info.md5 });
  expect(await digestBlob(repo.gitdir, info.oid)).toEqual({ size: content.length, sha256: info.sha256 });
  expect(await digestFile(file, { md5: true })).toEqual({ size: content.length, sha256: info.sha256, md5: info.md5 });
  return info;
}

describe('writeBlobFromFile / readBlobToFile', () => {
  it('round-trips edge sizes, and git fsck --strict accepts every object', async () => {
    const rnd = prng(7);
    for (const n of [0, 1, 2, 65534, 65535, 65536, 65537, 131070, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345]) {
      await roundTrip(rnd(n), `f${n}.bin`);
    }
    git(repo.dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('round-trips random content and sizes (property)', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 200_000 }), async (bytes) => {
        await roundTrip(Buffer.from(bytes), `p${i++}.bin`);
      }),
      { numRuns: 25 },
    );
    git(repo.dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('is idempotent: saving the same content twice keeps one object', async () => {
    const a = await roundTrip(Buffer.from('hello\n'), 'a.txt');
    const b = await roundTrip(Buffer.from('hello\n'), 'b.txt');
    expect(b.oid).toBe(a.oid);
    const leftovers = readdirSync(path.join(repo.gitdir, 'objects')).filter((n) => n.startsWith('tmp'));
    expect(leftovers).toEqual([]);
  });

  it('reads loose objects native git wrote at any zlib level', async () => {
    const content = Buffer.concat([Buffer.from('a,b,c\n'.repeat(50_000)), prng(3)(100_000)]);
    writeFileSync(path.join(repo.dir, 'x.csv'), content);
    for (const level of ['0', '1', '9']) {
      git(repo.dir, ['-c', `core.looseCompression=${level}`, 'hash-object', '-w', 'x.csv']);
      const oid = git(repo.dir, ['hash-object', 'x.csv']).trim();
      expect((await digestBlob(repo.gitdir, oid)).sha256).toBe(sha('sha256', content));
      rmSync(looseObjectPath(repo.gitdir, oid)); // so the next level writes it again
    }
  });

  it('refuses to overwrite an existing destination', async () => {
    const info = await roundTrip(Buffer.from('x'), 'x.txt');
    const dest = path.join(repo.dir, 'exists.txt');
    writeFileSync(dest, 'keep me');
    await expect(readBlobToFile(repo.gitdir, info.oid, dest)).rejects.toThrow();
    expect(readFileSync(dest, 'utf8')).toBe('keep me');
  });

  it('reports a missing object as E_OBJECT_MISSING', async () => {
    await expect(digestBlob(repo.gitdir, '0123456789012345678901234567890123456789')).rejects.toMatchObject({ code: 'E_OBJECT_MISSING' });
  });

  it('detects truncated and bit-flipped loose objects as E_OBJECT_CORRUPT and leaves no partial file', async () => {
    const content = prng(11)(300_000);
    const info = await roundTrip(content, 'c.bin');
    const p = looseObjectPath(repo.gitdir, info.oid);
    const good = readFileSync(p);
    chmodSync(p, 0o644);
    const cases: Buffer[] = [];
    cases.push(good.subarray(0, good.length - 1)); // adler trailer cut
    cases.push(good.subarray(0, Math.floor(good.length / 2))); // half
    for (const at of [1, 10, 5000, 150_000, good.length - 2]) {
      const bad = Buffer.from(good);
      bad[at]! ^= 0x10;
      cases.push(bad);
    }
    for (const [i, bad] of cases.entries()) {
      writeFileSync(p, bad);
      const err = await digestBlob(repo.gitdir, info.oid).catch((e: unknown) => e);
      expect(err, `case ${i}`).toBeInstanceOf(SavepointError);
      expect((err as SavepointError).code, `case ${i}`).toBe('E_OBJECT_CORRUPT');
      const dest = path.join(repo.dir, `restore-${i}`);
      if (i === cases.length - 1) {
        // only the zlib trailer (Adler-32) is damaged: verify reports it (above), but the content is proven
        // intact by its SHA-1 and sha256, so a restore recovers it rather than refusing
        await readBlobToFile(repo.gitdir, info.oid, dest);
        expect(readFileSync(dest).equals(Buffer.from(content))).toBe(true);
        continue;
      }
      await expect(readBlobToFile(repo.gitdir, info.oid, dest)).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT' });
      expect(existsSync(dest)).toBe(false);
    }
  });

  it('a save over a damaged loose object replaces it with the fresh copy', async () => {
    const content = prng(21)(700_000);
    const info = await roundTrip(content, 'd.bin');
    const p = looseObjectPath(repo.gitdir, info.oid);
    chmodSync(p, 0o644);
    const bad = readFileSync(p);
    bad[400_000]! ^= 0x01;
    writeFileSync(p, bad);
    await expect(digestBlob(repo.gitdir, info.oid)).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT' });
    const again = await writeBlobFromFile(repo.gitdir, path.join(repo.dir, 'd.bin'));
    expect(again.oid).toBe(info.oid);
    expect((await digestBlob(repo.gitdir, info.oid)).sha256).toBe(info.sha256);
    git(repo.dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('falls back to another stored copy when the first one is damaged, even part-way through a restore', async () => {
    const content = prng(22)(3_000_000);
    const info = await roundTrip(content, 'e.bin');
    // a good packed copy (native git) beside a damaged loose one, which reads try first
    git(repo.dir, ['pack-objects', '-q', path.join(repo.gitdir, 'objects/pack/pack')], `${info.oid}\n`);
    const p = looseObjectPath(repo.gitdir, info.oid);
    chmodSync(p, 0o644);
    const bad = readFileSync(p);
    bad[2_500_000]! ^= 0x01; // near the end: a restore has already written megabytes when the SHA-1 shows it
    writeFileSync(p, bad);
    const dest = path.join(repo.dir, 'e.out');
    expect(await readBlobToFile(repo.gitdir, info.oid, dest)).toEqual({ size: content.length, sha256: info.sha256 });
    expect(readFileSync(dest).equals(content)).toBe(true);
    expect((await digestBlob(repo.gitdir, info.oid)).sha256).toBe(info.sha256);
    // a sink that cannot start again (a pipe) gets the error once bytes went out, never a silent mix
    let got = 0;
    await expect(streamObject(repo.gitdir, info.oid, { header() {}, chunk: (c) => void (got += c.length) }, { skipZlibChecksum: true })).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT' });
    expect(got).toBeGreaterThan(0);
  });

  it('rejects a non-file', async () => {
    await expect(writeBlobFromFile(repo.gitdir, repo.dir)).rejects.toBeInstanceOf(SavepointError);
  });

  it('writes objects read-only and reports progress up to the full size', async () => {
    const file = path.join(repo.dir, 'p.bin');
    writeFileSync(file, prng(5)(2_500_000));
    const events: number[] = [];
    const info = await writeBlobFromFile(repo.gitdir, file, { onProgress: (e) => events.push(e.loaded) });
    expect(events.at(-1)).toBe(2_500_000);
    expect(statSync(looseObjectPath(repo.gitdir, info.oid)).mode & 0o222).toBe(0);
  });
});
