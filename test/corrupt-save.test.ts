/** Issue 19 item 2: a save over a damaged stored copy of the same content must leave a restorable version. */
import { afterAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';

let root: string;
afterAll(async () => root && fsp.rm(root, { recursive: true, force: true }));

async function flipByte(file: string, at: number): Promise<void> {
  await fsp.chmod(file, 0o644);
  const h = await fsp.open(file, 'r+');
  const b = Buffer.alloc(1);
  await h.read(b, 0, 1, at);
  b[0] = b[0]! ^ 0x5a;
  await h.write(b, 0, 1, at);
  await h.close();
}

function rows(n: number): string {
  return Array.from({ length: n }, (_, i) => `${i},${(i * 7919) % 10007},value ${i}`).join('\n') + '\n';
}

async function newVault(name: string): Promise<string> {
  root ??= await tempDir();
  sp(root, ['init', name]);
  return path.join(root, name);
}

describe('save --force over a corrupt stored object', () => {
  it('loose: the new version restores and git fsck --strict is clean', async () => {
    const vault = await newVault('loose');
    const file = path.join(vault, 'a.csv');
    await fsp.writeFile(file, rows(100));
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    const good = rows(101);
    await fsp.writeFile(file, good);
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    const oid = git(vault, ['rev-parse', 'HEAD:a.csv']).trim();
    const loose = path.join(vault, '.git/objects', oid.slice(0, 2), oid.slice(2));
    await flipByte(loose, 200);
    expect(sp(vault, ['verify']).code).not.toBe(0);

    const r = sp(vault, ['save', 'a.csv', '--force', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.files[0]).toMatchObject({ status: 'saved', version: 3, blob: oid });
    git(vault, ['fsck', '--strict']);
    expect(sp(vault, ['verify']).code).toBe(0);
    await fsp.rm(file);
    expect(sp(vault, ['restore', 'a.csv']).code).toBe(0);
    expect(await fsp.readFile(file, 'utf8')).toBe(good);
  });

  it('packed: the new version restores, and so does the older delta stored against the damaged entry', async () => {
    const vault = await newVault('packed');
    const file = path.join(vault, 'a.csv');
    const v1 = rows(3001);
    const v2 = rows(3000);
    await fsp.writeFile(file, v1);
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    await fsp.writeFile(file, v2);
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    expect(sp(vault, ['compact']).code).toBe(0);
    const oid = git(vault, ['rev-parse', 'HEAD:a.csv']).trim();
    const older = git(vault, ['rev-parse', 'HEAD~1:a.csv']).trim();
    // compact stores the latest version whole and @1 as a delta against it; damage the whole one
    const packDir = path.join(vault, '.git/objects/pack');
    let damaged = '';
    for (const idx of (await fsp.readdir(packDir)).filter((n) => n.endsWith('.idx'))) {
      const listing = git(vault, ['verify-pack', '-v', path.join(packDir, idx)]).split('\n');
      const line = listing.find((l) => l.startsWith(oid));
      if (!line) continue;
      expect(listing.find((l) => l.startsWith(older))).toMatch(new RegExp(`${oid}$`));
      const [, , , inPack, offset] = line.split(/\s+/);
      damaged = path.join(packDir, idx.replace(/\.idx$/, '.pack'));
      await flipByte(damaged, Number(offset) + Math.floor(Number(inPack) / 2));
    }
    expect(damaged).not.toBe('');
    expect(sp(vault, ['cat', 'a.csv@2']).code).not.toBe(0);
    expect(sp(vault, ['cat', 'a.csv@1']).code).not.toBe(0);

    const r = sp(vault, ['save', 'a.csv', '--force', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.files[0]).toMatchObject({ status: 'saved', version: 3, blob: oid });
    await fsp.rm(file);
    expect(sp(vault, ['restore', 'a.csv']).code).toBe(0);
    expect(await fsp.readFile(file, 'utf8')).toBe(v2);
    // @1 is a delta whose base entry is damaged: like git, read the base from its good (loose) copy
    expect(sp(vault, ['cat', 'a.csv@1']).stdout).toBe(v1);

    // compact packs the good loose copy into a new pack; the damaged pack still lists the object too
    expect(sp(vault, ['compact']).code).toBe(0);
    await fsp.rm(file);
    expect(sp(vault, ['restore', 'a.csv']).code).toBe(0);
    expect(await fsp.readFile(file, 'utf8')).toBe(v2);
    expect(sp(vault, ['cat', 'a.csv@1']).stdout).toBe(v1);
  });
});
