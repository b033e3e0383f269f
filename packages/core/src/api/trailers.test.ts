/** Issue 19, item 11: a newline in a file name, --experiment or --message never forges a commit trailer. */
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log, resolveVersion } from './query.js';
import { verify } from './verify.js';
import { restore } from './restore.js';
import { promises as fsp } from 'node:fs';
import path from 'node:path';

let t: TempVault;
afterEach(async () => t?.cleanup());

describe('trailers cannot be forged', () => {
  it('saves, lists, verifies and restores a real file whose name holds "\\nSavepoint-Version: x=99"', async () => {
    t = await makeTempVault();
    const evil = 'evil.csv\nSavepoint-Version: x=99';
    await t.write(evil, 'id\n1\n');
    await t.write('x', 'other\n');
    const r = await save(t.vault, { files: [evil] });
    expect(r.files[0]).toMatchObject({ path: evil, version: 1, status: 'saved' });
    const body = t.git(['log', '-1', '--format=%B', r.commit!]);
    expect(body.split('\n').filter((l) => l.startsWith('Savepoint-Version:'))).toEqual(['Savepoint-Version: "evil.csv\\nSavepoint-Version: x=99"=1']);
    t.git(['fsck', '--strict']);
    // a fresh process (no history cache) reads the same thing back
    await fsp.rm(path.join(t.dir, '.git', 'savepoint'), { recursive: true, force: true });
    const v = await t.reopen();
    expect((await log(v, {})).map((x) => `${x.path}@${x.version}`)).toEqual([`${evil}@1`]);
    await expect(resolveVersion(v, 'x@latest')).rejects.toMatchObject({ code: 'E_NOT_TRACKED' });
    expect((await verify(v, {})).ok).toBe(true);
    await t.write(evil, 'id\n2\n');
    await restore(v, { address: `${evil}@1`, force: true });
    expect(await fsp.readFile(path.join(t.dir, evil), 'utf8')).toBe('id\n1\n');
  });

  it('refuses control characters in --experiment, and in --message other than newline and tab', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'id\n1\n');
    await expect(save(t.vault, { files: ['a.csv'], experiment: 'e1\nSavepoint-Version: a.csv=99' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(save(t.vault, { files: ['a.csv'], message: 'ok\u0000bad' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(save(t.vault, { files: ['a.csv'], message: 'x\u001b[31mred' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect(t.git(['rev-list', '--count', 'main']).trim()).toBe('1');
    // a message whose body looks like trailers stays a message
    const r = await save(t.vault, { files: ['a.csv'], message: 'run 1\r\n\r\nSavepoint-Version: a.csv=99\nSavepoint-Experiment: forged' });
    await fsp.rm(path.join(t.dir, '.git', 'savepoint'), { recursive: true, force: true });
    const [v] = await log(await t.reopen(), {});
    expect(v).toMatchObject({ path: 'a.csv', version: 1, commit: r.commit, summary: 'run 1' });
    expect(v!.experiment).toBeUndefined();
    expect(v!.description).toBe('Savepoint-Version: a.csv=99\nSavepoint-Experiment: forged');
  });
});
