import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { save } from '../api/save.js';
import { log } from '../api/query.js';
import { readCommit } from '../history/git.js';
import type { Commit } from '../history/objects.js';
import { digestBlob } from '../store/object-store.js';
import { OFS_DELTA, locateObject, readEntryHeader } from '../store/reader.js';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { digestArchivedBlobs } from './archive-check.js';
import { openArchive, writeArchiveFile } from './archive-file.js';
import type { OpenedArchive } from './archive-file.js';

let t: TempVault;
let opened: OpenedArchive | null = null;
afterEach(async () => {
  await opened?.close();
  opened = null;
  await t?.cleanup();
});

const content = (i: number) => `id,value\n${Array.from({ length: 4000 }, (_, k) => `${k},${k % 97 === i % 97 ? i : k * 31}`).join('\n')}\n`;

/** An archive of `n` versions of data.csv and of 3 of b.csv, written by retention's writer (delta chains). */
async function archiveOf(n: number): Promise<OpenedArchive> {
  t = await makeTempVault();
  for (let i = 1; i <= n; i++) {
    await t.write('data.csv', content(i));
    if (i <= 3) await t.write('b.csv', content(1000 + i));
    await save(t.vault, { files: i <= 3 ? ['data.csv', 'b.csv'] : ['data.csv'] });
  }
  const versions = await log(t.vault);
  const originals = new Map<string, Commit>();
  for (const v of versions) originals.set(v.commit, await readCommit(t.vault, v.commit));
  const tmpDir = path.join(t.vault.gitdir, 'savepoint', 'tmp');
  const w = await writeArchiveFile({ gitdir: t.vault.gitdir, dest: path.join(t.dir, 'a.tar.gz'), tmpDir, versions, originals, createdAt: new Date(0).toISOString(), period: 'monthly', periodKey: '1970-01', branch: t.vault.branch, level: 0 });
  return openArchive(w.file, tmpDir, 'a.tar.gz', w.sha256);
}

describe('digestArchivedBlobs', () => {
  it('gives every blob of an archive (delta chains 60 deep, restarting at 50) the digest the object reader gives', async () => {
    opened = await archiveOf(60);
    const blobs = opened.manifest.versions.map((v) => v.blob);
    expect(blobs).toHaveLength(63);
    const digests = await digestArchivedBlobs(opened.gitdir, [...blobs].reverse(), 'a.tar.gz');
    expect(digests.size).toBe(63);
    for (const v of opened.manifest.versions) {
      const d = await digestBlob(opened.gitdir, v.blob);
      expect(digests.get(v.blob)).toEqual({ sha256: d.sha256, size: d.size });
      expect(d.sha256).toBe(v.sha256);
    }
  });

  it('fails on a damaged byte inside a delta', async () => {
    opened = await archiveOf(8);
    const last = opened.manifest.versions.find((v) => v.path === 'data.csv' && v.version === 8)!;
    const loc = await locateObject(opened.gitdir, last.blob);
    if (loc?.kind !== 'packed') throw new Error('expected a packed blob');
    const fh = await fsp.open(loc.pack.packPath, 'r+');
    try {
      const h = await readEntryHeader(fh, loc.pack, loc.offset);
      expect(h.typeCode).toBe(OFS_DELTA);
      const mid = Math.floor((h.dataStart + h.end) / 2);
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, mid);
      b[0] = b[0]! ^ 0xff;
      await fh.write(b, 0, 1, mid);
    } finally {
      await fh.close();
    }
    await expect(digestArchivedBlobs(opened.gitdir, opened.manifest.versions.map((v) => v.blob), 'a.tar.gz')).rejects.toThrow();
  });
});
