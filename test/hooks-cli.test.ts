/** `savepoint hooks install` from the main CLI, then real `git commit`s through the installed hook. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BIN, CLI_ENV, git, snapshot, sp, tempDir } from './helpers/cli.js';

let root: string;
let repo: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await tempDir();
  repo = path.join(root, 'code');
  // the hook calls `savepoint`, as it would for a user who installed the CLI
  const bin = path.join(root, 'bin');
  await fsp.mkdir(bin);
  await fsp.writeFile(path.join(bin, 'savepoint'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  env = { ...CLI_ENV, PATH: `${bin}:${process.env.PATH}` } as Record<string, string>;
  await fsp.mkdir(repo);
  git(repo, ['init', '-q', '-b', 'main']);
  await fsp.writeFile(path.join(repo, 'README.md'), 'code\n');
  git(repo, ['add', 'README.md']);
  git(repo, ['commit', '-qm', 'start']);
});
afterAll(async () => fsp.rm(root, { recursive: true, force: true }));

function commit(message: string) {
  return spawnSync('git', ['commit', '-qm', message], { cwd: repo, env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('savepoint hooks', () => {
  it('installs, blocks a malformed CSV leaving everything as it was, lets a good one land with checksums.txt, uninstalls', async () => {
    const inst = sp(repo, ['hooks', 'install', '--json'], { env });
    expect(inst.code).toBe(0);
    expect(inst.json).toMatchObject({ mode: 'plain', changed: true });
    expect(await fsp.readFile(path.join(repo, '.git/hooks/pre-commit'), 'utf8')).toContain('savepoint hooks check --stdin0');
    expect(sp(repo, ['hooks', 'install', '--json'], { env }).json.changed).toBe(false);

    await fsp.writeFile(path.join(repo, 'bad.csv'), 'a,b\n1,2,3\n');
    git(repo, ['add', 'bad.csv']);
    // git itself writes COMMIT_EDITMSG and a cache-tree before hooks run; compare what the user sees
    const state = async () => [git(repo, ['rev-parse', 'HEAD']), git(repo, ['ls-files', '-s']), git(repo, ['status', '--porcelain']), await snapshot(path.join(repo, '..', 'code-files'))].join('\n');
    await fsp.cp(repo, path.join(root, 'code-files'), { recursive: true, filter: (src) => !src.includes('/.git') });
    const before = await state();
    const blocked = commit('bad data');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toMatch(/bad\.csv[\s\S]*line 2[\s\S]*--no-verify/);
    await fsp.rm(path.join(root, 'code-files'), { recursive: true });
    await fsp.cp(repo, path.join(root, 'code-files'), { recursive: true, filter: (src) => !src.includes('/.git') });
    expect(await state()).toBe(before);

    await fsp.writeFile(path.join(repo, 'bad.csv'), 'a,b\n1,2\n');
    git(repo, ['add', 'bad.csv']);
    expect(commit('good data').status).toBe(0);
    expect(git(repo, ['show', '--name-only', '--format=', 'HEAD']).split('\n').sort()).toEqual(['', 'bad.csv', 'checksums.txt']);
    expect(spawnSync('sha256sum', ['-c', 'checksums.txt'], { cwd: repo, encoding: 'utf8' }).stdout).toBe('bad.csv: OK\n');

    expect(sp(repo, ['hooks', 'uninstall'], { env }).code).toBe(0);
    await expect(fsp.access(path.join(repo, '.git/hooks/pre-commit'))).rejects.toThrow();
  });
});
