/** Issue 19 item 4: a vault on read-only media can be read and verified; write commands say E_READ_ONLY (exit 20). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { snapshot, sp, tempDir } from './helpers/cli.js';
import { readOnlyRunner, type ReadOnlyRunner } from './helpers/read-only.js';

let root: string;
let vault: string;
let ro: ReadOnlyRunner | { reason: string };
beforeAll(async () => {
  root = await tempDir();
  sp(root, ['init', 'v']);
  vault = path.join(root, 'v');
  await fsp.writeFile(path.join(vault, 'a.csv'), 'id,x\n1,2\n');
  expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
  await fsp.writeFile(path.join(vault, 'a.csv'), 'id,x\n1,3\n');
  expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
  await fsp.writeFile(path.join(vault, 'a.csv'), 'id,x\n1,4\n');
  // as on a fresh copy: none of Savepoint's own folders exist yet
  await fsp.rm(path.join(vault, '.git/savepoint'), { recursive: true, force: true });
  ro = await readOnlyRunner(vault);
  if ('reason' in ro) console.warn(`read-only tests skipped: ${ro.reason}`);
});
afterAll(async () => {
  if (ro && !('reason' in ro)) await ro.release();
  await fsp.rm(root, { recursive: true, force: true });
});

describe('a read-only vault', () => {
  it('verify reports its results and says it could not record them', async (ctx) => {
    if ('reason' in ro) return ctx.skip();
    const before = await snapshot(vault);
    const r = ro.run(vault, ['verify', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, verified: 2, corrupted: 0, marks: 'read-only' });
    const t = ro.run(vault, ['verify']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^OK {2}verified 2/m);
    expect(t.stdout).toContain('could not be recorded');
    expect(await snapshot(vault)).toBe(before);
  });

  it('read commands work: diff, log, show, status, cat, export to a folder elsewhere', async (ctx) => {
    if ('reason' in ro) return ctx.skip();
    const d = ro.run(vault, ['diff', 'a.csv@1', 'a.csv@2']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('"2" → "3"');
    const w = ro.run(vault, ['diff', 'a.csv']);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toContain('"3" → "4"');
    expect(ro.run(vault, ['log', '--json']).json.versions).toHaveLength(2);
    expect(ro.run(vault, ['show', 'a.csv@1']).code).toBe(0);
    expect(ro.run(vault, ['status', '--json']).code).toBe(0);
    expect(ro.run(vault, ['cat', 'a.csv@1']).stdout).toBe('id,x\n1,2\n');
    const out = path.join(root, 'export');
    const e = ro.run(vault, ['export', '-o', out]);
    expect(e.code, e.stderr).toBe(0);
    expect(await fsp.readFile(path.join(out, 'checksums.txt'), 'utf8')).toMatch(/ {2}a\.csv\n$/);
  });

  it('write commands fail with E_READ_ONLY (exit 20), not E_INTERNAL', async (ctx) => {
    if ('reason' in ro) return ctx.skip();
    for (const args of [['save', 'a.csv'], ['tag', 'good', 'a.csv@1'], ['compact'], ['restore', 'a.csv@1', '--to', 'b.csv'], ['export']]) {
      const r = ro.run(vault, [...args, '--json']);
      expect(r.code, args.join(' ')).toBe(20);
      expect(r.json.error.code, args.join(' ')).toBe('E_READ_ONLY');
      const t = ro.run(vault, args);
      expect(t.stderr).toMatch(/^error \[E_READ_ONLY\] .*read-only/);
    }
  });

  it('immutable files (chattr +i, where this machine allows it) behave the same', async (ctx) => {
    const iv = path.join(root, 'imm');
    sp(root, ['init', 'imm']);
    await fsp.writeFile(path.join(iv, 'a.csv'), 'id,x\n1,2\n');
    expect(sp(iv, ['save', 'a.csv']).code).toBe(0);
    const on = spawnSync('chattr', ['-R', '+i', path.join(iv, '.git')], { encoding: 'utf8' });
    try {
      if (on.status !== 0) return ctx.skip();
      const v = sp(iv, ['verify', '--json']);
      expect(v.code).toBe(0);
      expect(v.json).toMatchObject({ ok: true, marks: 'read-only' });
      expect(sp(iv, ['cat', 'a.csv@1']).stdout).toBe('id,x\n1,2\n');
      const s = sp(iv, ['save', 'a.csv', '--force', '--json']);
      expect(s.code).toBe(20);
      expect(s.json.error.code).toBe('E_READ_ONLY');
    } finally {
      spawnSync('chattr', ['-R', '-i', path.join(iv, '.git')]);
    }
  });
});
