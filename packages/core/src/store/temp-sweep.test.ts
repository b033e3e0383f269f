import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepStaleTemps, tempOwner } from './temp-sweep.js';
import { tempPath } from './reader.js';
import { tempRepo } from './test-helpers.js';

let repo: ReturnType<typeof tempRepo>;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => c.on('exit', r));
  return c.pid!;
}

describe('tempOwner', () => {
  it('reads the pid from every temp name Savepoint makes in the git dir, and from no other', () => {
    expect(tempOwner('objects', path.basename(tempPath('/x', 'tmp_obj')))).toBe(process.pid);
    expect(tempOwner('objects/pack', path.basename(tempPath('/x', 'tmp_pack')))).toBe(process.pid);
    expect(tempOwner('objects/tmp-savepoint', path.basename(tempPath('/x', 'tmp_base')))).toBe(process.pid);
    expect(tempOwner('objects', 'tmp_small_123_4')).toBe(123);
    expect(tempOwner('savepoint', 'stat-cache.json.123.tmp')).toBe(123);
    expect(tempOwner('savepoint', 'retention-journal.json.tmp-123')).toBe(123);
    expect(tempOwner('savepoint/tmp', 'view-123-AbC9')).toBe(123);
    // git's own temps, real objects and our files are not ours to sweep
    for (const n of ['tmp_obj_Ab12Cd', 'ab', 'pack', 'info']) expect(tempOwner('objects', n)).toBeNull();
    expect(tempOwner('objects/pack', 'tmp_pack_Xy12Za')).toBeNull();
    expect(tempOwner('savepoint', 'lock')).toBeNull();
    expect(tempOwner('savepoint', 'stat-cache.json')).toBeNull();
  });
});

describe('sweepStaleTemps', () => {
  it("removes a dead process's temps and keeps a live one's", async () => {
    const dead = await deadPid();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const objects = path.join(repo.gitdir, 'objects');
      mkdirSync(path.join(objects, 'tmp-savepoint'), { recursive: true });
      mkdirSync(path.join(repo.gitdir, 'savepoint', 'tmp', `view-${dead}-abc`), { recursive: true });
      const files = {
        deadObj: path.join(objects, `tmp_obj-${dead}-abc-1`),
        deadPack: path.join(objects, 'pack', `tmp_pack-${dead}-abc-2`),
        deadBase: path.join(objects, 'tmp-savepoint', `tmp_base-${dead}-abc-3`),
        deadCache: path.join(repo.gitdir, 'savepoint', `stat-cache.json.${dead}.tmp`),
        liveObj: path.join(objects, `tmp_obj-${live.pid}-abc-1`),
        mine: path.join(objects, `tmp_obj-${process.pid}-abc-1`),
        gits: path.join(objects, 'tmp_obj_Ab12Cd'),
      };
      for (const f of Object.values(files)) writeFileSync(f, 'x'.repeat(10));
      const res = await sweepStaleTemps(repo.gitdir);
      expect(res.removed.sort()).toEqual(
        ['objects/' + path.basename(files.deadObj), 'objects/pack/' + path.basename(files.deadPack), 'objects/tmp-savepoint/' + path.basename(files.deadBase), 'savepoint/' + path.basename(files.deadCache), `savepoint/tmp/view-${dead}-abc`].sort(),
      );
      expect(res.bytes).toBe(40);
      for (const k of ['deadObj', 'deadPack', 'deadBase', 'deadCache'] as const) expect(existsSync(files[k]), k).toBe(false);
      for (const k of ['liveObj', 'mine', 'gits'] as const) expect(existsSync(files[k]), k).toBe(true);
    } finally {
      live.kill('SIGKILL');
    }
  });
});
