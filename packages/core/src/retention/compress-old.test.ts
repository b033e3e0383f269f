/** `compressOld`: true gzips archives; false stores them uncompressed (still checksummed and restorable). */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { runRetention } from '../api/after-save.js';
import { restore } from '../api/restore.js';
import { save } from '../api/save.js';
import { listArchives } from './archive.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

async function archivedSize(compressOld: boolean): Promise<{ size: number; raw: number }> {
  t = await makeTempVault({ config: { compressOld, retention: { keepLast: 1, auto: false } } });
  // compressible but not delta-able against the next version
  const v1 = Array.from({ length: 20_000 }, (_, i) => `${i},row number ${i},${i % 7}`).join('\n') + '\n';
  await t.write('d.csv', v1);
  await save(t.vault, { files: ['d.csv'] });
  await t.write('d.csv', 'x\n1\n');
  await save(t.vault, { files: ['d.csv'] });
  const r = await runRetention(t.vault);
  expect(r.archived).toBe(1);
  const [a] = await listArchives(t.vault);
  await restore(t.vault, { address: 'd.csv@1', to: 'back.csv' });
  expect(await fsp.readFile(path.join(t.dir, 'back.csv'), 'utf8')).toBe(v1);
  const size = a!.size;
  await t.cleanup();
  return { size, raw: Buffer.byteLength(v1) };
}

describe('compressOld', () => {
  it('true (default) gzips archives; false stores them uncompressed', async () => {
    const on = await archivedSize(true);
    const off = await archivedSize(false);
    expect(on.size).toBeLessThan(on.raw / 3);
    expect(off.size).toBeGreaterThan(off.raw);
  });
});
