// Where WebAssembly SIMD is missing, full reads of stored-block loose objects still check the Adler-32 (JS
// adler32 for the first read, native inflate after that). The SIMD module is replaced by its "unavailable" answer.
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { digestBlob, writeBlobFromFile } from './object-store.js';
import { looseObjectPath } from './reader.js';
import { prng, tempRepo } from './test-helpers.js';

vi.mock('./adler32-simd.js', () => ({ createAdler32Simd: () => null, ADLER_SIMD_PAGES: 32 }));

let repo: ReturnType<typeof tempRepo>;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

it('without SIMD a damaged Adler-32 is still found, on the first read and later ones', async () => {
  const content = prng(8)(400_000);
  const file = path.join(repo.dir, 'a.bin');
  writeFileSync(file, content);
  const { oid } = await writeBlobFromFile(repo.gitdir, file);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const p = looseObjectPath(repo.gitdir, oid);
  const good = readFileSync(p);
  chmodSync(p, 0o644);
  const bad = Buffer.from(good);
  bad[bad.length - 2]! ^= 0x40;
  for (let round = 0; round < 2; round++) {
    writeFileSync(p, bad);
    await expect(digestBlob(repo.gitdir, oid)).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT' });
    writeFileSync(p, good);
    expect(await digestBlob(repo.gitdir, oid)).toEqual({ size: content.length, sha256 });
  }
});
