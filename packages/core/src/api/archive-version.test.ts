/** `archive data.csv@3` by hand (issue 14 item 5): one version through retention's crash-safe apply. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log } from './query.js';
import { restore } from './restore.js';
import { tagVersion } from './tag.js';
import { archiveVersion } from './archive-version.js';
import { listArchives } from '../retention/archive.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

const content = (i: number) => `id,value\n${Array.from({ length: 500 }, (_, k) => `${k},${(k * 31 + i * 7919) % 100003}`).join('\n')}\n`;
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

async function saveMany(n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await t.write('data.csv', content(i));
    await save(t.vault, { files: ['data.csv'], message: `v${i}` });
  }
}

describe('archiveVersion', () => {
  it('moves exactly one version into an archive; it stays listed, restorable, and git fsck is clean', async () => {
    t = await makeTempVault({ config: { retention: { auto: false } } as never });
    await saveMany(4);
    const blob3 = (await log(t.vault, { path: 'data.csv' })).find((v) => v.version === 3)!.blob;
    const r = await archiveVersion(t.vault, { address: 'data.csv@3' });
    expect(r.status).toBe('archived');
    expect(r.result?.archived).toBe(1);
    const versions = await log(t.vault, { path: 'data.csv' });
    expect(versions.map((v) => [v.version, !!v.archive])).toEqual([[4, false], [3, true], [2, false], [1, false]]);
    expect(r.archive).toBe(versions.find((v) => v.version === 3)!.archive);
    expect((await listArchives(t.vault)).flatMap((a) => a.versions.map((v) => `${v.path}@${v.version}`))).toEqual(['data.csv@3']);
    // the blob left the repository (native git agrees), other versions are untouched
    expect(() => t.git(['cat-file', '-e', blob3])).toThrow();
    expect(t.git(['fsck', '--strict']).split('\n').filter((l) => l && !/^dangling (commit|tag)/.test(l))).toEqual([]);
    // restorable from the archive, sha256-checked
    await restore(t.vault, { address: 'data.csv@3', to: 'back.csv', afterSave: false });
    expect(sha(await fsp.readFile(path.join(t.dir, 'back.csv')))).toBe(sha(content(3)));
    // a second call is a no-op
    expect((await archiveVersion(t.vault, { address: 'data.csv@3' })).status).toBe('already-archived');
  });

  it('never archives the latest version; a tagged one only with force; nothing changes on refusal', async () => {
    t = await makeTempVault({ config: { retention: { auto: false } } as never });
    await saveMany(3);
    await tagVersion(t.vault, { address: 'data.csv@2', name: 'paper-fig-2' });
    const tipBefore = t.git(['rev-parse', 'HEAD']);
    await expect(archiveVersion(t.vault, { address: 'data.csv@3' })).rejects.toMatchObject({ code: 'E_VERSION_PROTECTED', details: { reason: 'latest' } });
    await expect(archiveVersion(t.vault, { address: 'data.csv@latest', force: true })).rejects.toMatchObject({ code: 'E_VERSION_PROTECTED' });
    await expect(archiveVersion(t.vault, { address: 'data.csv@2' })).rejects.toMatchObject({ code: 'E_VERSION_PROTECTED', details: { reason: 'tagged' } });
    expect(t.git(['rev-parse', 'HEAD'])).toBe(tipBefore);
    expect(await listArchives(t.vault)).toEqual([]);
    const r = await archiveVersion(t.vault, { address: 'data.csv@2', force: true });
    expect(r.status).toBe('archived');
    // the tag still names the archived version, which restores from its archive
    const v2 = (await log(t.vault, { path: 'data.csv' })).find((v) => v.version === 2)!;
    expect(v2.archive).toBeTruthy();
    expect(v2.tags).toContain('paper-fig-2');
    await restore(t.vault, { address: 'data.csv@paper-fig-2', to: 'fig.csv', afterSave: false });
    expect(sha(await fsp.readFile(path.join(t.dir, 'fig.csv')))).toBe(sha(content(2)));
  });
});
