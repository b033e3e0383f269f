/**
 * The husky + lint-staged path end to end, the way husky tests itself: a temp repo with a
 * package.json, husky and lint-staged from this monorepo's store, a packed build of this package,
 * real `git commit`. No network: packages are linked, pnpm runs offline. Two commits only (slow).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRepos, ensureBuilt, filesInHead, isolateProcessEnv, makeRepo, ORIGINAL_ENV, PKG_DIR, type Repo } from '../test/helpers.js';
import { installHooks, uninstallHooks } from './install.js';

let tarball = '';

beforeAll(() => {
  ensureBuilt();
  const out = mkdtempSync(path.join(os.tmpdir(), 'sp-hooks-pack-'));
  execFileSync('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', out], {
    cwd: PKG_DIR,
    env: { ...ORIGINAL_ENV, npm_config_offline: 'true' },
    stdio: 'pipe',
  });
  const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('pnpm pack produced no tarball');
  tarball = path.join(out, tgz);
  isolateProcessEnv();
}, 120_000);
afterAll(cleanupRepos);

/** node_modules as `npm install` would leave it: the packed package plus husky and lint-staged. */
function linkNodeModules(repo: Repo): void {
  const nm = path.join(repo.dir, 'node_modules');
  const bin = path.join(nm, '.bin');
  mkdirSync(path.join(nm, '@savepoint'), { recursive: true });
  mkdirSync(bin);
  const unpack = mkdtempSync(path.join(os.tmpdir(), 'sp-hooks-unpack-'));
  execFileSync('tar', ['-xzf', tarball, '-C', unpack]);
  const pkg = path.join(nm, '@savepoint', 'hooks');
  renameSync(path.join(unpack, 'package'), pkg);
  // the packed package's own dependencies (zod, debug, picomatch, @savepoint/diff) from the workspace
  symlinkSync(path.join(PKG_DIR, 'node_modules'), path.join(pkg, 'node_modules'));
  for (const dep of ['husky', 'lint-staged']) symlinkSync(realpathSync(path.join(PKG_DIR, 'node_modules', dep)), path.join(nm, dep));
  const bins: Record<string, string> = {
    husky: '../husky/bin.js',
    'lint-staged': '../lint-staged/bin/lint-staged.js',
    'savepoint-hooks': '../@savepoint/hooks/dist/bin.js',
  };
  for (const [name, target] of Object.entries(bins)) {
    chmodSync(path.resolve(bin, target), 0o755);
    symlinkSync(target, path.join(bin, name));
  }
}

describe('husky + lint-staged', () => {
  it('blocks a malformed CSV and commits a good one with checksums.txt, then uninstalls', async () => {
    const repo = makeRepo({ packageJson: { name: 'lab-analysis', version: '1.0.0', private: true, scripts: { test: 'echo ok' } } });
    repo.write('.gitignore', 'node_modules\n');
    repo.git('add', '.gitignore');
    repo.git('commit', '-q', '-m', 'ignore node_modules');
    const pkgBefore = repo.read('package.json');

    const res = await installHooks({ repoDir: repo.dir });
    expect(res.mode).toBe('husky');
    expect(res.nextSteps.join('\n')).toContain('npm install');
    const pkg = JSON.parse(repo.read('package.json')) as { devDependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.devDependencies).toEqual({ husky: '^9.1.7', 'lint-staged': '^16.4.0', '@savepoint/hooks': '^0.1.0' });
    expect(pkg.scripts).toEqual({ test: 'echo ok', prepare: 'husky' });
    expect(JSON.parse(repo.read('.lintstagedrc.json'))).toEqual({
      '{*.{csv,tsv,json,xlsx,mat,h5,hdf5,db,sqlite,pem,key},.env,.env.*,id_rsa,id_dsa,id_ecdsa,id_ed25519}': 'savepoint-hooks check',
    });
    expect(repo.read('.husky/pre-commit')).toContain('\nnpx lint-staged\n');

    linkNodeModules(repo);
    const husky = repo.run('node_modules/.bin/husky', []); // what "prepare": "husky" runs on npm install
    expect(husky.status, husky.stderr).toBe(0);
    expect(repo.git('config', 'core.hooksPath').trim()).toBe('.husky/_');

    repo.write('data/obs.csv', 'site,value\nA,1\nB\n');
    repo.git('add', '.');
    repo.git('write-tree'); // git commit stores the cache tree itself; see install.test.ts
    const before = repo.snapshot();
    const stagedBefore = repo.git('ls-files', '--stage');
    const head = repo.git('rev-parse', 'HEAD');
    const blocked = repo.commit('add data and hooks');
    const output = blocked.stdout + blocked.stderr;
    expect(blocked.status, output).not.toBe(0);
    expect(output).toContain('data/obs.csv');
    expect(output).toContain('line 3');
    expect(output).toContain('git commit --no-verify');
    expect(repo.git('rev-parse', 'HEAD')).toBe(head);
    // On a failed task lint-staged restores the files from its backup stash: same bytes and modes, new
    // inodes/mtimes, so the index's stat data differs. Entries and contents are compared here; the
    // byte-for-byte index check of our hook alone is in install.test.ts.
    expect(repo.snapshot().files).toEqual(before.files);
    expect(repo.git('ls-files', '--stage')).toBe(stagedBefore);

    repo.write('data/obs.csv', 'site,value\nA,1\nB,2\n');
    repo.git('add', 'data/obs.csv');
    const ok = repo.commit('add data and hooks');
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(filesInHead(repo)).toEqual(['.husky/pre-commit', '.lintstagedrc.json', 'checksums.txt', 'data/obs.csv', 'package.json']);
    expect(repo.git('show', 'HEAD:checksums.txt')).toMatch(/^[0-9a-f]{64} {2}data\/obs\.csv\n$/);
    expect(repo.run('sha256sum', ['-c', 'checksums.txt']).stdout).toBe('data/obs.csv: OK\n');
    expect(repo.git('status', '--porcelain')).toBe('');

    const un = await uninstallHooks({ repoDir: repo.dir });
    expect(un.warnings).toEqual([]);
    expect(repo.read('package.json')).toBe(pkgBefore);
    expect(repo.exists('.lintstagedrc.json')).toBe(false);
    expect(repo.exists('.husky')).toBe(false);
    expect(repo.run('git', ['config', 'core.hooksPath']).status).toBe(1);
  });
});
