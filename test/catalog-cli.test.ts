/** The catalog through the bundled CLI (issue 14 item 3): log --experiment, experiments, find, reindex, all with --json. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';
import { readOnlyRunner } from './helpers/read-only.js';

let root: string;
let vault: string;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  root = await tempDir();
  vault = path.join(root, 'lab');
  expect(sp(root, ['init', 'lab']).code).toBe(0);
  const put = (f: string, c: string) => fsp.writeFile(path.join(vault, f), c);
  await put('a.csv', 'id,x\n1,1\n');
  expect(sp(vault, ['save', 'a.csv', '--experiment', 'EXP-7', '-m', 'first run']).code).toBe(0);
  await put('b.csv', 'id,y\n1,1\n');
  expect(sp(vault, ['save', 'b.csv', '--experiment', 'EXP-7'], { env: { SAVEPOINT_NOW: '2026-05-02T09:00:00Z' } }).code).toBe(0);
  await put('a.csv', 'id,x\n1,2\n');
  expect(sp(vault, ['save', 'a.csv', '--experiment', 'EXP-8'], { env: { SAVEPOINT_NOW: '2026-05-03T09:00:00Z' } }).code).toBe(0);
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe('catalog queries through the CLI', () => {
  it('log --experiment lists that experiment only; an unknown id is E_UNKNOWN_EXPERIMENT (exit 8)', () => {
    const r = sp(vault, ['log', '--experiment', 'EXP-7', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.versions.map((v: { path: string; version: number }) => `${v.path}@${v.version}`)).toEqual(['b.csv@1', 'a.csv@1']);
    const t = sp(vault, ['log', '--experiment', 'EXP-7']);
    expect(t.stdout).toContain('first run {EXP-7}');
    const bad = sp(vault, ['log', '--experiment', 'EXP-9', '--json']);
    expect(bad.code).toBe(8);
    expect(bad.json).toMatchObject({ ok: false, error: { code: 'E_UNKNOWN_EXPERIMENT' } });
    expect(bad.json.error.message).toContain('EXP-7');
  });

  it('experiments: files, versions, first and last save', () => {
    const r = sp(vault, ['experiments', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.experiments).toEqual([
      { experiment: 'EXP-7', files: ['a.csv', 'b.csv'], versions: 2, firstSavedAt: expect.stringMatching(/^\d{4}-/), lastSavedAt: expect.stringMatching(/^\d{4}-/) },
      { experiment: 'EXP-8', files: ['a.csv'], versions: 1, firstSavedAt: expect.any(String), lastSavedAt: expect.any(String) },
    ]);
    expect(r.json.experiments[0].firstSavedAt <= r.json.experiments[0].lastSavedAt).toBe(true);
    expect(sp(vault, ['experiments']).stdout).toMatch(/^EXP-7 {2}2 versions of 2 files/m);
  });

  it('find --sha256 / --since / --until / --kind, and bad filters exit 2', () => {
    const r = sp(vault, ['find', '--sha256', sha('id,x\n1,1\n'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.versions.map((v: { path: string; version: number }) => `${v.path}@${v.version}`)).toEqual(['a.csv@1']);
    const ids = (args: string[]) => sp(vault, ['find', ...args, '--json']).json.versions.map((v: { path: string; version: number }) => `${v.path}@${v.version}`);
    expect(ids(['--since', '2026-05-02'])).toEqual(['a.csv@2', 'b.csv@1']);
    expect(ids(['--until', '2026-05-01'])).toEqual(['a.csv@1']);
    expect(ids(['--since', '2026-05-02T00:00Z', '--until', '2026-05-02T23:00Z'])).toEqual(['b.csv@1']);
    expect(ids(['--since', '2026-05-01', '--experiment', 'EXP-7'])).toEqual(['b.csv@1', 'a.csv@1']);
    expect(sp(vault, ['find', '--kind', 'manual', '--json']).json.versions).toHaveLength(3);
    expect(sp(vault, ['find', '--kind', 'auto', '--json']).json.versions).toHaveLength(0);
    expect(sp(vault, ['find', '--since', '2999-01-01']).stdout).toContain('No version matches');
    for (const args of [['--sha256', 'xyz'], ['--since', 'soon'], ['--kind', 'nightly'], []]) {
      const bad = sp(vault, ['find', ...args, '--json']);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.json).toMatchObject({ ok: false, error: { code: 'E_INVALID_ARGUMENT' } });
    }
  });

  it('reindex rebuilds the catalog from git; a deleted or garbage catalog is rebuilt on the next read', async () => {
    const file = path.join(vault, '.git/savepoint/catalog.db');
    const before = sp(vault, ['log', '--json']).json;
    const r = sp(vault, ['reindex', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, saves: 3, versions: 3, persistent: true });
    expect(sp(vault, ['log', '--json']).json).toEqual(before);
    await fsp.writeFile(file, 'garbage'.repeat(1000));
    expect(sp(vault, ['log', '--json']).json).toEqual(before);
    await fsp.rm(file);
    expect(sp(vault, ['status', '--json']).json.files.map((f: { path: string; versions: number }) => [f.path, f.versions])).toEqual([
      ['a.csv', 2],
      ['b.csv', 1],
    ]);
    // a save that git made behind the catalog's back (another tool moved the branch): caught up
    const tip = git(vault, ['rev-parse', 'main']).trim();
    git(vault, ['update-ref', 'refs/heads/main', `${tip}~1`, tip]);
    expect(sp(vault, ['log', '--json']).json.versions).toHaveLength(2);
    git(vault, ['update-ref', 'refs/heads/main', tip]);
    expect(sp(vault, ['log', '--json']).json).toEqual(before);
  });

  it('on read-only media a stale catalog is not trusted: history is read in memory, queries still answer', async (ctx) => {
    // the catalog reflects three saves; then the branch moves behind its back and the vault goes read-only
    expect(sp(vault, ['log', '--json']).json.versions).toHaveLength(3);
    const tip = git(vault, ['rev-parse', 'main']).trim();
    git(vault, ['update-ref', 'refs/heads/main', `${tip}~1`, tip]);
    const ro = await readOnlyRunner(vault);
    if ('reason' in ro) {
      git(vault, ['update-ref', 'refs/heads/main', tip]);
      return ctx.skip();
    }
    try {
      const r = ro.run(vault, ['log', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.versions.map((v: { path: string; version: number }) => `${v.path}@${v.version}`)).toEqual(['b.csv@1', 'a.csv@1']);
      expect(ro.run(vault, ['experiments', '--json']).json.experiments.map((e: { experiment: string }) => e.experiment)).toEqual(['EXP-7']);
      expect(ro.run(vault, ['find', '--kind', 'manual', '--json']).json.versions).toHaveLength(2);
      expect(ro.run(vault, ['log', '--experiment', 'EXP-8', '--json']).code).toBe(8);
      expect(ro.run(vault, ['status', '--json']).code).toBe(0);
    } finally {
      await ro.release();
      git(vault, ['update-ref', 'refs/heads/main', tip]);
    }
  });
});
