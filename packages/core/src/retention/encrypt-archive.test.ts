/** Encrypted retention archives (issue 12 item 4): no plaintext byte or file name in the archive; key needed to restore/verify. */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from '../api/save.js';
import { restore } from '../api/restore.js';
import { verify } from '../api/verify.js';
import { MAGIC } from '../crypto/chunked.js';
import { applyRetention, planVaultRetention } from './apply.js';

let t: TempVault | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const content = (i: number) => `subject,score\n${Array.from({ length: 200 }, (_, k) => `SUBJ-${k}-marker,${(k * 7 + i) % 97}`).join('\n')}\n`;

async function walk(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

describe('encryptArchives', () => {
  it('archives are encrypted at rest; the right key restores and verifies, a wrong one is E_DECRYPT and writes nothing', async () => {
    t = await makeTempVault({ config: { encryptArchives: true } });
    for (let i = 1; i <= 4; i++) {
      await t.write('trial-secret.csv', content(i));
      await save(t.vault, { files: ['trial-secret.csv'], message: `v${i}` });
    }
    const plan = await planVaultRetention(t.vault, { overrides: { keepLast: 2 } });
    const tip = t.git(['rev-parse', 'main']).trim();
    // no key: refused before anything changes
    await expect(applyRetention(t.vault, plan)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect(t.git(['rev-parse', 'main']).trim()).toBe(tip);
    t.vault.key = () => ({ passphrase: 'archive pass' });
    const res = await applyRetention(t.vault, plan);
    expect(res.archived).toBe(2);
    const file = path.join(t.vault.dir, t.vault.config.archiveLocation, res.archives[0]!.file);
    const bytes = await fsp.readFile(file);
    expect(bytes.subarray(0, MAGIC.length).equals(MAGIC)).toBe(true);
    for (const needle of ['trial-secret', 'SUBJ-1-marker', 'manifest.json', 'archive.bundle']) expect(bytes.includes(needle), needle).toBe(false);
    // restore an archived version with the key
    await restore(t.vault, { address: 'trial-secret.csv@1', to: 'r1.csv', afterSave: false });
    expect(await fsp.readFile(path.join(t.dir, 'r1.csv'), 'utf8')).toBe(content(1));
    expect(await verify(t.vault)).toMatchObject({ corrupted: 0, missing: 0, verified: 4 });
    // a wrong passphrase: E_DECRYPT, nothing written
    t.vault.key = () => ({ passphrase: 'wrong' });
    const before = (await walk(t.dir)).filter((p) => !p.includes(`${path.sep}.git${path.sep}`)).sort();
    await expect(restore(t.vault, { address: 'trial-secret.csv@2', to: 'r2.csv', afterSave: false })).rejects.toMatchObject({ code: 'E_DECRYPT' });
    await expect(verify(t.vault)).rejects.toMatchObject({ code: 'E_DECRYPT' });
    expect((await walk(t.dir)).filter((p) => !p.includes(`${path.sep}.git${path.sep}`)).sort()).toEqual(before);
    // damage inside the encrypted archive is reported as a damaged archive by verify
    t.vault.key = () => ({ passphrase: 'archive pass' });
    await fsp.chmod(file, 0o644);
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 1;
    await fsp.writeFile(file, bytes);
    const v = await verify(t.vault);
    expect(v.corrupted).toBe(2);
  });
});
