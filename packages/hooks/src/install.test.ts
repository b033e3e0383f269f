import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CHECK_COMMAND, cleanupRepos, ensureBuilt, filesInHead, isolateProcessEnv, makeRepo, PKG_DIR, type Repo } from '../test/helpers.js';
import { HOOKS_PACKAGE, HOOKS_RANGE, installHooks, uninstallHooks } from './install.js';

beforeAll(() => {
  isolateProcessEnv();
  ensureBuilt(); // the hook runs the built bin, as a user's hook would
});
afterAll(cleanupRepos);

const GOOD = 'id,temp\n1,20.5\n2,21.0\n';
const BAD = 'id,temp\n1,20.5\n2\n';

function expectBlocked(repo: Repo, stage: () => void, ...mustMention: string[]): void {
  stage();
  // `git commit` itself stores the cache tree (TREE extension) in the index before running hooks;
  // store it first so the byte comparison below measures only what the hook does.
  repo.git('write-tree');
  const head = repo.git('rev-parse', 'HEAD');
  const before = repo.snapshot();
  const r = repo.commit('should be blocked');
  expect(r.status, r.stdout + r.stderr).not.toBe(0);
  for (const m of [...mustMention, 'git commit --no-verify']) expect(r.stderr).toContain(m);
  expect(repo.git('rev-parse', 'HEAD')).toBe(head);
  expect(repo.snapshot()).toEqual(before);
}

const mode = (repo: Repo, rel: string) => (statSync(path.join(repo.dir, rel)).mode & 0o777).toString(8);

describe('plain git hook (no package.json)', () => {
  it('blocks bad commits, lets good ones through with checksums.txt, is idempotent, and uninstalls cleanly', async () => {
    const repo = makeRepo();
    const hooksBefore = readdirSync(path.join(repo.dir, '.git/hooks')).sort();

    const first = await installHooks({ repoDir: repo.dir, command: CHECK_COMMAND });
    expect(first).toMatchObject({ mode: 'plain', changed: true, hookFile: path.join(repo.dir, '.git/hooks/pre-commit') });
    const hook = repo.read('.git/hooks/pre-commit');
    expect(hook.startsWith('#!/bin/sh\n')).toBe(true);
    expect(hook).toContain(`git diff --cached --name-only --diff-filter=ACM -z | ${CHECK_COMMAND} --stdin0`);
    expect(mode(repo, '.git/hooks/pre-commit')).toBe('755');
    const state = repo.read('.git/savepoint-hooks.json');

    const second = await installHooks({ repoDir: repo.dir, command: CHECK_COMMAND });
    expect(second).toMatchObject({ mode: 'plain', changed: false, changes: [] });
    expect(repo.read('.git/hooks/pre-commit')).toBe(hook);
    expect(repo.read('.git/savepoint-hooks.json')).toBe(state);

    // malformed CSV: blocked, nothing changes
    expectBlocked(repo, () => {
      repo.write('data/obs.csv', BAD);
      repo.git('add', 'data/obs.csv');
    }, 'data/obs.csv', 'line 3');

    // fixed: the commit lands with checksums.txt in the same commit
    repo.write('data/obs.csv', GOOD);
    repo.git('add', 'data/obs.csv');
    const ok = repo.commit('add observations');
    expect(ok.status, ok.stderr).toBe(0);
    expect(filesInHead(repo)).toEqual(['checksums.txt', 'data/obs.csv']);
    expect(repo.git('show', 'HEAD:checksums.txt')).toMatch(/^[0-9a-f]{64} {2}data\/obs\.csv\n$/);
    expect(repo.run('sha256sum', ['-c', 'checksums.txt']).stdout).toBe('data/obs.csv: OK\n');
    expect(repo.git('status', '--porcelain')).toBe('');

    // a second data commit keeps the first entry
    repo.write('b.tsv', 'a\tb\n1\t2\n');
    repo.git('add', 'b.tsv');
    expect(repo.commit('add b').status).toBe(0);
    expect(repo.git('show', 'HEAD:checksums.txt').split('\n').filter(Boolean).map((l) => l.slice(66))).toEqual(['b.tsv', 'data/obs.csv']);

    // secrets and backups
    expectBlocked(repo, () => {
      repo.write('.env', 'DATABASE_URL=postgres://u:p@h/db\nSECRET_KEY=s3cr3tvalue\n');
      repo.git('add', '.env');
    }, '.env', 'environment file');
    repo.git('rm', '-q', '--cached', '.env');
    expectBlocked(repo, () => {
      repo.write('keys.json', '{"k": "-----BEGIN RSA PRIVATE KEY-----\\nMIIE"}\n');
      repo.git('add', 'keys.json');
    }, 'keys.json', 'private key');
    repo.git('rm', '-q', '--cached', 'keys.json');
    expectBlocked(repo, () => {
      repo.write('backups/x.csv', GOOD);
      repo.git('add', 'backups/x.csv');
    }, 'backups/x.csv', 'backups/');
    repo.git('rm', '-q', '--cached', 'backups/x.csv');

    // partially staged: the staged copy is broken even though the working copy is fine
    expectBlocked(repo, () => {
      repo.write('p.csv', BAD);
      repo.git('add', 'p.csv');
      repo.write('p.csv', GOOD);
    }, 'p.csv');

    // bypass on purpose still works
    expect(repo.commit('on purpose', '--no-verify').status).toBe(0);

    const un = await uninstallHooks({ repoDir: repo.dir });
    expect(un.changed).toBe(true);
    expect(repo.exists('.git/hooks/pre-commit')).toBe(false);
    expect(repo.exists('.git/savepoint-hooks.json')).toBe(false);
    expect(readdirSync(path.join(repo.dir, '.git/hooks')).sort()).toEqual(hooksBefore);
    repo.write('late.csv', BAD);
    repo.git('add', 'late.csv');
    expect(repo.commit('no hook any more').status).toBe(0);
    expect(await uninstallHooks({ repoDir: repo.dir })).toEqual({ changed: false, changes: [], warnings: [] });
  });

  it('keeps an existing pre-commit hook running and restores it byte-for-byte on uninstall', async () => {
    const repo = makeRepo();
    const original = '#!/bin/sh\n# team hook\necho "team hook ran" >> "$(git rev-parse --git-dir)/team-hook.log"\nexit 0\n';
    repo.write('.git/hooks/pre-commit', original, 0o750);

    const res = await installHooks({ repoDir: repo.dir, command: CHECK_COMMAND });
    expect(res.mode).toBe('plain');
    expect(res.warnings.join('\n')).toContain('ends with `exit`');
    const hook = repo.read('.git/hooks/pre-commit');
    expect(hook.startsWith(original.replace('exit 0\n', ''))).toBe(true);
    expect(hook.endsWith('exit 0\n')).toBe(true);

    expectBlocked(repo, () => {
      repo.write('bad.csv', BAD);
      repo.git('add', 'bad.csv');
    }, 'bad.csv');
    repo.write('bad.csv', GOOD);
    repo.git('add', 'bad.csv');
    expect(repo.commit('good').status).toBe(0);
    expect(repo.read('.git/team-hook.log')).toBe('team hook ran\nteam hook ran\n');
    expect(filesInHead(repo)).toEqual(['bad.csv', 'checksums.txt']);

    await uninstallHooks({ repoDir: repo.dir });
    expect(repo.read('.git/hooks/pre-commit')).toBe(original);
    expect(mode(repo, '.git/hooks/pre-commit')).toBe('750');
  });

  it('respects core.hooksPath (also in a repo with a package.json) and removes only what it created', async () => {
    const repo = makeRepo({ packageJson: { name: 'analysis', private: true } });
    repo.git('config', 'core.hooksPath', 'tools/githooks');
    const pkgBefore = repo.read('package.json');

    const res = await installHooks({ repoDir: repo.dir, command: CHECK_COMMAND });
    expect(res.mode).toBe('plain');
    expect(res.hookFile).toBe(path.join(repo.dir, 'tools/githooks/pre-commit'));
    expect(res.warnings.join('\n')).toContain('core.hooksPath');
    expect(repo.exists('.git/hooks/pre-commit')).toBe(false);
    expect(repo.read('package.json')).toBe(pkgBefore);

    expectBlocked(repo, () => {
      repo.write('m.csv', BAD);
      repo.git('add', 'm.csv');
    }, 'm.csv');
    repo.git('rm', '-q', '--cached', 'm.csv');

    await uninstallHooks({ repoDir: repo.dir });
    expect(repo.exists('tools')).toBe(false);
    expect(repo.git('config', 'core.hooksPath').trim()).toBe('tools/githooks');
  });

  it('refuses to append shell lines to a hook written in another language', async () => {
    const repo = makeRepo();
    repo.write('.git/hooks/pre-commit', '#!/usr/bin/env python3\nprint("hi")\n', 0o755);
    await expect(installHooks({ repoDir: repo.dir, command: CHECK_COMMAND })).rejects.toMatchObject({ code: 'E_HOOKS_CONFLICT' });
    expect(repo.read('.git/hooks/pre-commit')).toBe('#!/usr/bin/env python3\nprint("hi")\n');
    expect(repo.exists('.git/savepoint-hooks.json')).toBe(false);
  });
});

describe('husky mode files (no commits)', () => {
  const snapshotOf = (repo: Repo) => ({ ...repo.snapshot().files, state: repo.exists('.git/savepoint-hooks.json') ? repo.read('.git/savepoint-hooks.json') : null });

  it('appends to an existing .husky/pre-commit, is idempotent, and restores every byte on uninstall', async () => {
    const repo = makeRepo({ packageJson: { name: 'x', devDependencies: { typescript: '^5' } } });
    repo.write('package.json', '{\n\t"name": "x",\n\t"devDependencies": { "typescript": "^5" }\n}'); // tabs, no final newline
    repo.write('.husky/pre-commit', 'npm test\n');
    const before = snapshotOf(repo);

    const first = await installHooks({ repoDir: repo.dir });
    expect(first.mode).toBe('husky');
    expect(repo.read('.husky/pre-commit').startsWith('npm test\n# >>> savepoint-hooks >>>\n')).toBe(true);
    const pkg = repo.read('package.json');
    expect(pkg).toContain('\n\t"devDependencies": {\n\t\t"typescript": "^5",\n\t\t"husky": "^9.1.7",\n\t\t"lint-staged": "^16.4.0",\n\t\t"@savepoint/hooks": "^0.1.0"\n\t}');
    expect(pkg.endsWith('}')).toBe(true);
    const installed = snapshotOf(repo);

    const second = await installHooks({ repoDir: repo.dir });
    expect(second.changed).toBe(false);
    expect(snapshotOf(repo)).toEqual(installed);

    await uninstallHooks({ repoDir: repo.dir });
    expect(snapshotOf(repo)).toEqual(before);
  });

  it('adds its entry to a lint-staged config in package.json and does not call lint-staged twice', async () => {
    const repo = makeRepo({ packageJson: { name: 'x', 'lint-staged': { '*.ts': 'eslint --fix' }, devDependencies: { husky: '^9.0.0', 'lint-staged': '^16.0.0' } } });
    repo.write('.husky/pre-commit', 'npx lint-staged\n');
    const before = snapshotOf(repo);
    const res = await installHooks({ repoDir: repo.dir });
    expect(res.warnings.join('\n')).toContain('already runs lint-staged');
    expect(repo.read('.husky/pre-commit')).toBe('npx lint-staged\n');
    expect(repo.exists('.lintstagedrc.json')).toBe(false);
    const pkg = JSON.parse(repo.read('package.json')) as Record<string, Record<string, string>>;
    expect(pkg['lint-staged']).toEqual({ '*.ts': 'eslint --fix', [res.patterns]: 'savepoint-hooks check' });
    // the checker itself, so `savepoint-hooks` is in node_modules/.bin of every clone after `npm install`
    expect(pkg.devDependencies).toEqual({ husky: '^9.0.0', 'lint-staged': '^16.0.0', '@savepoint/hooks': '^0.1.0' });
    expect(pkg.scripts).toEqual({ prepare: 'husky' });
    await uninstallHooks({ repoDir: repo.dir });
    expect(snapshotOf(repo)).toEqual(before);
  });

  it('keeps changes the user made after install, removing only its own entries', async () => {
    const repo = makeRepo({ packageJson: { name: 'x' } });
    await installHooks({ repoDir: repo.dir });
    const pkg = JSON.parse(repo.read('package.json')) as Record<string, Record<string, string>>;
    (pkg.devDependencies as Record<string, string>).vitest = '^4';
    repo.write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
    repo.write('.husky/pre-commit', `${repo.read('.husky/pre-commit')}npm test\n`);
    const un = await uninstallHooks({ repoDir: repo.dir });
    expect(JSON.parse(repo.read('package.json'))).toEqual({ name: 'x', devDependencies: { vitest: '^4' } });
    expect(repo.read('.husky/pre-commit')).toBe('npm test\n');
    expect(un.warnings.join('\n')).toContain('.husky/pre-commit was changed after install');
    expect(repo.exists('.lintstagedrc.json')).toBe(false);
  });

  it('stops before writing anything when lint-staged is configured in a file it cannot edit', async () => {
    const repo = makeRepo({ packageJson: { name: 'x' } });
    repo.write('lint-staged.config.js', 'export default { "*.ts": "eslint" };\n');
    const before = snapshotOf(repo);
    await expect(installHooks({ repoDir: repo.dir })).rejects.toMatchObject({ code: 'E_HOOKS_CONFLICT' });
    expect(snapshotOf(repo)).toEqual(before);
  });

  it('uses a plain hook when husky would hide an existing .git/hooks/pre-commit', async () => {
    const repo = makeRepo({ packageJson: { name: 'x' } });
    repo.write('.git/hooks/pre-commit', '#!/bin/sh\necho mine\n', 0o755);
    const res = await installHooks({ repoDir: repo.dir, command: CHECK_COMMAND });
    expect(res.mode).toBe('plain');
    expect(res.warnings.join('\n')).toContain('husky would stop git running it');
    expect(JSON.parse(repo.read('package.json'))).toEqual({ name: 'x' });
  });

  it('reinstalls cleanly when the command changes', async () => {
    const repo = makeRepo();
    await installHooks({ repoDir: repo.dir, command: 'savepoint-hooks check' });
    await installHooks({ repoDir: repo.dir, command: CHECK_COMMAND });
    const hook = repo.read('.git/hooks/pre-commit');
    expect(hook.match(/# >>> savepoint-hooks >>>/g)).toHaveLength(1);
    expect(hook).toContain(CHECK_COMMAND);
    await uninstallHooks({ repoDir: repo.dir });
    expect(repo.exists('.git/hooks/pre-commit')).toBe(false);
  });

  it('husky mode refuses a command naming this machine\'s paths (the config is committed); a local command only goes into a plain hook', async () => {
    const repo = makeRepo({ packageJson: { name: 'x' } });
    const before = snapshotOf(repo);
    await expect(installHooks({ repoDir: repo.dir, mode: 'husky', command: CHECK_COMMAND })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', details: { path: BIN } });
    await expect(installHooks({ repoDir: repo.dir, mode: 'husky', command: `'${process.execPath}' x.js check` })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', details: { path: process.execPath } });
    expect(snapshotOf(repo)).toEqual(before);
    // what `savepoint hooks install` passes: a local command for plain hooks; husky keeps the portable default
    const husky = await installHooks({ repoDir: repo.dir, mode: 'husky', localCommand: CHECK_COMMAND });
    expect(Object.values(JSON.parse(repo.read('.lintstagedrc.json')) as Record<string, string>)).toEqual(['savepoint-hooks check']);
    expect(husky.nextSteps.join('\n')).toContain('npm install');
    await uninstallHooks({ repoDir: repo.dir });
    expect(snapshotOf(repo)).toEqual(before);
    const plain = makeRepo();
    await installHooks({ repoDir: plain.dir, localCommand: CHECK_COMMAND });
    expect(plain.read('.git/hooks/pre-commit')).toContain(`| ${CHECK_COMMAND} --stdin0`);
  });

  it('HOOKS_RANGE follows this package\'s version', () => {
    const own = JSON.parse(readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8')) as { name: string; version: string };
    expect(own.name).toBe(HOOKS_PACKAGE);
    expect(HOOKS_RANGE).toBe(`^${own.version}`);
  });
});
