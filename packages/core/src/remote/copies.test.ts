import { afterEach, describe, expect, it } from 'vitest';
import { save } from '../api/save.js';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { addRemote } from './config.js';
import { copiesStatus } from './copies.js';

let t: TempVault;
afterEach(async () => {
  await t?.cleanup();
});

describe('copiesStatus', () => {
  it('counts a remote as holding exactly the saves its recorded tip reaches, as native git sees them', async () => {
    t = await makeTempVault();
    for (let i = 1; i <= 6; i++) {
      await t.write('data.csv', `id,x\n${i},${i}\n`);
      await save(t.vault, { files: ['data.csv'] });
    }
    const branch = t.git(['rev-list', '--first-parent', t.vault.branch]).trim().split('\n');
    for (const name of ['tip', 'half', 'ahead', 'never']) await addRemote(t.vault, { name, url: `/tmp/sp-copies-${name}.git`, media: 'nas' });
    t.git(['update-ref', `refs/remotes/tip/${t.vault.branch}`, branch[0]!]);
    t.git(['update-ref', `refs/remotes/half/${t.vault.branch}`, branch[3]!]);
    // a remote ahead of us: a commit on top of our tip that is not on our branch
    const ahead = t.git(['commit-tree', '-p', branch[0]!, '-m', 'from elsewhere', `${branch[0]!}^{tree}`]).trim();
    t.git(['update-ref', `refs/remotes/ahead/${t.vault.branch}`, ahead]);
    const r = await copiesStatus(t.vault);
    expect(r.versions).toHaveLength(6);
    for (const v of r.versions) {
      const held = (name: string) => r.versions.find((x) => x.version === v.version)!.locations.some((l) => l.name === name);
      const reaches = (name: string) => t.git(['rev-list', `refs/remotes/${name}/${t.vault.branch}`]).includes(v.commit);
      expect(held('tip'), `tip holds v${v.version}`).toBe(true);
      expect(held('half'), `half holds v${v.version}`).toBe(reaches('half'));
      expect(held('ahead'), `ahead holds v${v.version}`).toBe(true);
      expect(held('never')).toBe(false);
    }
    expect(r.versions.filter((v) => v.locations.some((l) => l.name === 'half')).map((v) => v.version)).toEqual([1, 2, 3]);
    expect(r.remotes.find((x) => x.name === 'never')!.tip).toBeNull();
  });
});
