/** export --encrypt and `savepoint decrypt` through the bundled CLI (issue 12 item 4). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { sp, tempDir } from './helpers/cli.js';

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe('encrypted exports', () => {
  it('export --encrypt writes *.enc with no plaintext; decrypt reads them back; a wrong passphrase exits 22 and writes nothing', async () => {
    const dir = path.join(root, 'v');
    await fsp.mkdir(dir);
    expect(sp(dir, ['init']).code).toBe(0);
    await fsp.writeFile(path.join(dir, 'cohort-names.csv'), 'a,b\n1,2\n');
    expect(sp(dir, ['save', 'cohort-names.csv']).code).toBe(0);
    const env = { SAVEPOINT_PASSPHRASE: 'export pass' };
    const noKey = sp(dir, ['export', '--encrypt', '-o', 'out', '--json']);
    expect(noKey.code).toBe(2);
    const r = sp(dir, ['export', '--encrypt', '-o', 'out', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.checksums).toMatch(/checksums\.txt\.enc$/);
    const sealed = await fsp.readFile(path.join(dir, 'out', 'checksums.txt.enc'));
    expect(sealed.includes('cohort-names')).toBe(false);
    expect(await fsp.readdir(path.join(dir, 'out'))).toEqual(['checksums.txt.enc', 'manifest.json.enc']);
    const d = sp(dir, ['decrypt', 'out/checksums.txt.enc', '-o', 'checksums.txt'], { env });
    expect(d.code, d.stderr).toBe(0);
    expect(await fsp.readFile(path.join(dir, 'checksums.txt'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}cohort-names\.csv\n$/);
    const stdout = sp(dir, ['decrypt', 'out/manifest.json.enc'], { env });
    expect(JSON.parse(stdout.stdout).files).toMatchObject([{ path: 'cohort-names.csv', version: 1 }]);
    const wrong = sp(dir, ['decrypt', 'out/manifest.json.enc', '-o', 'm.json', '--json'], { env: { SAVEPOINT_PASSPHRASE: 'nope' } });
    expect(wrong.code).toBe(22);
    expect(wrong.json.error.code).toBe('E_DECRYPT');
    expect(await fsp.stat(path.join(dir, 'm.json')).catch(() => null)).toBeNull();
  });
});
