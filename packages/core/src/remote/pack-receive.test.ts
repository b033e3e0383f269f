import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { gitCli, makeTempDir } from '../testing/temp-vault.js';
import { readObjectBuffer } from '../store/reader.js';
import { storeReceivedPack } from './pack-receive.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fsp.rm(d, { recursive: true, force: true });
});

/** A repo whose history makes git write ofs-deltas (versions of one file), packed by native git. */
async function nativePack(): Promise<{ src: string; pack: Buffer; oids: string[] }> {
  const src = await makeTempDir('sp-pack-src-');
  dirs.push(src);
  gitCli(src, ['init', '-q']);
  const rows = Array.from({ length: 3000 }, (_, i) => `${i},${i * 7},row-${i}`);
  for (let v = 0; v < 4; v++) {
    rows[v * 10] = `${v},changed`;
    await fsp.writeFile(path.join(src, 'data.csv'), rows.join('\n'));
    gitCli(src, ['add', 'data.csv']);
    gitCli(src, ['commit', '-qm', `v${v}`]);
  }
  const oids = gitCli(src, ['rev-list', '--objects', 'HEAD']).trim().split('\n').map((l) => l.slice(0, 40));
  const pack = execFileSync('git', ['pack-objects', '--stdout', '-q'], { cwd: src, input: oids.join('\n') + '\n', maxBuffer: 1 << 26 });
  return { src, pack, oids };
}

describe('storeReceivedPack (streaming index-pack)', () => {
  it('indexes a native pack with deltas: git verify-pack accepts it and every object reads back', async () => {
    const { pack, oids } = await nativePack();
    const dst = await makeTempDir('sp-pack-dst-');
    dirs.push(dst);
    gitCli(dst, ['init', '-q', '--bare']);
    const tmp = path.join(dst, 'objects', 'pack', 'tmp_fetch_test');
    await fsp.writeFile(tmp, pack);
    await storeReceivedPack(dst, tmp);
    const idx = (await fsp.readdir(path.join(dst, 'objects', 'pack'))).filter((n) => n.endsWith('.idx'));
    expect(idx).toHaveLength(1);
    const verify = gitCli(dst, ['verify-pack', '-v', path.join('objects', 'pack', idx[0]!)]);
    expect(verify).toMatch(/chain length = [1-9]/); // deltas were resolved
    for (const oid of oids) expect((await readObjectBuffer(dst, oid)).data.length).toBeGreaterThanOrEqual(0);
    await expect(fsp.stat(tmp)).rejects.toThrow();
  });

  it('refuses a damaged pack and installs nothing', async () => {
    const { pack } = await nativePack();
    const dst = await makeTempDir('sp-pack-bad-');
    dirs.push(dst);
    gitCli(dst, ['init', '-q', '--bare']);
    const bad = Buffer.from(pack);
    bad[Math.floor(bad.length / 2)]! ^= 0xff;
    const tmp = path.join(dst, 'objects', 'pack', 'tmp_fetch_bad');
    await fsp.writeFile(tmp, bad);
    await expect(storeReceivedPack(dst, tmp)).rejects.toMatchObject({ code: 'E_REMOTE_UNREACHABLE' });
    expect(await fsp.readdir(path.join(dst, 'objects', 'pack'))).toEqual([]);
  });
});
