/**
 * Issue 17 target 2: one large version verified through the CLI (read by range, Adler-32 in WebAssembly SIMD;
 * from 256 MiB split over two threads when a core is free, see digest-pool.test.ts), and damage found and named.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { sp, tempDir } from './helpers/cli.js';

let root: string;
afterAll(async () => root && fsp.rm(root, { recursive: true, force: true }));

/** ~18 MB of CSV: hundreds of stored blocks */
const bigCsv = (salt: number) => 'id,value,label\n' + Array.from({ length: 900_000 }, (_, i) => `${i},${(i * 7919 + salt) % 100_003},row-${i % 97}`).join('\n') + '\n';

describe('verify of one large version', () => {
  it('passes when intact; a damaged Adler-32 fails full verify only, a changed content byte fails both modes', async () => {
    root = await tempDir();
    sp(root, ['init', 'v']);
    const vault = path.join(root, 'v');
    const content = bigCsv(1);
    expect(content.length).toBeGreaterThan(16 << 20);
    await fsp.writeFile(path.join(vault, 'big.csv'), content);
    expect(sp(vault, ['save', 'big.csv']).code).toBe(0);
    const ok = sp(vault, ['verify', '--json', '--no-mark']);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, verified: 1, mode: 'full', bytes: content.length });
    const oid = execFileSync('git', ['rev-parse', 'HEAD:big.csv'], { cwd: vault }).toString().trim();
    const file = path.join(vault, '.git/objects', oid.slice(0, 2), oid.slice(2));
    const good = await fsp.readFile(file);
    await fsp.chmod(file, 0o644);

    // only the zlib trailer damaged: the content is intact, so --quick passes and a full verify names it
    const cut = Buffer.from(good);
    cut[cut.length - 1] ^= 0x01;
    await fsp.writeFile(file, cut);
    expect(sp(vault, ['verify', '--json', '--no-mark', '--quick']).json).toMatchObject({ ok: true, verified: 1, mode: 'quick' });
    const full = sp(vault, ['verify', '--json', '--no-mark']);
    expect(full.code).toBe(10);
    expect(full.json.items[0]).toMatchObject({ status: 'corrupted', code: 'E_OBJECT_CORRUPT' });
    expect(full.json.items[0].message).toContain('Adler-32');
    expect(() => execFileSync('git', ['fsck', '--full'], { cwd: vault, stdio: 'pipe' })).toThrow(); // git agrees

    // a content byte changed: found in both modes (--quick's mismatch is read again in full)
    const bad = Buffer.from(good);
    bad[good.length >> 1] ^= 0x04;
    await fsp.writeFile(file, bad);
    for (const mode of [[], ['--quick']]) {
      const r = sp(vault, ['verify', '--json', '--no-mark', ...mode]);
      expect(r.code, mode.join(' ')).toBe(10);
      expect(r.json.items[0].status).toBe('corrupted');
    }
    await fsp.writeFile(file, good);
    expect(sp(vault, ['verify', '--json']).json).toMatchObject({ ok: true, verified: 1, marks: 'recorded' });
  });
});
