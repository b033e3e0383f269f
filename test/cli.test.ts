/** End-to-end: the built `savepoint` CLI against real temp vaults, cross-checked with native git. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, snapshot, sp, tempDir } from './helpers/cli.js';

let root: string;
let vault: string;

beforeAll(async () => {
  root = await tempDir();
  vault = path.join(root, 'vault');
  expect(sp(root, ['init', 'vault']).code).toBe(0);
});
afterAll(async () => fsp.rm(root, { recursive: true, force: true }));

const write = (rel: string, text: string | Buffer) => fsp.mkdir(path.dirname(path.join(vault, rel)), { recursive: true }).then(() => fsp.writeFile(path.join(vault, rel), text));

describe('savepoint CLI, happy path', () => {
  it('saves versions with message, experiment and tag; log/show/status report them', async () => {
    await write('data.csv', 'id,x\n1,10\n2,20\n');
    await write('cfg.json', '{"lr":0.1}');
    const r1 = sp(vault, ['save', 'data.csv', 'cfg.json', '-m', 'first run', '--experiment', 'exp-1', '--json']);
    expect(r1.code).toBe(0);
    expect(r1.json.files.map((f: any) => [f.path, f.version, f.status])).toEqual([['data.csv', 1, 'saved'], ['cfg.json', 1, 'saved']]);
    await write('data.csv', 'id,x\n1,11\n2,20\n3,30\n');
    expect(sp(vault, ['save', 'data.csv', '-m', 'second', '--tag', 'good-run']).stdout).toMatch(/saved\s+data\.csv@2/);
    expect(sp(vault, ['save', 'data.csv']).stdout).toMatch(/unchanged data\.csv@2/);

    const log = sp(vault, ['log', '--json']);
    expect(log.json.versions.map((v: any) => `${v.path}@${v.version}`)).toEqual(['data.csv@2', 'cfg.json@1', 'data.csv@1']);
    expect(sp(vault, ['log', 'data.csv', '--limit', '1', '--json']).json.versions).toHaveLength(1);
    const show = sp(vault, ['show', 'data.csv@good-run', '--json']).json.version;
    expect(show).toMatchObject({ version: 2, tags: ['good-run'], summary: 'second', status: 'active' });
    expect(sp(vault, ['show', 'data.csv@1']).stdout).toMatch(/experiment\s+exp-1/);
    expect(sp(vault, ['status', '--json']).json.files.map((f: any) => [f.path, f.state])).toEqual([['cfg.json', 'unchanged'], ['data.csv', 'unchanged']]);

    // native git sees exactly what we wrote
    git(vault, ['fsck', '--strict']);
    expect(git(vault, ['log', '--format=%s', 'main'])).toBe('second\nfirst run\nInitialize Savepoint vault\n');
    expect(git(vault, ['log', '-1', '--format=%B', 'main'])).toMatch(/Savepoint-Version: data\.csv=2\nSavepoint-Sha256: data\.csv=[0-9a-f]{64}/);
    expect(JSON.parse(git(vault, ['notes', '--ref=savepoint', 'show', 'main'])).files['data.csv']).toMatchObject({ version: 2, source: 'cli', savedAt: expect.stringMatching(/^2026-05-01T09:00:0/) });
    expect(git(vault, ['tag', '-n'])).toMatch(/good-run/);
    expect(git(vault, ['status', '--porcelain'])).toBe('');
  });

  it('restores a version, checks it, and exports checksums that sha256sum -c accepts', async () => {
    const r = sp(vault, ['restore', 'data.csv@1', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ status: 'restored', version: 1 });
    expect(await fsp.readFile(path.join(vault, 'data.csv'), 'utf8')).toBe('id,x\n1,10\n2,20\n');
    // the restore is recorded as data.csv@3 (v1's content): the file equals its latest version
    expect(r.json.recorded).toMatchObject({ path: 'data.csv', version: 3 });
    expect(sp(vault, ['status', '--json']).json.files.find((f: any) => f.path === 'data.csv')).toMatchObject({ state: 'unchanged', latestVersion: 3 });
    expect(sp(vault, ['restore', 'data.csv@2']).stdout).toContain('Recorded as data.csv@4');
    const v = sp(vault, ['verify', '--json']);
    expect(v.code).toBe(0);
    expect(v.json).toMatchObject({ ok: true, verified: 5, corrupted: 0, missing: 0, mode: 'full' });
    // --quick (through the bundled CLI: versions hashed in worker threads) and what each mode proves
    const q = sp(vault, ['verify', '--quick', '--json']);
    expect(q.code).toBe(0);
    expect(q.json).toMatchObject({ ok: true, verified: 5, mode: 'quick', packs: [] });
    const help = sp(vault, ['verify', '--help']).stdout;
    expect(help).toContain('--quick');
    expect(help).toMatch(/What each mode proves/);
    expect(sp(vault, ['export']).code).toBe(0);
    expect(execFileSync('sha256sum', ['-c', 'checksums.txt'], { cwd: vault, encoding: 'utf8' })).toBe('cfg.json: OK\ndata.csv: OK\n');
    const m = JSON.parse(await fsp.readFile(path.join(vault, 'manifest.json'), 'utf8'));
    expect(m.files).toHaveLength(5);
    expect(sp(vault, ['cat', 'data.csv@1']).stdout).toBe('id,x\n1,10\n2,20\n');
  });

  it('still lists, restores and verifies after native git gc --aggressive', async () => {
    git(vault, ['gc', '--aggressive', '--prune=now', '-q']);
    expect(sp(vault, ['log', '--json']).json.versions).toHaveLength(5);
    expect(sp(vault, ['cat', 'data.csv@1']).stdout).toBe('id,x\n1,10\n2,20\n');
    expect(sp(vault, ['verify']).code).toBe(0);
  });
});

describe('savepoint CLI, bad input leaves everything as it was', () => {
  const cases: [string, string[], string, number][] = [
    ['missing file', ['save', 'nope.csv'], 'E_FILE_NOT_FOUND', 5],
    ['a directory', ['save', 'dir'], 'E_NOT_A_FILE', 6],
    ['../ path', ['save', '../outside.csv'], 'E_PATH_OUTSIDE_VAULT', 7],
    ['absolute path outside', ['save', '/etc/hostname'], 'E_PATH_OUTSIDE_VAULT', 7],
    ['symlink out of the vault', ['save', 'link.csv'], 'E_PATH_OUTSIDE_VAULT', 7],
    ['unknown version', ['restore', 'data.csv@99'], 'E_UNKNOWN_VERSION', 8],
    ['bad address', ['show', 'data.csv@no-such-tag'], 'E_BAD_ADDRESS', 8],
    ['untracked file', ['log', 'never-saved.csv'], 'E_NOT_TRACKED', 8],
    ['restore outside', ['restore', 'data.csv@1', '--to', '../x.csv'], 'E_PATH_OUTSIDE_VAULT', 7],
    ['bad tag name', ['tag', 'data.csv@1', 'bad name'], 'E_BAD_TAG_NAME', 12],
    ['bad --keep', ['save', 'data.csv', '--keep', 'forever'], 'E_INVALID_ARGUMENT', 2],
    ['inside .git', ['save', '.git/config'], 'E_INVALID_ARGUMENT', 2],
    ['a name that is not UTF-8', ['save', 'caf\uFFFD.csv'], 'E_INVALID_ARGUMENT', 2],
  ];

  beforeAll(async () => {
    await fsp.mkdir(path.join(vault, 'dir'), { recursive: true });
    await fsp.writeFile(path.join(root, 'outside.csv'), 'secret');
    await fsp.symlink(path.join(root, 'outside.csv'), path.join(vault, 'link.csv'));
    await fsp.writeFile(Buffer.from(`${vault}/caf\xe9.csv`, 'latin1'), 'a\n1\n');
  });

  it('status lists a file whose name is not UTF-8 as unsupported instead of failing', () => {
    const r = sp(vault, ['status', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.files.find((f: any) => f.state === 'unsupported')).toMatchObject({ path: 'caf\uFFFD.csv' });
  });

  it.each(cases)('%s → %s', async (_name, args, code, exit) => {
    const before = await snapshot(vault);
    const r = sp(vault, [...args, '--json']);
    expect(r.json?.error?.code).toBe(code);
    expect(r.code).toBe(exit);
    expect(r.json.error.message.length).toBeGreaterThan(20);
    const human = sp(vault, args);
    expect(human.stderr).toContain(`[${code}]`);
    expect(await snapshot(vault)).toBe(before);
  });

  it('not a vault', async () => {
    const r = sp(root, ['log', '--json']);
    expect(r).toMatchObject({ code: 3, json: { ok: false, error: { code: 'E_NOT_A_VAULT' } } });
    expect(sp(root, ['status']).stderr).toMatch(/savepoint init/);
  });

  it('malformed savepoint.json names the key and changes nothing', async () => {
    const cfg = path.join(vault, 'savepoint.json');
    const good = await fsp.readFile(cfg, 'utf8');
    try {
      await fsp.writeFile(cfg, JSON.stringify({ ...JSON.parse(good), maxVersion: 5 }));
      const before = await snapshot(vault);
      const r = sp(vault, ['save', 'data.csv', '--json']);
      expect(r).toMatchObject({ code: 4, json: { error: { code: 'E_CONFIG_INVALID' } } });
      expect(r.json.error.message).toContain('"maxVersion"');
      expect(await snapshot(vault)).toBe(before);
      await fsp.writeFile(cfg, '{ not json');
      expect(sp(vault, ['log', '--json']).json.error.code).toBe('E_CONFIG_INVALID');
    } finally {
      await fsp.writeFile(cfg, good);
    }
  });

  it('usage errors exit 2', () => {
    expect(sp(vault, ['save']).code).toBe(2);
    expect(sp(vault, ['frobnicate', '--json']).json.error.code).toBe('E_USAGE');
  });

  it('a corrupted object fails verify with a distinct exit code and names the version', async () => {
    const blob = git(vault, ['rev-parse', 'main~1:data.csv']).trim();
    // after gc the object is packed; a loose copy takes precedence, so plant a damaged loose one
    const objects = path.join(vault, '.git', 'objects');
    const loose = path.join(objects, blob.slice(0, 2), blob.slice(2));
    const content = git(vault, ['cat-file', 'blob', blob]);
    const zlib = await import('node:zlib');
    await fsp.mkdir(path.dirname(loose), { recursive: true });
    const bad = Buffer.from(`blob ${content.length}\0${content.replace('10', '99')}`);
    await fsp.writeFile(loose, zlib.deflateSync(bad));
    // the packed copy is intact: like git, reads fall back to it, and verify still reports the damaged copy
    const r = sp(vault, ['verify', '--json']);
    expect(r.code).toBe(10);
    expect(r.json).toMatchObject({ ok: false, corrupted: 0 });
    // v1 and v3 (the recorded restore of v1) share that object: both name the damaged copy
    expect(r.json.items.filter((i: any) => i.damagedCopies).map((i: any) => `${i.path}@${i.version}`).sort()).toEqual(['data.csv@1', 'data.csv@3']);
    expect(r.json.items.find((i: any) => i.damagedCopies && i.version === 1)).toMatchObject({ path: 'data.csv', version: 1, status: 'verified', damagedCopies: [{ location: loose }] });
    expect(sp(vault, ['verify']).stdout).toContain(`damaged   a copy of data.csv@1 in ${loose}`);
    expect(sp(vault, ['restore', 'data.csv@1', '--to', 'copy.csv']).code).toBe(0);
    expect(await fsp.readFile(path.join(vault, 'copy.csv'), 'utf8')).toBe(content);
    await fsp.rm(path.join(vault, 'copy.csv'));
    // with no intact copy left, restore refuses and changes nothing
    const packDir = path.join(objects, 'pack');
    const moved = path.join(vault, 'packs-away');
    await fsp.rename(packDir, moved);
    const restoreBefore = await snapshot(vault);
    expect(sp(vault, ['restore', 'data.csv@1', '--json']).json.error.code).toMatch(/E_CHECKSUM_MISMATCH|E_OBJECT_CORRUPT/);
    expect(await snapshot(vault)).toBe(restoreBefore);
    await fsp.rename(moved, packDir);
    await fsp.rm(loose);
    expect(sp(vault, ['verify']).code).toBe(0);
  });
});

describe('savepoint CLI in an existing code repository', () => {
  it('uses the savepoint branch and never touches HEAD, index or working files', async () => {
    const repo = path.join(root, 'code');
    await fsp.mkdir(repo);
    git(repo, ['init', '-q', '-b', 'main']);
    await fsp.writeFile(path.join(repo, 'app.py'), 'print(1)\n');
    git(repo, ['add', 'app.py']);
    git(repo, ['commit', '-qm', 'code']);
    await fsp.writeFile(path.join(repo, 'staged.txt'), 'wip\n');
    git(repo, ['add', 'staged.txt']);
    const head = git(repo, ['rev-parse', 'HEAD']);
    const index = await fsp.readFile(path.join(repo, '.git/index'));
    expect(sp(repo, ['init', '--json']).json).toMatchObject({ branch: 'savepoint', existingRepo: true });
    await fsp.writeFile(path.join(repo, 'results.csv'), 'a,b\n1,2\n');
    expect(sp(repo, ['save', 'results.csv']).code).toBe(0);
    expect(git(repo, ['rev-parse', 'HEAD'])).toBe(head);
    expect(await fsp.readFile(path.join(repo, '.git/index'))).toEqual(index);
    expect(git(repo, ['ls-tree', '-r', '--name-only', 'savepoint'])).toBe('results.csv\n');
    expect(git(repo, ['diff', '--cached', '--name-only'])).toBe('staged.txt\n');
    git(repo, ['fsck', '--strict']);
  });
});
