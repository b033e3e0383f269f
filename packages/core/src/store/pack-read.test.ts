import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SavepointError } from '../errors.js';
import { digestBlob, readBlobToFile } from './object-store.js';
import { listPacks, readObjectBuffer, streamObject } from './reader.js';
import { csv, git, gitBuf, prng, tempRepo } from './test-helpers.js';

/** Every object in the repo with its type, via native git. */
function allObjects(dir: string): { oid: string; type: string }[] {
  return git(dir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)'])
    .trim()
    .split('\n')
    .map((l) => {
      const [oid, type] = l.split(' ');
      return { oid: oid!, type: type! };
    });
}

/** Entry kinds in a pack according to `git verify-pack -v` (delta entries have a depth column). */
function deltaCount(dir: string): number {
  const packs = readdirSync(path.join(dir, '.git/objects/pack')).filter((n) => n.endsWith('.idx'));
  let n = 0;
  for (const p of packs) {
    const out = git(dir, ['verify-pack', '-v', path.join('.git/objects/pack', p)]);
    n += out.split('\n').filter((l) => /^[0-9a-f]{40} \w+ +\d+ \d+ \d+ \d+ [0-9a-f]{40}$/.test(l)).length;
  }
  return n;
}

async function checkEveryObject(dir: string, gitdir: string, opts: { memoryBaseLimit?: number } = {}) {
  const objs = allObjects(dir);
  expect(objs.length).toBeGreaterThan(0);
  for (const { oid, type } of objs) {
    const native = gitBuf(dir, ['cat-file', type, oid]);
    const ours = await readObjectBuffer(gitdir, oid, opts);
    expect(ours.type).toBe(type);
    expect(ours.data.equals(native), `${type} ${oid}`).toBe(true);
    if (type === 'blob') {
      expect((await digestBlob(gitdir, oid)).sha256).toBe(createHash('sha256').update(native).digest('hex'));
    }
  }
  return objs.length;
}

describe('reading packs written by native git', () => {
  let repo: ReturnType<typeof tempRepo>;
  beforeAll(() => {
    repo = tempRepo();
    const rnd = prng(42);
    // A CSV edited over 12 commits (values change, rows appended), plus a binary file and small text files.
    for (let v = 0; v < 12; v++) {
      writeFileSync(path.join(repo.dir, 'data.csv'), csv(20_000 + v * 300, v, 97));
      writeFileSync(path.join(repo.dir, 'bin.dat'), Buffer.concat([rnd(30_000), Buffer.alloc(40_000, v)]));
      writeFileSync(path.join(repo.dir, `note-${v % 3}.txt`), `version ${v}\n`.repeat(v + 1));
      git(repo.dir, ['add', '-A']);
      git(repo.dir, ['commit', '-q', '-m', `v${v}`]);
      if (v === 5) git(repo.dir, ['tag', '-a', 'v5', '-m', 'tag v5']);
    }
  });
  afterAll(() => repo.cleanup());

  it('reads every object after git gc --aggressive (ofs deltas)', async () => {
    git(repo.dir, ['gc', '--aggressive', '-q']);
    expect(deltaCount(repo.dir)).toBeGreaterThan(5);
    expect(readdirSync(path.join(repo.gitdir, 'objects')).filter((n) => /^[0-9a-f]{2}$/.test(n))).toEqual([]);
    await checkEveryObject(repo.dir, repo.gitdir);
  });

  it('reads deep chains after git repack -adf --depth=50 --window=250, with large bases on disk', async () => {
    git(repo.dir, ['repack', '-adf', '-q', '--depth=50', '--window=250']);
    // Force every delta base through the temp-file path.
    await checkEveryObject(repo.dir, repo.gitdir, { memoryBaseLimit: 0 });
    expect(existsSync(path.join(repo.gitdir, 'objects', 'tmp-savepoint')) ? readdirSync(path.join(repo.gitdir, 'objects', 'tmp-savepoint')) : []).toEqual([]);
  });

  it('puts large delta bases in the system temp folder when the git dir cannot be written (immutable here)', async (ctx) => {
    const { spawnSync } = await import('node:child_process');
    const objects = path.join(repo.gitdir, 'objects');
    git(repo.dir, ['repack', '-adf', '-q']);
    if (spawnSync('chattr', ['+i', objects]).status !== 0) return ctx.skip(); // needs root and a filesystem with attributes
    try {
      // proof the folder cannot be written, even by root
      expect(() => writeFileSync(path.join(objects, 'probe'), 'x')).toThrow();
      // a blob stored as a delta, so its base has to be materialised
      const pack = readdirSync(path.join(objects, 'pack')).find((n) => n.endsWith('.idx'))!;
      const blob = git(repo.dir, ['verify-pack', '-v', path.join(objects, 'pack', pack)])
        .split('\n')
        .find((l) => / blob +\d+ \d+ \d+ [1-9]\d* [0-9a-f]{40}$/.test(l))!
        .slice(0, 40);
      const native = gitBuf(repo.dir, ['cat-file', 'blob', blob]);
      expect((await readObjectBuffer(repo.gitdir, blob, { memoryBaseLimit: 0 })).data.equals(native)).toBe(true);
    } finally {
      spawnSync('chattr', ['-i', objects]);
    }
  });

  it('reads ref-delta entries (pack-objects without --delta-base-offset) and idx v1', async () => {
    const packDir = path.join(repo.gitdir, 'objects', 'pack');
    const list = allObjects(repo.dir).map((o) => o.oid).join('\n') + '\n';
    const base = path.join(repo.dir, 'refpack');
    const hash = git(repo.dir, ['pack-objects', '--no-reuse-delta', '--window=50', '--depth=20', base], list).trim();
    // Replace the repository's packs with the ref-delta pack (and an idx v1 for it).
    for (const n of readdirSync(packDir)) {
      chmodSync(path.join(packDir, n), 0o644);
      (await import('node:fs')).rmSync(path.join(packDir, n));
    }
    const raw = readFileSync(`${base}-${hash}.pack`);
    expect(raw.readUInt32BE(8)).toBeGreaterThan(0);
    writeFileSync(path.join(packDir, `pack-${hash}.pack`), raw);
    git(repo.dir, ['index-pack', '--index-version=1', path.join(packDir, `pack-${hash}.pack`)]);
    const out = git(repo.dir, ['verify-pack', '-v', path.join(packDir, `pack-${hash}.idx`)]);
    expect(out).toMatch(/chain length = [1-9]/);
    const packs = await listPacks(repo.gitdir);
    expect(packs.map((p) => p.idx.version)).toEqual([1]);
    // The raw pack must contain REF_DELTA (type 7) entries: scan the headers of all entries.
    let refDeltas = 0;
    for (const { offset } of packs[0]!.idx.entries()) if (((raw[offset]! >> 4) & 7) === 7) refDeltas++;
    expect(refDeltas).toBeGreaterThan(0);
    await checkEveryObject(repo.dir, repo.gitdir);
  });
});

describe('corrupt packs', () => {
  it('detects truncated and bit-flipped packs as E_OBJECT_CORRUPT', async () => {
    const repo = tempRepo();
    try {
      for (let v = 0; v < 4; v++) {
        writeFileSync(path.join(repo.dir, 'data.csv'), csv(5000 + v * 100, v, 13));
        git(repo.dir, ['add', '-A']);
        git(repo.dir, ['commit', '-q', '-m', `v${v}`]);
      }
      git(repo.dir, ['gc', '-q']);
      const blobs = allObjects(repo.dir).filter((o) => o.type === 'blob');
      const packDir = path.join(repo.gitdir, 'objects', 'pack');
      const packName = readdirSync(packDir).find((n) => n.endsWith('.pack'))!;
      const packPath = path.join(packDir, packName);
      chmodSync(packPath, 0o644);
      const good = readFileSync(packPath);
      const [pack] = await listPacks(repo.gitdir);
      const offsets = blobs.map((b) => pack!.idx.find(b.oid));
      const check = async (label: string) => {
        let failures = 0;
        for (const b of blobs) {
          const err = await digestBlob(repo.gitdir, b.oid).then(() => null, (e: unknown) => e);
          if (err) {
            expect(err, label).toBeInstanceOf(SavepointError);
            expect((err as SavepointError).code, label).toBe('E_OBJECT_CORRUPT');
            failures++;
          }
        }
        return failures;
      };
      // Flip a bit inside each blob entry's compressed data in turn.
      for (const off of offsets) {
        const bad = Buffer.from(good);
        bad[off + 8]! ^= 0x04;
        writeFileSync(packPath, bad);
        expect(await check(`flip at ${off + 8}`)).toBeGreaterThan(0);
      }
      // Truncate the pack in the middle of the last entry.
      const last = Math.max(...offsets);
      writeFileSync(packPath, good.subarray(0, last + 10));
      expect(await check('truncated')).toBeGreaterThan(0);
      const dest = path.join(repo.dir, 'restored.csv');
      const lastOid = blobs[offsets.indexOf(last)]!.oid;
      await expect(readBlobToFile(repo.gitdir, lastOid, dest)).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT' });
      expect(existsSync(dest)).toBe(false);
      // A corrupt index is reported too.
      writeFileSync(packPath, good);
      const idxPath = packPath.replace(/\.pack$/, '.idx');
      chmodSync(idxPath, 0o644);
      const idx = readFileSync(idxPath);
      idx[1100]! ^= 1;
      writeFileSync(idxPath, idx);
      await expect(streamObject(repo.gitdir, blobs[0]!.oid, { header() {}, chunk() {} })).rejects.toMatchObject({ code: 'E_OBJECT_CORRUPT' });
    } finally {
      repo.cleanup();
    }
  });
});
