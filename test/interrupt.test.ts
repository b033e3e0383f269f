/** Ctrl-C in the middle of saving a big file: exit 130, no temp object, no lock, vault as before, next save works. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BIN, CLI_ENV, cleanEnv, git, snapshot, sp, tempDir } from './helpers/cli.js';

let root: string;
afterAll(async () => root && fsp.rm(root, { recursive: true, force: true }));

async function tempObjects(vault: string): Promise<string[]> {
  return (await fsp.readdir(path.join(vault, '.git/objects'))).filter((f) => f.startsWith('tmp_'));
}

describe('interrupting a save', () => {
  it('SIGINT mid-write removes the partial object and changes nothing', async () => {
    root = await tempDir();
    const vault = path.join(root, 'v');
    sp(root, ['init', 'v']);
    const big = path.join(vault, 'big.bin');
    const h = await fsp.open(big, 'w');
    await h.truncate(1536 * 1024 * 1024); // sparse: cheap to make, a real 1.5 GiB read and write to save
    await h.close();
    sp(vault, ['log']); // warm Savepoint's caches so only real changes would show in the snapshot
    const before = await snapshot(path.join(vault, '.git'));
    const child = spawn(process.execPath, [BIN, 'save', 'big.bin'], { cwd: vault, env: cleanEnv(CLI_ENV) });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const end = Date.now() + 20_000;
    while ((await tempObjects(vault)).length === 0) {
      if (Date.now() > end) throw new Error('the save never started writing');
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await tempObjects(vault)).toEqual([]);
    await expect(fsp.access(path.join(vault, '.git/savepoint/lock'))).rejects.toThrow();
    expect(await snapshot(path.join(vault, '.git'))).toBe(before);
    git(vault, ['fsck', '--strict']);
    await fsp.writeFile(big, 'small now');
    expect(sp(vault, ['save', 'big.bin', '--json']).json.files[0]).toMatchObject({ status: 'saved', version: 1 });
  });
  it('SIGKILL mid-write leaves a temp object and the lock; the next save removes both', async () => {
    root ??= await tempDir();
    const vault = path.join(root, 'k');
    sp(root, ['init', 'k']);
    const big = path.join(vault, 'big.bin');
    const h = await fsp.open(big, 'w');
    await h.truncate(1536 * 1024 * 1024);
    await h.close();
    const child = spawn(process.execPath, [BIN, 'save', 'big.bin'], { cwd: vault, env: cleanEnv(CLI_ENV) });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
    const end = Date.now() + 20_000;
    while ((await tempObjects(vault)).length === 0) {
      if (Date.now() > end) throw new Error('the save never started writing');
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const left = await tempObjects(vault);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^tmp_obj-${child.pid}-`));
    await fsp.access(path.join(vault, '.git/savepoint/lock')); // a dead owner's lock, taken over below
    await fsp.writeFile(path.join(vault, 'small.txt'), 'small\n');
    const r = sp(vault, ['save', 'small.txt', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.files[0]).toMatchObject({ status: 'saved', version: 1 });
    expect(await tempObjects(vault)).toEqual([]);
    git(vault, ['fsck', '--strict']);
  });
});
