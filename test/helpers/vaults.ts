/** Temp vaults with a short history, shared by the remote tests. */
import { save } from '@savepoint/core';
import { makeTempVault } from '../../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../../packages/core/src/testing/temp-vault.js';

/** A temp vault with `n` saves of a CSV and a nested JSON file (each save changes both). The caller cleans it up. */
export async function makeVaultWithSaves(n: number): Promise<TempVault> {
  const t = await makeTempVault();
  for (let i = 1; i <= n; i++) {
    await t.write('data.csv', `id,x\n${Array.from({ length: i * 3 }, (_, k) => `${k},${k * i}`).join('\n')}\n`);
    await t.write('sub/params.json', JSON.stringify({ run: i }));
    await save(t.vault, { files: ['data.csv', 'sub/params.json'], message: `run ${i}` });
  }
  return t;
}
