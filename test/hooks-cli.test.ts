/** `savepoint hooks install` from the main CLI, then real `git commit`s through the installed hook. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fsp, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, CLI_ENV, cleanEnv, git, snapshot, sp, tempDir } from './helpers/cli.js';

const HOOKS_PKG = fileURLToPath(new URL('../packages/hooks', import.meta.url));

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
  return spawnSync('git', ['commit', '-qm', message], { cwd: repo, env: cleanEnv(env), encoding: 'utf8' });
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

  it('husky mode writes a command that works on every clone: a fresh clone with its deps installed runs the check', async () => {
    // `savepoint` is NOT on PATH (run as node …/bin.js): the tracked config must still name no local path
    const noSavepoint = (process.env.PATH ?? '').split(':').filter((d) => d && !existsSync(path.join(d, 'savepoint'))).join(':');
    const env2 = { ...CLI_ENV, PATH: noSavepoint } as Record<string, string>;
    const origin = path.join(root, 'team-origin');
    await fsp.mkdir(origin);
    git(origin, ['init', '-q', '-b', 'main']);
    await fsp.writeFile(path.join(origin, 'package.json'), JSON.stringify({ name: 'lab', version: '1.0.0', private: true }, null, 2) + '\n');
    await fsp.writeFile(path.join(origin, '.gitignore'), 'node_modules\n');
    git(origin, ['add', '.']);
    git(origin, ['commit', '-qm', 'start']);
    const inst = sp(origin, ['hooks', 'install', '--mode', 'husky', '--json'], { env: env2 });
    expect(inst.code, inst.stderr).toBe(0);
    expect(inst.json).toMatchObject({ mode: 'husky', changed: true });
    git(origin, ['add', '.']);
    git(origin, ['commit', '-qm', 'pre-commit data checks', '--no-verify']);
    const tracked = git(origin, ['ls-files']).split('\n').filter(Boolean);
    expect(tracked.sort()).toEqual(['.gitignore', '.husky/pre-commit', '.lintstagedrc.json', 'package.json']);
    for (const f of tracked) {
      const text = git(origin, ['show', `HEAD:${f}`]);
      expect(text, f).not.toContain(process.execPath);
      expect(text, f).not.toContain(BIN);
      expect(text, f).not.toContain(root);
      expect(text, f).not.toMatch(/(^|[\s'"])(\/|~\/)/m);
    }
    const rc = JSON.parse(git(origin, ['show', 'HEAD:.lintstagedrc.json'])) as Record<string, string>;
    expect(Object.values(rc)).toEqual(['savepoint-hooks check']);
    expect(JSON.parse(git(origin, ['show', 'HEAD:package.json'])).devDependencies).toMatchObject({ '@savepoint/hooks': '^0.1.0', husky: expect.any(String), 'lint-staged': expect.any(String) });

    // a teammate: clone elsewhere, install the dependencies package.json names (linked from this workspace,
    // offline), run what `npm install`'s "prepare": "husky" runs; the original checkout is gone
    const clone = path.join(root, 'elsewhere', 'lab');
    await fsp.mkdir(path.dirname(clone));
    git(root, ['clone', '-q', origin, clone]);
    await fsp.rm(origin, { recursive: true, force: true });
    const nm = path.join(clone, 'node_modules');
    await fsp.mkdir(path.join(nm, '@savepoint'), { recursive: true });
    await fsp.mkdir(path.join(nm, '.bin'));
    await fsp.symlink(HOOKS_PKG, path.join(nm, '@savepoint', 'hooks'));
    for (const dep of ['husky', 'lint-staged']) await fsp.symlink(realpathSync(path.join(HOOKS_PKG, 'node_modules', dep)), path.join(nm, dep));
    const bins: Record<string, string> = { husky: '../husky/bin.js', 'lint-staged': '../lint-staged/bin/lint-staged.js', 'savepoint-hooks': '../@savepoint/hooks/dist/bin.js' };
    for (const [name, target] of Object.entries(bins)) {
      await fsp.chmod(path.resolve(nm, '.bin', target), 0o755); // as npm does for a package's bin
      await fsp.symlink(target, path.join(nm, '.bin', name));
    }
    const teammate = cleanEnv({ ...CLI_ENV, PATH: noSavepoint });
    const prepare = spawnSync(path.join(nm, '.bin', 'husky'), [], { cwd: clone, env: teammate, encoding: 'utf8' });
    expect(prepare.status, prepare.stderr).toBe(0);
    expect(git(clone, ['config', 'core.hooksPath']).trim()).toBe('.husky/_');

    const commitIn = (message: string) => spawnSync('git', ['commit', '-qm', message], { cwd: clone, env: teammate, encoding: 'utf8' });
    await fsp.writeFile(path.join(clone, 'obs.csv'), 'a,b\n1,2,3\n');
    git(clone, ['add', 'obs.csv']);
    const head = git(clone, ['rev-parse', 'HEAD']);
    const blocked = commitIn('bad data');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/obs\.csv[\s\S]*line 2/);
    expect(git(clone, ['rev-parse', 'HEAD'])).toBe(head);
    await fsp.writeFile(path.join(clone, 'obs.csv'), 'a,b\n1,2\n');
    git(clone, ['add', 'obs.csv']);
    const ok = commitIn('good data');
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(git(clone, ['show', '--name-only', '--format=', 'HEAD']).split('\n').filter(Boolean).sort()).toEqual(['checksums.txt', 'obs.csv']);
  }, 120_000);
});
