/**
 * Test helper: real temp vaults with a fixed author and a fixed, ticking clock, plus the real `git` binary
 * for cross-checks. Used by core's tests and the e2e suite; not part of the public API.
 */
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initVault, openVault } from '../vault.js';
import { cleanEnv } from './clean-env.js';
import type { Vault } from '../vault.js';
import type { VaultConfigInput } from '../model/config.js';

export const TEST_AUTHOR = { name: 'Ada Tester', email: 'ada@example.test' };
export const TEST_EPOCH = Date.parse('2026-05-01T09:00:00Z');

/** A clock that starts at `start` and advances `stepMs` per call. */
export function fixedClock(start = TEST_EPOCH, stepMs = 60_000): () => Date {
  let n = 0;
  return () => new Date(start + stepMs * n++);
}

export const GIT_ENV = {
  GIT_AUTHOR_NAME: TEST_AUTHOR.name,
  GIT_AUTHOR_EMAIL: TEST_AUTHOR.email,
  GIT_COMMITTER_NAME: TEST_AUTHOR.name,
  GIT_COMMITTER_EMAIL: TEST_AUTHOR.email,
  GIT_AUTHOR_DATE: '2026-05-01T09:00:00Z',
  GIT_COMMITTER_DATE: '2026-05-01T09:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Run the real git binary in `cwd`; returns stdout. */
export function gitCli(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', args, { cwd, env: cleanEnv(GIT_ENV), input, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
}

export async function makeTempDir(prefix = 'sp-test-'): Promise<string> {
  return fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), prefix)));
}

/**
 * Add `count` savepoint notes on unrelated blobs (`unrelated <i>`), so native git fans the notes tree out
 * (ab/cdef…) as it does in a vault with many saves.
 */
export async function addUnrelatedNotes(tv: { git(args: string[], input?: string): string }, count = 300): Promise<void> {
  const blobDir = await makeTempDir('sp-blobs-');
  try {
    const files: string[] = [];
    for (let i = 0; i < count; i++) {
      const f = path.join(blobDir, `b${i}`);
      await fsp.writeFile(f, `unrelated ${i}\n`);
      files.push(f);
    }
    for (const oid of tv.git(['hash-object', '-w', ...files]).trim().split('\n')) tv.git(['notes', '--ref=savepoint', 'add', '-m', `unrelated ${oid}`, oid]);
  } finally {
    await fsp.rm(blobDir, { recursive: true, force: true });
  }
}

export interface TempVault {
  dir: string;
  vault: Vault;
  clock: () => Date;
  /** write a file (relative to the vault) and return its absolute path */
  write(rel: string, content: string | Uint8Array): Promise<string>;
  git(args: string[], input?: string): string;
  /** re-open the vault (fresh caches), as a new process would */
  reopen(): Promise<Vault>;
  cleanup(): Promise<void>;
}

export async function makeTempVault(opts: { config?: VaultConfigInput; existingRepo?: boolean; clock?: () => Date } = {}): Promise<TempVault> {
  const root = await makeTempDir();
  const dir = path.join(root, 'vault');
  await fsp.mkdir(dir);
  const clock = opts.clock ?? fixedClock();
  if (opts.existingRepo) {
    gitCli(dir, ['init', '-q', '-b', 'main']);
    await fsp.writeFile(path.join(dir, 'README.md'), '# code\n');
    gitCli(dir, ['add', 'README.md']);
    gitCli(dir, ['commit', '-q', '-m', 'code']);
  }
  await initVault({ dir, clock, author: TEST_AUTHOR, ...(opts.config ? { config: opts.config } : {}) });
  const open = () => openVault({ dir, clock, author: TEST_AUTHOR });
  const t: TempVault = {
    dir,
    vault: await open(),
    clock,
    async write(rel, content) {
      const abs = path.join(dir, rel);
      await fsp.mkdir(path.dirname(abs), { recursive: true });
      await fsp.writeFile(abs, content);
      return abs;
    },
    git: (args, input) => gitCli(dir, args, input),
    async reopen() {
      t.vault = await open();
      return t.vault;
    },
    cleanup: () => fsp.rm(root, { recursive: true, force: true }),
  };
  return t;
}
