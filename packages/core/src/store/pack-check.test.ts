import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, truncateSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPacks } from './pack-check.js';
import { GIT_ENV, csv, git, prng, tempRepo } from './test-helpers.js';

let repo: ReturnType<typeof tempRepo>;
let packDir: string;
beforeEach(() => {
  repo = tempRepo();
  packDir = path.join(repo.gitdir, 'objects', 'pack');
  // a few versions of a CSV plus random data, packed by native git (deltas, idx v2)
  for (let i = 0; i < 4; i++) {
    writeFileSync(path.join(repo.dir, 'a.csv'), csv(3000, i, 50));
    writeFileSync(path.join(repo.dir, `r${i}.bin`), prng(i + 1)(40_000));
    git(repo.dir, ['add', '.']);
    git(repo.dir, ['commit', '-q', '-m', `v${i}`]);
  }
  git(repo.dir, ['repack', '-a', '-d', '-q']);
});
afterEach(() => repo.cleanup());

function onlyPack(): { pack: string; idx: string } {
  const idx = readdirSync(packDir).filter((n) => n.endsWith('.idx'));
  expect(idx).toHaveLength(1);
  return { idx: path.join(packDir, idx[0]!), pack: path.join(packDir, idx[0]!.replace(/\.idx$/, '.pack')) };
}

function gitVerifyPackOk(idx: string): boolean {
  return spawnSync('git', ['verify-pack', idx], { cwd: repo.dir, env: GIT_ENV }).status === 0;
}

/** offset and size in pack of one object, from git's own listing */
function entryOf(idx: string, oid: string): { offset: number; inPack: number } {
  const line = git(repo.dir, ['verify-pack', '-v', idx]).split('\n').find((l) => l.startsWith(oid))!;
  const f = line.split(/\s+/);
  return { inPack: Number(f[3]), offset: Number(f[4]) };
}

describe('checkPacks', () => {
  it('passes a pack native git wrote, like git verify-pack', async () => {
    const { idx } = onlyPack();
    expect(gitVerifyPackOk(idx)).toBe(true);
    const [r] = await checkPacks(repo.gitdir);
    expect(r).toMatchObject({ ok: true, problems: [], problemCount: 0, pack: path.basename(idx).replace('.idx', '.pack') });
    expect(r!.objects).toBeGreaterThan(10);
  });

  it('names the object whose bytes were flipped (entry CRC) and the pack checksum', async () => {
    const { idx, pack } = onlyPack();
    const oid = git(repo.dir, ['rev-parse', 'HEAD:r2.bin']).trim();
    const e = entryOf(idx, oid);
    chmodSync(pack, 0o644);
    const b = readFileSync(pack);
    b[e.offset + Math.floor(e.inPack / 2)]! ^= 0x40;
    writeFileSync(pack, b);
    expect(gitVerifyPackOk(idx)).toBe(false);
    const [r] = await checkPacks(repo.gitdir);
    expect(r).toMatchObject({ ok: false, code: 'E_PACK_CORRUPT' });
    expect(r!.problems.map((p) => p.kind).sort()).toEqual(['crc-mismatch', 'pack-checksum']);
    expect(r!.problems.find((p) => p.kind === 'crc-mismatch')).toMatchObject({ oid, offset: e.offset });
  });

  it('reports a truncated pack as truncated, with the objects past its end', async () => {
    const { idx, pack } = onlyPack();
    const size = readFileSync(pack).length;
    chmodSync(pack, 0o644);
    truncateSync(pack, Math.floor(size / 2));
    expect(gitVerifyPackOk(idx)).toBe(false);
    const [r] = await checkPacks(repo.gitdir);
    expect(r!.ok).toBe(false);
    expect(r!.problems[0]!.kind).toBe('pack-truncated');
    const kinds = new Set(r!.problems.map((p) => p.kind));
    expect(kinds.has('offset-out-of-range')).toBe(true);
    expect(kinds.has('pack-checksum')).toBe(true);
  });

  it('reports a damaged index, and an index without its pack', async () => {
    const { idx, pack } = onlyPack();
    chmodSync(idx, 0o644);
    const b = readFileSync(idx);
    b[8 + 1024 + 5]! ^= 0x01; // inside the first object name
    writeFileSync(idx, b);
    let [r] = await checkPacks(repo.gitdir);
    expect(r!.problems.map((p) => p.kind)).toContain('index-checksum');
    renameSync(pack, pack + '.moved');
    [r] = await checkPacks(repo.gitdir);
    expect(r!.problems.map((p) => p.kind)).toContain('missing-pack');
  });

  it('reports an index that belongs to another pack', async () => {
    const { idx, pack } = onlyPack();
    // a second, different pack whose index is put beside the first pack's name
    writeFileSync(path.join(repo.dir, 'extra.txt'), 'extra\n');
    git(repo.dir, ['add', '.']);
    git(repo.dir, ['commit', '-q', '-m', 'extra']);
    const other = git(repo.dir, ['pack-objects', '-q', '--revs', path.join(repo.dir, 'other')], 'HEAD\n').trim();
    chmodSync(idx, 0o644);
    writeFileSync(idx, readFileSync(path.join(repo.dir, `other-${other}.idx`)));
    const [r] = await checkPacks(repo.gitdir);
    expect(r!.ok).toBe(false);
    expect(r!.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['object-count']));
    expect(path.basename(pack)).toBe(r!.pack);
  });
});
