/**
 * Real temp git repos for the hooks tests: fixed user and dates, no global/system git config,
 * the real `git` binary. Not part of the package build (outside src/).
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MONOREPO = path.resolve(PKG_DIR, '../..');
export const BIN = path.join(PKG_DIR, 'dist', 'bin.js');
/** What the plain hook runs in tests: the built bin of this package. */
export const CHECK_COMMAND = `node ${BIN} check`;

/** The environment before isolateProcessEnv (npx needs the real HOME for its offline cache). */
export const ORIGINAL_ENV: Record<string, string | undefined> = { ...process.env };

const HOME = mkdtempSync(path.join(os.tmpdir(), 'sp-hooks-home-'));

/** Environment for every git call (and, via process.env, for the library's own git calls). */
export const TEST_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Ada Tester',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Tester',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z',
  GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME,
  XDG_CONFIG_HOME: path.join(HOME, '.config'),
  NO_COLOR: '1',
};

/** Make the library's in-process git calls see the same isolated configuration. */
export function isolateProcessEnv(): void {
  Object.assign(process.env, TEST_ENV);
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'HUSKY', 'FORCE_COLOR']) delete process.env[k];
}

export interface Repo {
  dir: string;
  git(...args: string[]): string;
  run(cmd: string, args: string[], opts?: { input?: string | Buffer; env?: Record<string, string> }): SpawnSyncReturns<string>;
  commit(message: string, ...extra: string[]): SpawnSyncReturns<string>;
  write(rel: string, content: string | Buffer, mode?: number): void;
  read(rel: string): string;
  exists(rel: string): boolean;
  snapshot(): Snapshot;
}

export interface Snapshot {
  index: string;
  files: Record<string, string>;
}

const dirs: string[] = [];
export function cleanupRepos(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

const OLD = new Date('2025-06-01T00:00:00Z');

export function makeRepo(opts: { packageJson?: object } = {}): Repo {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sp-hooks-repo-'));
  dirs.push(dir);
  const env = { ...process.env, ...TEST_ENV };
  const repo: Repo = {
    dir,
    git: (...args) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }),
    run: (cmd, args, o = {}) =>
      spawnSync(cmd, args, { cwd: dir, env: { ...env, ...o.env }, encoding: 'utf8', ...(o.input !== undefined ? { input: o.input } : {}) }),
    commit: (message, ...extra) => repo.run('git', ['commit', '-m', message, ...extra]),
    write: (rel, content, mode) => {
      const file = path.join(dir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      if (mode !== undefined) chmodSync(file, mode);
      // An mtime well in the past keeps the index from being "racily clean", so git never rewrites
      // it just to refresh stat data and byte-for-byte index comparisons stay meaningful.
      utimesSync(file, OLD, OLD);
    },
    read: (rel) => readFileSync(path.join(dir, rel), 'utf8'),
    exists: (rel) => existsSync(path.join(dir, rel)),
    snapshot: () => ({ index: sha(readFileSync(path.join(dir, '.git', 'index'))), files: walk(dir) }),
  };
  repo.git('init', '-q', '-b', 'main');
  if (opts.packageJson) repo.write('package.json', `${JSON.stringify(opts.packageJson, null, 2)}\n`);
  repo.write('README.md', '# test\n');
  repo.git('add', '.');
  repo.git('commit', '-q', '-m', 'initial');
  return repo;
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function walk(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(path.join(root, rel)).sort()) {
    if (rel === '' && name === '.git') continue;
    const r = rel ? `${rel}/${name}` : name;
    const st = statSync(path.join(root, r));
    if (st.isDirectory()) Object.assign(out, walk(root, r));
    else out[r] = `${sha(readFileSync(path.join(root, r)))} ${(st.mode & 0o777).toString(8)}`;
  }
  return out;
}

/** Build this package (and @savepoint/diff) with `tsc -b`, once per test run, serialised across workers. */
export function ensureBuilt(): void {
  const lockDir = path.join(os.tmpdir(), 'savepoint-hooks-build.lock');
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      if (i > 600) throw new Error(`build lock ${lockDir} held too long`);
      spawnSync('sleep', ['0.2']);
    }
  }
  try {
    const r = spawnSync(path.join(MONOREPO, 'node_modules', '.bin', 'tsc'), ['-b', 'packages/hooks'], { cwd: MONOREPO, encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(BIN)) throw new Error(`tsc -b packages/hooks failed:\n${r.stdout}${r.stderr}`);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Paths changed in HEAD's commit. */
export function filesInHead(repo: Repo): string[] {
  return repo.git('show', '--name-only', '--format=', 'HEAD').split('\n').filter(Boolean).sort();
}
