import { createHash } from 'node:crypto';
import { chmodSync, promises as fsp, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeLooseBlob } from './loose-writer.js';
import { readBlobToFile } from './object-store.js';
import { looseObjectPath } from './reader.js';
import { EARLY_FLUSH, copyStoredBlob } from './stored-copy.js';
import { csv, git, prng, tempRepo } from './test-helpers.js';

let repo: ReturnType<typeof tempRepo>;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

const sha = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');

/** Copy the loose object `oid` with copyStoredBlob; the output file's bytes and the hashes, or null. */
async function copy(oid: string, objectFile = looseObjectPath(repo.gitdir, oid)) {
  const dest = path.join(repo.dir, `out-${Math.random().toString(36).slice(2)}`);
  const out = await fsp.open(dest, 'wx');
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  try {
    const size = await copyStoredBlob(objectFile, out, { content: [sha256], object: sha1 });
    return size === null ? null : { size, bytes: readFileSync(dest), sha256: sha256.digest('hex'), sha1: sha1.digest('hex') };
  } finally {
    await out.close();
  }
}

/** Save `content` the way `savepoint save` does; returns the object id and the loose object file. */
async function save(content: Buffer, name = 'f.bin') {
  const file = path.join(repo.dir, name);
  writeFileSync(file, content);
  const { oid } = await writeLooseBlob(repo.gitdir, file);
  return { oid, objectFile: looseObjectPath(repo.gitdir, oid) };
}

/** Rewrite a (read-only) loose object file with `bytes`. */
function overwrite(objectFile: string, bytes: Buffer) {
  chmodSync(objectFile, 0o644);
  writeFileSync(objectFile, bytes);
}

describe('copyStoredBlob (the restore fast path for stored-block loose objects)', () => {
  it('copies what saves write, at sizes around the stored-block and read sizes, with the content and object hashes', async () => {
    const rnd = prng(7);
    for (const n of [0, 1, 65_535, 65_536, 65_537, (2 << 20) - 1, 2 << 20, (2 << 20) + 1, 3 * (2 << 20) + 12_345]) {
      const content = rnd(n);
      const { oid } = await save(content, `f${n}.bin`);
      const r = await copy(oid);
      expect(r).not.toBeNull();
      expect(r!.size).toBe(n);
      expect(r!.bytes.equals(content)).toBe(true);
      expect(r!.sha256).toBe(sha('sha256', content));
      expect(r!.sha1).toBe(oid);
    }
  });

  it('any stored-block zlib stream of a blob, whatever its block sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300_000 }), fc.array(fc.integer({ min: 0, max: 70_000 }), { minLength: 1, maxLength: 12 }), async (bytes, cuts) => {
        const content = Buffer.from(bytes);
        const raw = Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]);
        // hand-made framing: stored blocks at arbitrary cut points (empty blocks included), then the final one
        const parts: Buffer[] = [Buffer.from([0x78, 0x01])];
        let p = 0;
        for (const c of cuts) {
          const len = Math.min(c, raw.length - p, 0xffff);
          parts.push(Buffer.from([0, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff]), raw.subarray(p, p + len));
          p += len;
        }
        while (p < raw.length) {
          const len = Math.min(0xffff, raw.length - p);
          parts.push(Buffer.from([0, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff]), raw.subarray(p, p + len));
          p += len;
        }
        const adler = Buffer.alloc(4);
        adler.writeUInt32BE(zlib.deflateSync(raw, { level: 0 }).readUInt32BE(zlib.deflateSync(raw, { level: 0 }).length - 4));
        parts.push(Buffer.from([1, 0, 0, 0xff, 0xff]), adler);
        const stream = Buffer.concat(parts);
        expect(zlib.inflateSync(stream).equals(raw)).toBe(true); // a valid zlib stream
        const objectFile = path.join(repo.dir, 'hand-made');
        writeFileSync(objectFile, stream);
        const r = await copy(sha('sha1', raw), objectFile);
        expect(r?.bytes.equals(content)).toBe(true);
        expect(r?.sha1).toBe(sha('sha1', raw));
      }),
      { numRuns: 25 },
    );
  });

  it('gives null for what it does not copy: compressed objects (native git), other object types, damaged framing, truncation, a wrong size', async () => {
    const text = csv(5_000);
    const file = path.join(repo.dir, 'g.csv');
    writeFileSync(file, text);
    const gitOid = git(repo.dir, ['hash-object', '-w', file]).trim();
    expect(await copy(gitOid)).toBeNull(); // zlib-compressed by git
    // (random bytes do not compress: zlib stores them, and such an object from git is copied like ours)
    const content = prng(3)(200_000);
    writeFileSync(file, content);
    expect((await copy(git(repo.dir, ['hash-object', '-w', file]).trim()))?.bytes.equals(content)).toBe(true);

    const tree = git(repo.dir, ['mktree'], '').trim();
    overwrite(looseObjectPath(repo.gitdir, tree), zlib.deflateSync(Buffer.from('tree 0\0'), { level: 0 }));
    expect(await copy(tree)).toBeNull(); // stored blocks, but not a blob

    const { oid, objectFile } = await save(content, 's.bin');
    const good = readFileSync(objectFile);
    const damaged = (f: (b: Buffer) => Buffer) => {
      overwrite(objectFile, f(Buffer.from(good)));
      return copy(oid);
    };
    expect(await damaged((b) => ((b[2 + 5 + 65_535 + 3]! ^= 1), b))).toBeNull(); // NLEN of the second block
    expect(await damaged((b) => ((b[2 + 5 + 65_535] = 0x04), b))).toBeNull(); // a "compressed" block type
    expect(await damaged((b) => b.subarray(0, b.length - 1))).toBeNull(); // trailer cut
    expect(await damaged((b) => b.subarray(0, 100_000))).toBeNull(); // content cut
    expect(await damaged((b) => ((b[0] = 0x79), b))).toBeNull(); // not a zlib header
    expect(await damaged((b) => (b.write('blob 200001', 7, 'latin1'), b))).toBeNull(); // longer than the content
    expect(await damaged((b) => b)).not.toBeNull();
    expect(await copy('0'.repeat(40))).toBeNull(); // no such file
  });

  it('readBlobToFile: the fast path gives the mode and the hashes; a bit flipped in the content of the loose copy falls back to the intact packed copy', async () => {
    const content = prng(9)(EARLY_FLUSH + 3 * 65_536 + 5); // past one early flush
    const { oid, objectFile } = await save(content);
    const dest = path.join(repo.dir, 'restored');
    const d = await readBlobToFile(repo.gitdir, oid, dest, { mode: 0o640, md5: true });
    expect(d).toEqual({ size: content.length, sha256: sha('sha256', content), md5: sha('md5', content) });
    expect(readFileSync(dest).equals(content)).toBe(true);
    expect(statSync(dest).mode & 0o777).toBe(0o640);

    // a packed copy by native git, then damage inside the loose copy's content (framing intact): the SHA-1
    // of the fast path does not match, so the general path reads the pack
    git(repo.dir, ['update-ref', 'refs/keep', git(repo.dir, ['commit-tree', git(repo.dir, ['mktree'], `100644 blob ${oid}\tf.bin\n`).trim(), '-m', 'k']).trim()]);
    git(repo.dir, ['repack', '-a', '-q']);
    const bytes = readFileSync(objectFile);
    bytes[bytes.length - 1000]! ^= 0x40;
    overwrite(objectFile, bytes);
    const dest2 = path.join(repo.dir, 'restored2');
    const d2 = await readBlobToFile(repo.gitdir, oid, dest2);
    expect(d2.sha256).toBe(sha('sha256', content));
    expect(readFileSync(dest2).equals(content)).toBe(true);
    // quick (sha256 checked by the caller): the damaged loose copy is copied as it is, and the caller sees it
    const dest3 = path.join(repo.dir, 'restored3');
    expect((await readBlobToFile(repo.gitdir, oid, dest3, { quick: true })).sha256).not.toBe(sha('sha256', content));
  });
});
