/**
 * > 2 GiB round trip (opt-in: SAVEPOINT_BIG_TESTS=1, and only with enough free disk space).
 * The file is generated as a stream, saved, read back by us and by native git, and hash-compared.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, statfsSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { digestBlob, writeBlobFromFile } from './object-store.js';
import { GIT_ENV, tempRepo } from './test-helpers.js';

const SIZE = 2 ** 31 + 12_345; // just over 2 GiB
const enabled = process.env.SAVEPOINT_BIG_TESTS === '1';
const freeBytes = (() => {
  try {
    const s = statfsSync(process.env.TMPDIR ?? '/tmp');
    return s.bavail * s.bsize;
  } catch {
    return 0;
  }
})();

describe.skipIf(!enabled || freeBytes < SIZE * 2.5)('big files (SAVEPOINT_BIG_TESTS=1)', () => {
  it('saves and reads back a > 2 GiB file with constant memory', { timeout: 600_000 }, async () => {
    const repo = tempRepo();
    try {
      const file = path.join(repo.dir, 'big.bin');
      const sha = createHash('sha256');
      await new Promise<void>((resolve, reject) => {
        const ws = createWriteStream(file);
        ws.on('error', reject);
        const chunk = Buffer.alloc(1 << 20);
        let written = 0;
        let n = 0;
        const pump = () => {
          while (written < SIZE) {
            chunk.writeUInt32LE(n++, (n * 64) % chunk.length);
            const len = Math.min(chunk.length, SIZE - written);
            const piece = chunk.subarray(0, len);
            sha.update(piece);
            written += len;
            if (!ws.write(Buffer.from(piece))) return void ws.once('drain', pump);
          }
          ws.end(resolve);
        };
        pump();
      });
      const want = sha.digest('hex');
      const rssBefore = process.memoryUsage().rss;
      const info = await writeBlobFromFile(repo.gitdir, file);
      expect(info.sha256).toBe(want);
      expect(info.size).toBe(SIZE);
      expect((await digestBlob(repo.gitdir, info.oid)).sha256).toBe(want);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 << 20);
      // Native git can read the object back (stream it through sha256sum-like hashing).
      const gitSha = await new Promise<string>((resolve, reject) => {
        const h = createHash('sha256');
        const p = spawn('git', ['cat-file', 'blob', info.oid], { cwd: repo.dir, env: GIT_ENV });
        p.stdout.on('data', (d: Buffer) => h.update(d));
        p.on('error', reject);
        p.on('close', (code) => (code === 0 ? resolve(h.digest('hex')) : reject(new Error(`git exited ${code}`))));
      });
      expect(gitSha).toBe(want);
    } finally {
      repo.cleanup();
    }
  });
});
