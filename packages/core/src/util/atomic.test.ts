import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-vault.js';
import { tempOwner } from '../store/temp-sweep.js';
import { atomicTempName, writeFileAtomic } from './atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('sp-atomic-');
});
afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes a whole file (creating its folder), replaces an existing one and leaves no temp', async () => {
    const file = path.join(dir, 'savepoint', 'state.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, Buffer.from('two'), { fsync: false });
    expect(await fsp.readFile(file, 'utf8')).toBe('two');
    expect(await fsp.readdir(path.dirname(file))).toEqual(['state.json']);
  });

  it('applies an explicit mode whatever the umask', async () => {
    const file = path.join(dir, 'audit.json');
    await fsp.writeFile(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'secret', { mode: 0o600 });
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('its temp name carries the pid, so the stale-temp sweep can clean it after a kill -9', () => {
    const tmp = atomicTempName(path.join(dir, 'savepoint', 'queue.json'), 7, 4242);
    expect(path.dirname(tmp)).toBe(path.join(dir, 'savepoint'));
    expect(tempOwner('savepoint', path.basename(tmp))).toBe(4242);
  });

  it('a failed write leaves the old file and no temp behind', async () => {
    const target = path.join(dir, 'target');
    await fsp.mkdir(path.join(target, 'occupied'), { recursive: true }); // renaming a file over a non-empty folder fails
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect((await fsp.readdir(dir)).sort()).toEqual(['target']);
  });

  it('concurrent writers in one process never collide on the temp and the result is one whole write', async () => {
    const file = path.join(dir, 'c.json');
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(file, JSON.stringify({ i, pad: 'x'.repeat(10_000) }), { fsync: false })));
    expect(JSON.parse(await fsp.readFile(file, 'utf8')).pad).toHaveLength(10_000);
    expect(await fsp.readdir(dir)).toEqual(['c.json']);
  });
});
