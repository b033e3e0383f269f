/**
 * kill -9 during `applyRetention` at every step: the vault must stay consistent (git fsck), every version must
 * stay restorable bit-exact, and the next run must finish the job.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { CORE_INDEX as coreIndex, TSX_LOADER as tsxLoader } from '../testing/core-child.js';
import { makeTempVault, gitCli, TEST_AUTHOR } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from '../api/save.js';
import { restore } from '../api/restore.js';
import { verify } from '../api/verify.js';
import { tagVersion } from '../api/tag.js';
import { log } from '../api/query.js';
import { applyRetention, planVaultRetention, recoverRetention } from './apply.js';
import type { ApplyStep } from './apply.js';


let t: TempVault;
afterEach(async () => t?.cleanup());

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const content = (i: number) => `k,v\n${Array.from({ length: 2000 }, (_, k) => `${k},${(k * 13 + i * 101) % 9973}`).join('\n')}\n`;

const CHILD = `
import { openVault, planVaultRetention, applyRetention } from ${JSON.stringify(coreIndex)};
const [dir, step] = process.argv.slice(2);
const vault = await openVault({ dir, author: ${JSON.stringify(TEST_AUTHOR)}, clock: () => new Date('2026-05-01T12:00:00Z') });
const plan = await planVaultRetention(vault, { overrides: { keepLast: 3 } });
await applyRetention(vault, plan, { onStep: (s) => { if (s === step) process.kill(process.pid, 'SIGKILL'); } });
console.log('finished without reaching ' + step);
`;

async function expectRestorable(contents: string[]): Promise<void> {
  const versions = await log(t.vault, { path: 'data.csv' });
  expect(versions).toHaveLength(contents.length);
  for (let i = 1; i <= contents.length; i++) {
    const to = `check/v${i}.csv`;
    await fsp.rm(path.join(t.dir, to), { force: true });
    await restore(t.vault, { address: `data.csv@${i}`, to });
    expect(sha(await fsp.readFile(path.join(t.dir, to))), `data.csv@${i}`).toBe(sha(contents[i - 1]!));
  }
}

function fsckOk(dir: string): void {
  const out = gitCli(dir, ['fsck', '--strict']).trim();
  for (const line of out ? out.split('\n') : []) expect(line).toMatch(/^dangling (commit|tree|blob|tag) [0-9a-f]{40}$/);
}

const STEPS: ApplyStep[] = ['archives-written', 'objects-written', 'index-written', 'journal-written', 'notes-added', 'branch-moved', 'tags-moved', 'notes-cleaned', 'pruned'];

describe('applyRetention survives kill -9', () => {
  it.each(STEPS)('killed after %s: every version restorable, rerun completes', async (step) => {
    t = await makeTempVault();
    const contents: string[] = [];
    for (let i = 1; i <= 7; i++) {
      contents.push(content(i));
      await t.write('data.csv', content(i));
      await save(t.vault, { files: ['data.csv'], message: `v${i}` });
    }
    await tagVersion(t.vault, { address: 'data.csv@5', name: 'milestone' });
    const script = path.join(t.dir, '..', 'child.mts');
    await fsp.writeFile(script, CHILD);
    const child = spawnSync(process.execPath, ['--import', tsxLoader, script, t.dir, step], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr).toBe('SIGKILL');

    // right after the crash: consistent repository, every version restorable
    fsckOk(t.dir);
    await t.reopen();
    await expectRestorable(contents);

    // the next run finishes (recovering a journal first when there is one)
    const recovered = await recoverRetention(t.vault);
    // a run killed after writing its journal is finished from the journal; one killed before starts over
    if (STEPS.indexOf(step) >= STEPS.indexOf('journal-written')) expect(recovered).toMatchObject({ completed: true, warnings: [] });
    else expect(recovered).toBeNull();
    const plan = await planVaultRetention(t.vault, { overrides: { keepLast: 3 } });
    const res = await applyRetention(t.vault, plan);
    expect(res.archived).toBe(STEPS.indexOf(step) >= STEPS.indexOf('journal-written') ? 0 : 4);
    fsckOk(t.dir);
    await t.reopen();
    const versions = await log(t.vault, { path: 'data.csv' });
    expect(versions.filter((v) => v.archive).map((v) => v.version).sort()).toEqual([1, 2, 3, 4]);
    expect(versions.find((v) => v.version === 5)!.tags).toEqual(['milestone']);
    await expectRestorable(contents);
    const r = await verify(t.vault, { markNotes: false });
    expect(r).toMatchObject({ ok: true, verified: 7 });
    expect(gitCli(t.dir, ['notes', '--ref=savepoint', 'list']).trim().split('\n')).toHaveLength(7);
    await expect(fsp.access(path.join(t.vault.gitdir, 'savepoint', 'retention-journal.json'))).rejects.toThrow();
    const index = JSON.parse(await fsp.readFile(path.join(t.dir, '.savepoint/archive/index.json'), 'utf8')) as { archives: { file: string }[] };
    expect(index.archives).toHaveLength(1);
    for (let i = 1; i <= 4; i++) expect(() => gitCli(t.dir, ['cat-file', '-e', createHash('sha1').update(`blob ${Buffer.byteLength(contents[i - 1]!)}\0`).update(contents[i - 1]!).digest('hex')])).toThrow();
  }, 120_000);
});
