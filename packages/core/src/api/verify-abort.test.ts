import { afterEach, expect, it } from 'vitest';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log } from './query.js';
import { verify } from './verify.js';
import { readHealth } from '../health/record.js';
import { applyRetention, planVaultRetention } from '../retention/apply.js';
import { verifyArchivedVersions } from '../retention/archive.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

/** a file big enough that digesting it reports progress more than once (64 KB chunks) */
const big = (i: number) => `id,value\n${Array.from({ length: 40_000 }, (_, k) => `${k},${(k * i) % 977}`).join('\n')}\n`;

it('verify stops when its signal aborts: rejects with the reason, marks nothing verified, records no failed verify', async () => {
  t = await makeTempVault();
  for (let i = 1; i <= 3; i++) {
    await t.write('data.csv', big(i));
    await save(t.vault, { files: ['data.csv'] });
  }
  const before = await readHealth(t.vault, { sizes: false });
  const ac = new AbortController();
  let events = 0;
  const err = await verify(t.vault, {
    signal: ac.signal,
    onProgress: () => {
      if (++events === 2) ac.abort(new Error('cancelled by the test'));
    },
  }).catch((e: unknown) => e);
  expect((err as Error).message).toBe('cancelled by the test');
  expect((await log(t.vault)).every((v) => v.status !== 'verified')).toBe(true);
  expect((await readHealth(t.vault, { sizes: false })).verify).toEqual(before.verify);

  // an already aborted signal does not start
  await expect(verify(t.vault, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  // without an abort the same run completes
  const ok = await verify(t.vault, { signal: new AbortController().signal });
  expect(ok).toMatchObject({ ok: true, verified: 3 });
});

it('verifying archived versions stops when its signal aborts', async () => {
  t = await makeTempVault();
  for (let i = 1; i <= 4; i++) {
    await t.write('data.csv', big(i));
    await save(t.vault, { files: ['data.csv'] });
  }
  await applyRetention(t.vault, await planVaultRetention(t.vault, { overrides: { keepLast: 1 } }));
  const archived = (await log(t.vault)).filter((v) => v.archive);
  expect(archived).toHaveLength(3);
  const ac = new AbortController();
  let calls = 0;
  const err = await verifyArchivedVersions(t.vault, archived, () => {
    if (++calls === 1) ac.abort();
  }, ac.signal).catch((e: unknown) => e);
  expect((err as Error).name).toBe('AbortError');
  const items = await verifyArchivedVersions(t.vault, archived, undefined, new AbortController().signal);
  expect(items.map((i) => i.status)).toEqual(['verified', 'verified', 'verified']);
});
