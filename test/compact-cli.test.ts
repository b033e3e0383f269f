/** `savepoint compact` through the built CLI: deltas between versions, git verify-pack clean, every version intact. */
import { afterAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';

let root: string;
afterAll(async () => root && fsp.rm(root, { recursive: true, force: true }));

describe('savepoint compact', () => {
  it('packs versions as deltas, then saves, restores and verifies keep working', async () => {
    root = await tempDir();
    const vault = path.join(root, 'v');
    sp(root, ['init', 'v']);
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},sample-${i},${(i * 7919) % 1000}`);
    const versions: string[] = [];
    for (let v = 0; v < 5; v++) {
      rows[v * 100] = `${v * 100},edited-${v},0`;
      rows.push(`${5000 + v},new-${v},1`);
      versions.push(`id,name,value\n${rows.join('\n')}\n`);
      await fsp.writeFile(path.join(vault, 'data.csv'), versions[v]!);
      expect(sp(vault, ['save', 'data.csv']).code).toBe(0);
    }
    const r = sp(vault, ['compact', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.deltas).toBeGreaterThanOrEqual(4);
    expect(r.json.packBytes).toBeLessThan(r.json.looseBytesBefore / 3);
    const packs = (await fsp.readdir(path.join(vault, '.git/objects/pack'))).filter((f) => f.endsWith('.idx'));
    for (const p of packs) git(vault, ['verify-pack', '-v', path.join('.git/objects/pack', p)]);
    git(vault, ['fsck', '--strict']);
    expect(sp(vault, ['compact', '--json']).json.packedObjects).toBe(0);
    for (let v = 1; v <= 5; v++) expect(sp(vault, ['cat', `data.csv@${v}`]).stdout).toBe(versions[v - 1]);
    await fsp.appendFile(path.join(vault, 'data.csv'), '9999,after,2\n');
    expect(sp(vault, ['save', 'data.csv', '--json']).json.files[0].version).toBe(6);
    expect(sp(vault, ['verify', '--json']).json).toMatchObject({ ok: true, verified: 6 });
  });
});
