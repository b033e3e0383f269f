/** Issue 19 item 13: verify checks packs as a whole and names a damaged one, like git verify-pack. */
import { afterAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { sp, tempDir } from './helpers/cli.js';

let root: string;
afterAll(async () => root && fsp.rm(root, { recursive: true, force: true }));

const rows = (n: number, salt: number) => Array.from({ length: n }, (_, i) => `${i},${(i * 7919 + salt) % 10007}`).join('\n') + '\n';

async function packedVault(name: string): Promise<{ vault: string; pack: string }> {
  root ??= await tempDir();
  sp(root, ['init', name]);
  const vault = path.join(root, name);
  for (let v = 0; v < 3; v++) {
    await fsp.writeFile(path.join(vault, 'a.csv'), rows(4000 + v, v));
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
  }
  expect(sp(vault, ['compact']).code).toBe(0);
  const packDir = path.join(vault, '.git/objects/pack');
  // the data pack is the larger one
  const packs = await Promise.all((await fsp.readdir(packDir)).filter((n) => n.endsWith('.pack')).map(async (n) => ({ n, size: (await fsp.stat(path.join(packDir, n))).size })));
  packs.sort((a, b) => b.size - a.size);
  const pack = path.join(packDir, packs[0]!.n);
  await fsp.chmod(pack, 0o644);
  expect(sp(vault, ['verify', '--json']).json.packs.every((p: { ok: boolean }) => p.ok)).toBe(true);
  return { vault, pack };
}

describe('verify checks packs', () => {
  it('a truncated pack is named with E_PACK_CORRUPT and the exit code is non-zero', async () => {
    const { vault, pack } = await packedVault('trunc');
    const size = (await fsp.stat(pack)).size;
    await fsp.truncate(pack, size - 100);
    const r = sp(vault, ['verify', '--json']);
    expect(r.code).toBe(10);
    expect(r.json.ok).toBe(false);
    const bad = r.json.packs.filter((p: { ok: boolean }) => !p.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ pack: path.basename(pack), code: 'E_PACK_CORRUPT' });
    expect(bad[0].problems.map((p: { kind: string }) => p.kind)).toContain('pack-checksum');
    const text = sp(vault, ['verify']);
    expect(text.code).toBe(10);
    expect(text.stdout).toContain(`damaged   ${path.basename(pack)}  [E_PACK_CORRUPT]`);
  });

  it('a flipped byte in the pack trailer is reported although every version still reads', async () => {
    const { vault, pack } = await packedVault('flip');
    // flip a byte in the trailer: every object still inflates, only the pack checksum is wrong
    const h = await fsp.open(pack, 'r+');
    const size = (await h.stat()).size;
    const b = Buffer.alloc(1);
    await h.read(b, 0, 1, size - 5);
    b[0] = b[0]! ^ 0xff;
    await h.write(b, 0, 1, size - 5);
    await h.close();
    const r = sp(vault, ['verify', '--json']);
    expect(r.code).toBe(10);
    expect(r.json.corrupted).toBe(0);
    expect(r.json.packs.find((p: { pack: string }) => p.pack === path.basename(pack))).toMatchObject({ ok: false, code: 'E_PACK_CORRUPT', problems: [{ kind: 'pack-checksum' }] });
  });
});
