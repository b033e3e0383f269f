// Full verify checks the zlib framing of stored-block loose objects itself (block headers, LEN/NLEN, the
// final block, the Adler-32 in WebAssembly SIMD) instead of inflating them. Each damaged copy must be found,
// as native zlib (and `git fsck`) would find it, on objects written by us and by `git hash-object -w`.
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adler32 } from './adler32.js';
import { digestBlob, writeBlobFromFile } from './object-store.js';
import { CorruptObject, looseObjectPath, streamStoredRanges } from './reader.js';
import { GIT_ENV, git, prng, tempRepo } from './test-helpers.js';

let repo: ReturnType<typeof tempRepo>;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** whether `git fsck --full` accepts the object store */
function fsckOk(): boolean {
  try {
    execFileSync('git', ['fsck', '--full', '--no-dangling'], { cwd: repo.dir, env: GIT_ENV, stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
/** [offset, LEN] of every stored block header in a zlib stream of stored blocks */
function storedHeaders(z: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let pos = 2;
  for (;;) {
    expect(z[pos]! & 0x06).toBe(0); // stored
    const len = z.readUInt16LE(pos + 1);
    out.push([pos, len]);
    if (z[pos]! & 1) return out;
    pos += 5 + len;
  }
}

/** Damage done to a good stored-block loose object; each must make a full read fail, as it fails git fsck. */
const damages: Array<[string, (z: Buffer) => Buffer]> = [
  ['a wrong Adler-32', (z) => { const b = Buffer.from(z); b[b.length - 1]! ^= 0x01; return b; }],
  ['a truncated Adler-32', (z) => z.subarray(0, z.length - 2)],
  ['the stream cut after a block', (z) => z.subarray(0, storedHeaders(z)[1]![0])],
  ['the stream cut inside a block', (z) => z.subarray(0, storedHeaders(z)[1]![0] + 1000)],
  ['LEN and NLEN that disagree', (z) => { const b = Buffer.from(z); const [at] = storedHeaders(b)[1]!; b[at + 3]! ^= 0x04; return b; }],
  ['a consistent but wrong block length', (z) => { const b = Buffer.from(z); const [at, len] = storedHeaders(b)[0]!; b.writeUInt16LE(len - 1, at + 1); b.writeUInt16LE(~(len - 1) & 0xffff, at + 3); return b; }],
  ['a window size zlib refuses (CINFO 8)', (z) => { const b = Buffer.from(z); b[0] = 0x88; b[1] = 0; b[1] = 31 - ((b[0] << 8) % 31); return b; }],
  ['a preset dictionary flag', (z) => { const b = Buffer.from(z); b[1] = 0x20; b[1] = 0x20 + (31 - (((b[0]! << 8) | 0x20) % 31)); return b; }],
  ['no final block', (z) => { const b = Buffer.from(z); const hs = storedHeaders(b); b[hs[hs.length - 1]![0]] = 0; return b; }],
  // framing and Adler-32 intact, content wrong: only the git SHA-1 (and sha256) can tell
  ['a content byte changed with the Adler-32 fixed up', (z) => {
    const b = Buffer.from(z);
    const [at] = storedHeaders(b)[1]!;
    b[at + 5 + 100]! ^= 0x20;
    const content = Buffer.concat(storedHeaders(b).map(([p, len]) => b.subarray(p + 5, p + 5 + len)));
    b.writeUInt32BE(adler32(content), b.length - 4);
    return b;
  }],
];

describe.each([
  ['written by savepoint', 'ours'],
  ['written by git hash-object -w (core.looseCompression=0)', 'git'],
] as const)('loose objects %s', (_name, writer) => {
  it('verify in full accepts the intact object and rejects every kind of framing damage, as git fsck does', async () => {
    // several stored blocks (zlib's level 0 and our writer both cut 64 KiB blocks), some text, some noise
    const content = Buffer.concat([Buffer.from('id,v\n' + Array.from({ length: 40_000 }, (_, i) => `${i},${i * 7}\n`).join('')), prng(9)(200_000)]);
    const file = path.join(repo.dir, 'x.csv');
    writeFileSync(file, content);
    let oid: string;
    if (writer === 'ours') oid = (await writeBlobFromFile(repo.gitdir, file)).oid;
    else oid = git(repo.dir, ['-c', 'core.looseCompression=0', 'hash-object', '-w', 'x.csv']).trim();
    const p = looseObjectPath(repo.gitdir, oid);
    const good = readFileSync(p);
    expect(storedHeaders(good).length).toBeGreaterThan(3);
    expect(zlib.inflateSync(good).length).toBeGreaterThan(content.length);
    expect(fsckOk()).toBe(true);
    expect(await digestBlob(repo.gitdir, oid)).toEqual({ size: content.length, sha256: sha256(content) });
    chmodSync(p, 0o644);
    for (const [what, damage] of damages) {
      const bad = damage(good);
      writeFileSync(p, bad);
      expect(fsckOk(), `git fsck with ${what}`).toBe(false);
      await expect(digestBlob(repo.gitdir, oid), what).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT' });
    }
    // --quick's read hashes the content only: a damaged Adler-32 over intact content passes it (the sha256
    // against the note proves the content), while a full read reports it
    writeFileSync(p, damages[0]![1](good));
    expect((await digestBlob(repo.gitdir, oid, { quick: true })).sha256).toBe(sha256(content));
    writeFileSync(p, good);
    expect(await digestBlob(repo.gitdir, oid)).toEqual({ size: content.length, sha256: sha256(content) });
    expect(fsckOk()).toBe(true);
  });
});

it.each(['ours', 'git, compressed'] as const)('an object (%s) with bytes after its zlib stream is damaged, for a full read as for git fsck', async (writer) => {
  const content = Buffer.concat([prng(4)(150_000), Buffer.from('a,b\n'.repeat(20_000))]);
  const file = path.join(repo.dir, 'y.bin');
  writeFileSync(file, content);
  const oid = writer === 'ours' ? (await writeBlobFromFile(repo.gitdir, file)).oid : git(repo.dir, ['hash-object', '-w', 'y.bin']).trim();
  const p = looseObjectPath(repo.gitdir, oid);
  chmodSync(p, 0o644);
  writeFileSync(p, Buffer.concat([readFileSync(p), Buffer.from('junk')]));
  expect(fsckOk()).toBe(false);
  await expect(digestBlob(repo.gitdir, oid)).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT', message: expect.stringContaining('4 bytes after the end of the zlib stream') });
  // the content itself is intact (its SHA-1 proves it): a restore-style read still gets it
  expect((await digestBlob(repo.gitdir, oid, { quick: true })).sha256).toBe(sha256(content));
});

it('the scatter read of stored blocks gives the content in order, and a file cut short after its framing was read is truncated', async () => {
  const content = Buffer.concat([prng(6)(1_500_000), Buffer.from('x,y\n'.repeat(100_000))]);
  const file = path.join(repo.dir, 'z.bin');
  writeFileSync(file, content);
  const { oid } = await writeBlobFromFile(repo.gitdir, file);
  const p = looseObjectPath(repo.gitdir, oid);
  const z = readFileSync(p);
  const ranges = storedHeaders(z).filter(([, len]) => len > 0).map(([at, len]) => [at + 5, at + 5 + len] as [number, number]);
  const parts: Buffer[] = [];
  await streamStoredRanges(p, z.length, ranges, true, (c) => void parts.push(Buffer.from(c)));
  const all = Buffer.concat(parts);
  expect(all.subarray(all.indexOf(0) + 1).equals(content)).toBe(true);
  expect(parts.length).toBeLessThan(ranges.length); // blocks were joined into larger pieces
  // the file shrinks between the framing walk and the reads (another process, a failing disk)
  chmodSync(p, 0o644);
  truncateSync(p, ranges[20]![0] + 100);
  const err = await streamStoredRanges(p, z.length, ranges, true, () => undefined).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CorruptObject);
  expect((err as Error).message).toBe('object is truncated');
});
