/** End-to-end: `savepoint retention` and `savepoint archive` through the built CLI, cross-checked with native git. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => fsp.rm(root, { recursive: true, force: true }));

const rows = (i: number) => `id,value\n${Array.from({ length: 2000 + i * 10 }, (_, k) => `${k},${(k * 7 + i) % 1009}`).join('\n')}\n`;

/** Bytes of every file under .git/objects (apparent size, not disk blocks). */
async function objectBytes(vault: string): Promise<number> {
  let n = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(path.join(d, e.name));
      else n += (await fsp.stat(path.join(d, e.name))).size;
    }
  };
  await walk(path.join(vault, '.git', 'objects'));
  return n;
}

function fsckClean(dir: string): void {
  const out = git(dir, ['fsck', '--strict']).trim();
  for (const line of out ? out.split('\n') : []) expect(line).toMatch(/^dangling (commit|tag) [0-9a-f]{40}$/);
}

describe('savepoint retention / archive', () => {
  it('plans, refuses without --yes off a terminal, applies, and keeps archived versions listable, verifiable and restorable', async () => {
    const vault = path.join(root, 'v1');
    // this test applies retention by hand: opt out of the new-vault default (retention.auto)
    expect(sp(root, ['init', 'v1', '--no-auto-retention']).code).toBe(0);
    expect(JSON.parse(await fsp.readFile(path.join(vault, 'savepoint.json'), 'utf8')).retention).toEqual({ auto: false });
    for (let i = 1; i <= 15; i++) {
      await fsp.writeFile(path.join(vault, 'data.csv'), rows(i));
      expect(sp(vault, ['save', 'data.csv', '-m', `v${i}`]).code).toBe(0);
    }
    const sizeBefore = await objectBytes(vault);

    const plan = sp(vault, ['retention', 'plan', '--keep-last', '10', '--json']);
    expect(plan.code).toBe(0);
    expect(plan.json.counts).toEqual({ keep: 10, archive: 5, delete: 0 });
    expect(plan.json.decisions.filter((d: any) => d.action === 'archive').map((d: any) => [d.version, d.rule])).toEqual([1, 2, 3, 4, 5].map((v) => [v, 'unprotected']));
    const text = sp(vault, ['retention', 'plan', '--keep-last', '10']);
    expect(text.stdout).toMatch(/archive\s+data\.csv@1 .*no rule keeps it/);
    expect(text.stdout).toMatch(/5 to archive, 0 to delete, 10 kept; frees \d+(\.\d)? KiB from the repository/);

    const refused = sp(vault, ['retention', 'apply', '--keep-last', '10']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/E_INVALID_ARGUMENT.*not an interactive terminal.*--yes/);
    expect(sp(vault, ['log', 'data.csv', '--json']).json.versions.filter((v: any) => v.archive)).toHaveLength(0);

    const applied = sp(vault, ['retention', 'apply', '--keep-last', '10', '--yes', '--json']);
    expect(applied.code).toBe(0);
    expect(applied.json.result).toMatchObject({ archived: 5, prune: { objects: 5 } });
    const file = applied.json.result.archives[0].file as string;
    expect(file).toMatch(/^daily\/2026-05-01_/);
    fsckClean(vault);
    expect(git(vault, ['status', '--porcelain'])).toBe('');
    // five ~20 KB blobs left; the rewritten commits, trees and notes add a few KB of small objects
    const archivedBytes = [1, 2, 3, 4, 5].reduce((n, i) => n + Buffer.byteLength(rows(i)), 0);
    expect(sizeBefore - (await objectBytes(vault))).toBeGreaterThan(archivedBytes * 0.7);

    const log = sp(vault, ['log', 'data.csv', '--json']).json.versions;
    expect(log.filter((v: any) => v.status === 'archived').map((v: any) => v.version)).toEqual([5, 4, 3, 2, 1]);
    expect(sp(vault, ['log', 'data.csv']).stdout).toMatch(new RegExp(`data\\.csv@3 .*\\[archived ${file.replace(/[.]/g, '\\.')}\\]`));

    const list = sp(vault, ['archive', 'list', '--json']).json.archives;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ file, present: true });
    expect(sp(vault, ['archive', 'verify', '--json']).json).toMatchObject({ ok: true, verified: 5 });
    expect(sp(vault, ['verify', '--json']).json).toMatchObject({ ok: true, verified: 15, missing: 0, corrupted: 0 });

    for (const v of [1, 3, 5]) {
      expect(sp(vault, ['restore', `data.csv@${v}`, '--to', `old/v${v}.csv`]).code).toBe(0);
      expect(await fsp.readFile(path.join(vault, `old/v${v}.csv`), 'utf8')).toBe(rows(v));
    }

    const x = path.join(root, 'x');
    await fsp.mkdir(x);
    execFileSync('tar', ['-xzf', path.join(vault, '.savepoint/archive', file), '-C', x]);
    git(vault, ['bundle', 'verify', path.join(x, 'archive.bundle')]);

    // damage the archive: verify and archive verify fail, restore refuses
    const abs = path.join(vault, '.savepoint/archive', file);
    const bytes = await fsp.readFile(abs);
    bytes[bytes.length - 12]! ^= 0x55;
    await fsp.chmod(abs, 0o644);
    await fsp.writeFile(abs, bytes);
    const bad = sp(vault, ['archive', 'verify']);
    expect(bad.code).toBe(10);
    expect(bad.stdout).toMatch(/corrupted 5/);
    expect(sp(vault, ['restore', 'data.csv@2', '--to', 'bad.csv']).code).toBe(9);
  });

  it('expiring lists versions whose time-bound protection runs out', async () => {
    const vault = path.join(root, 'v2');
    expect(sp(root, ['init', 'v2']).code).toBe(0);
    for (let i = 1; i <= 3; i++) {
      await fsp.writeFile(path.join(vault, 'a.csv'), rows(i));
      expect(sp(vault, ['save', 'a.csv', '--keep', i === 2 ? 'days:3' : 'days:30']).code).toBe(0);
    }
    const r = sp(vault, ['retention', 'expiring', '--within', '7d', '--keep-last', '1', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.versions.map((v: any) => [v.version, v.keptBy, v.then])).toEqual([[2, 'keep-days', 'archive']]);
    expect(sp(vault, ['retention', 'expiring', '--within', '40d', '--keep-last', '1']).stdout).toMatch(/2 versions would be archived/);
    expect(sp(vault, ['retention', 'expiring', '--within', 'soon']).code).toBe(2);
  });

  it('retention.auto applies the policy after each save; a failing retention never fails the save', async () => {
    const vault = path.join(root, 'v3');
    expect(sp(root, ['init', 'v3']).code).toBe(0);
    const cfgFile = path.join(vault, 'savepoint.json');
    const cfg = JSON.parse(await fsp.readFile(cfgFile, 'utf8'));
    await fsp.writeFile(cfgFile, JSON.stringify({ ...cfg, retention: { keepLast: 2, auto: true } }, null, 2));
    for (let i = 1; i <= 4; i++) {
      await fsp.writeFile(path.join(vault, 'a.csv'), rows(i));
      const r = sp(vault, ['save', 'a.csv', '--json']);
      expect(r.code).toBe(0);
      if (i >= 3) expect(r.json.retention).toMatchObject({ ok: true, archived: 1 });
    }
    expect(sp(vault, ['log', 'a.csv', '--json']).json.versions.map((v: any) => [v.version, v.status])).toEqual([
      [4, 'active'],
      [3, 'active'],
      [2, 'archived'],
      [1, 'archived'],
    ]);
    fsckClean(vault);

    // archive location that cannot be created: the save still succeeds, with a warning
    await fsp.writeFile(cfgFile, JSON.stringify({ ...cfg, archiveLocation: 'savepoint.json/archive', retention: { keepLast: 1, auto: true } }, null, 2));
    await fsp.writeFile(path.join(vault, 'a.csv'), rows(5));
    const r = sp(vault, ['save', 'a.csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/saved\s+a\.csv@5/);
    expect(r.stderr).toMatch(/warning: after-save step "retention" failed \[E_.*the save itself succeeded/);
    fsckClean(vault);
  });
});
