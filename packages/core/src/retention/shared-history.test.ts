/**
 * The after-save pipeline reads the history once for exports and retention (issue 17) and hands it to
 * planVaultRetention. A history read before an interrupted retention run was finished is stale: the plan must
 * then come from the history as recovery left it, or applying it would be refused (or worse, act on old tips).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { CORE_INDEX as coreIndex, TSX_LOADER as tsxLoader } from '../testing/core-child.js';
import { makeTempVault, gitCli, TEST_AUTHOR } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from '../api/save.js';
import { loadHistory } from '../history/versions.js';
import { applyRetention, planVaultRetention } from './apply.js';


let t: TempVault;
afterEach(async () => t?.cleanup());

const CHILD = `
import { openVault, planVaultRetention, applyRetention } from ${JSON.stringify(coreIndex)};
const [dir] = process.argv.slice(2);
const vault = await openVault({ dir, author: ${JSON.stringify(TEST_AUTHOR)}, clock: () => new Date('2026-05-01T12:00:00Z') });
const plan = await planVaultRetention(vault, { overrides: { keepLast: 3 } });
await applyRetention(vault, plan, { onStep: (s) => { if (s === 'notes-added') process.kill(process.pid, 'SIGKILL'); } });
`;

describe('planVaultRetention with a history handed in', () => {
  it('uses it when nothing was recovered, and reads again after finishing an interrupted run', async () => {
    t = await makeTempVault();
    for (let i = 1; i <= 6; i++) {
      await t.write('data.csv', `k,v\n${i},${i * 7}\n`);
      await save(t.vault, { files: ['data.csv'], message: `v${i}` });
    }
    // handed in and nothing to recover: the plan is made from exactly that history
    const current = await loadHistory(t.vault);
    const direct = await planVaultRetention(t.vault, { history: current, overrides: { keepLast: 3 } });
    expect(direct.tip).toBe(current.tip);

    const script = path.join(t.dir, '..', 'child.mts');
    await fsp.writeFile(script, CHILD);
    const child = spawnSync(process.execPath, ['--import', tsxLoader, script, t.dir], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    await t.reopen();

    const stale = await loadHistory(t.vault); // read before the journal is finished (the branch has not moved yet)
    const plan = await planVaultRetention(t.vault, { history: stale, overrides: { keepLast: 3 } });
    const tip = gitCli(t.dir, ['rev-parse', `refs/heads/${t.vault.branch}`]).trim();
    expect(stale.tip).not.toBe(tip); // recovery moved the branch
    expect(plan.tip).toBe(tip);
    // the run was finished by recovery: nothing left to archive, and applying the plan is not refused
    expect(plan.counts.archive).toBe(0);
    await expect(applyRetention(t.vault, plan)).resolves.toMatchObject({ archived: 0 });
  }, 120_000);
});
