import { readdirSync, writeFileSync, existsSync } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compactObjects, looseObjectStats, shouldCompact, autoCompact } from './compact.js';
import { digestBlob, readBlobToFile, writeBlobFromFile } from './object-store.js';
import { listPacks } from './reader.js';
import { csv, git as runGit, gitBuf, prng, tempRepo } from './test-helpers.js';

let repo: ReturnType<typeof tempRepo>;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

/** A save the way Savepoint does it: our blob writer, then a commit on main (native plumbing for the tree). */
async function save(files: Record<string, Buffer>, msg: string): Promise<Record<string, { oid: string; sha256: string }>> {
  const out: Record<string, { oid: string; sha256: string }> = {};
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(repo.dir, name);
    writeFileSync(file, content);
    const info = await writeBlobFromFile(repo.gitdir, file);
    runGit(repo.dir, ['update-index', '--add', '--cacheinfo', `100644,${info.oid},${name}`]);
    out[name] = { oid: info.oid, sha256: info.sha256 };
  }
  const tree = runGit(repo.dir, ['write-tree']).trim();
  let parent: string[] = [];
  try {
    parent = ['-p', runGit(repo.dir, ['rev-parse', '--verify', '-q', 'refs/heads/main']).trim()];
  } catch {
    parent = [];
  }
  const commit = runGit(repo.dir, ['commit-tree', tree, ...parent, '-m', msg]).trim();
  runGit(repo.dir, ['update-ref', 'refs/heads/main', commit]);
  return out;
}

function verifyAllPacks() {
  const packDir = path.join(repo.gitdir, 'objects', 'pack');
  for (const idx of readdirSync(packDir).filter((n) => n.endsWith('.idx'))) {
    const out = runGit(repo.dir, ['verify-pack', '-v', path.join(packDir, idx)]);
    expect(out).toMatch(/: ok\n$/);
  }
  runGit(repo.dir, ['fsck', '--strict', '--no-dangling', '--full']);
}

// compact encodes large deltas on two threads with the compiled worker (dist/, built by `tsc -b` as `pnpm test` does)
const deltaWorker = new URL('../../dist/store/delta-worker.js', import.meta.url);

describe('compactObjects', () => {
  it.each([
    ['one thread', false as const],
    // small segments, so that each ~1 MB version is cut into many, encoded on both threads
    ['two threads', { workerUrl: deltaWorker, force: true, segmentBytes: 64 << 10 }],
  ])('packs versions as deltas, passes git verify-pack and fsck --strict, and everything reads back (%s)', async (_name, threads) => {
    if (threads && !existsSync(deltaWorker)) return;
    const versions: Record<string, { oid: string; sha256: string }>[] = [];
    const contents: Buffer[] = [];
    const rnd = prng(1);
    for (let v = 0; v < 6; v++) {
      const data = Buffer.concat([csv(30_000 + v * 200, v, 97)]);
      contents.push(data);
      versions.push(await save({ 'data.csv': data, 'savepoint.json': Buffer.from(`{"v":${v}}\n`), 'small.bin': rnd(3000) }, `save ${v}`));
    }
    runGit(repo.dir, ['tag', '-a', 'sp/data.csv/v3', '-m', 'v3', 'main~2']);
    const before = await looseObjectStats(repo.gitdir);
    expect(before.count).toBeGreaterThan(20);

    const events: string[] = [];
    const res = await compactObjects({ gitdir: repo.gitdir, threads, onProgress: (e) => events.push(e.phase) });
    expect(res.packedObjects).toBe(before.count);
    expect(res.deltas).toBeGreaterThanOrEqual(5);
    expect(res.packs).toHaveLength(2);
    expect(events).toContain('compact');
    expect(await looseObjectStats(repo.gitdir)).toEqual({ count: 0, bytes: 0 });
    // 6 versions of a ~1 MB CSV: the pack holds one compressed copy plus small deltas.
    expect(res.packBytes).toBeLessThan(contents[5]!.length / 2);
    verifyAllPacks();

    // Native git reads every version; so do we (latest is whole, older ones are delta chains).
    for (const [v, files] of versions.entries()) {
      expect(gitBuf(repo.dir, ['cat-file', 'blob', files['data.csv']!.oid]).equals(contents[v]!)).toBe(true);
      expect((await digestBlob(repo.gitdir, files['data.csv']!.oid)).sha256).toBe(files['data.csv']!.sha256);
      const dest = path.join(repo.dir, `restored-${v}.csv`);
      await readBlobToFile(repo.gitdir, files['data.csv']!.oid, dest);
      expect(fs.readFileSync(dest).equals(contents[v]!)).toBe(true);
    }
    // isomorphic-git still reads history, trees and the small config blob from the meta pack.
    const log = await git.log({ fs, gitdir: repo.gitdir, ref: 'main' });
    expect(log).toHaveLength(6);
    const { blob } = await git.readBlob({ fs, gitdir: repo.gitdir, oid: log[0]!.commit.tree, filepath: 'savepoint.json' });
    expect(Buffer.from(blob).toString()).toBe('{"v":5}\n');
    // The data pack holds only data blobs (isomorphic-git never needs to load it).
    const packs = await listPacks(repo.gitdir);
    const dataPack = packs.find((p) => p.idx.find(versions[0]!['data.csv']!.oid) >= 0)!;
    expect(dataPack.idx.find(log[0]!.oid)).toBe(-1);
    expect(dataPack.idx.find(versions[0]!['savepoint.json']!.oid)).toBe(-1);
  });

  it('keeps working across repeated compactions with new loose objects and several packs', async () => {
    const all: { oid: string; sha256: string }[] = [];
    for (let round = 0; round < 3; round++) {
      for (let v = 0; v < 3; v++) {
        const r = await save({ 'a.csv': csv(5000 + round * 100 + v, round * 3 + v, 31), [`b${round}.txt`]: Buffer.from(`round ${round} v ${v}\n`) }, `r${round} v${v}`);
        all.push(...Object.values(r));
      }
      const r = await compactObjects({ gitdir: repo.gitdir });
      // from the second run on, the old data pack (a.csv's whole newest version) is repacked with the new versions
      expect(r.repackedPacks ?? []).toHaveLength(round === 0 ? 0 : 1);
      verifyAllPacks();
      for (const o of all) expect((await digestBlob(repo.gitdir, o.oid)).sha256).toBe(o.sha256);
    }
    // one data pack (a.csv's versions, one whole copy) and one meta pack per run
    expect((await listPacks(repo.gitdir)).length).toBe(4);
    // A save after compaction whose content already exists in a pack is fine, and compaction with nothing loose is a no-op.
    await compactObjects({ gitdir: repo.gitdir });
    expect((await compactObjects({ gitdir: repo.gitdir })).packedObjects).toBe(0);
    expect(await git.log({ fs, gitdir: repo.gitdir, ref: 'main' })).toHaveLength(9);
  });

  it('incremental compaction repacks the old data pack when that saves space, and only then', async () => {
    const sizes: Record<string, number> = {};
    for (const repackOld of [true, false]) {
      const r2 = tempRepo();
      const prevRepo = repo;
      repo = r2;
      try {
        const oids: Array<{ oid: string; sha256: string }> = [];
        for (let round = 0; round < 3; round++) {
          for (let v = 0; v < 3; v++) oids.push((await save({ 'big.csv': csv(40_000 + round * 50 + v, round * 3 + v, 41) }, `r${round} v${v}`))['big.csv']!);
          await compactObjects({ gitdir: repo.gitdir, repackOld });
        }
        verifyAllPacks();
        for (const o of oids) expect((await digestBlob(repo.gitdir, o.oid)).sha256).toBe(o.sha256);
        const packs = await listPacks(repo.gitdir);
        sizes[String(repackOld)] = packs.reduce((n, p) => n + p.packSize, 0);
        // repacked: one whole copy of big.csv in all; not repacked: one per run
        const whole = packs.flatMap((p) => runGit(repo.dir, ['verify-pack', '-v', p.idxPath]).split('\n')).filter((l) => /^[0-9a-f]{40} blob +\d+ \d+ \d+$/.test(l) && Number(l.split(/ +/)[2]) > 100_000);
        expect(whole).toHaveLength(repackOld ? 1 : 3);
        // nothing new loose for big.csv: the data pack is left alone
        await save({ 'other.txt': Buffer.from('x\n') }, 'other');
        expect((await compactObjects({ gitdir: repo.gitdir, repackOld })).repackedPacks ?? []).toEqual([]);
      } finally {
        r2.cleanup();
        repo = prevRepo;
      }
    }
    expect(sizes['true']!).toBeLessThan(sizes['false']! * 0.6);
  });

  it('uses path hints instead of walking history, and packs unreferenced blobs too', async () => {
    const file = path.join(repo.dir, 'x.bin');
    const oids: string[] = [];
    const base = prng(3)(200_000);
    for (let v = 0; v < 4; v++) {
      const c = Buffer.from(base);
      c.fill(v, v * 1000, v * 1000 + 500);
      writeFileSync(file, c);
      oids.push((await writeBlobFromFile(repo.gitdir, file)).oid);
    }
    const res = await compactObjects({ gitdir: repo.gitdir, pathHints: { 'x.bin': [...oids].reverse() } });
    expect(res.deltas).toBe(3);
    verifyAllPacks();
    for (const oid of oids) expect(gitBuf(repo.dir, ['cat-file', '-t', oid]).toString().trim()).toBe('blob');
  });

  it('refuses to run twice at once', async () => {
    await save({ 'a.txt': Buffer.from('a') }, 'one');
    writeFileSync(path.join(repo.gitdir, 'savepoint-compact.lock'), '1\n');
    await expect(compactObjects({ gitdir: repo.gitdir })).rejects.toMatchObject({ code: 'E_LOCKED' });
    expect(existsSync(path.join(repo.gitdir, 'objects', 'pack')) ? readdirSync(path.join(repo.gitdir, 'objects', 'pack')) : []).toEqual([]);
  });

  it("takes over the lock of a compaction that was killed", async () => {
    await save({ 'a.txt': Buffer.from('a') }, 'one');
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(path.join(repo.gitdir, 'savepoint-compact.lock'), `${dead}\ncompact\n`);
    const r = await compactObjects({ gitdir: repo.gitdir });
    expect(r.packedObjects).toBeGreaterThan(0);
    expect(existsSync(path.join(repo.gitdir, 'savepoint-compact.lock'))).toBe(false);
  });

  it('auto-compacts only past the threshold', async () => {
    await save({ 'a.bin': prng(4)(50_000) }, 'one');
    expect(shouldCompact({ count: 10, bytes: 100 }, { maxLooseBytes: 1000 })).toBe(false);
    expect(shouldCompact({ count: 10, bytes: 2000 }, { maxLooseBytes: 1000 })).toBe(true);
    expect(await autoCompact({ gitdir: repo.gitdir, maxLooseBytes: 1 << 30 })).toBeNull();
    const r = await autoCompact({ gitdir: repo.gitdir, maxLooseBytes: 1000 });
    expect(r?.packedObjects).toBe(3);
  });
});
