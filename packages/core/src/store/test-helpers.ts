/** Shared helpers for store tests: real temp dirs and the real git binary. (Not exported from the package.) */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv } from '../testing/clean-env.js';

export const GIT_ENV = {
  ...cleanEnv(),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: os.tmpdir(),
};

export function git(cwd: string, args: string[], input?: Buffer | string): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, input, maxBuffer: 1 << 30 }).toString();
}

export function gitBuf(cwd: string, args: string[]): Buffer {
  return execFileSync('git', args, { cwd, env: GIT_ENV, maxBuffer: 1 << 30 });
}

export function tempRepo(): { dir: string; gitdir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sp-store-'));
  git(dir, ['init', '-q', '-b', 'main']);
  return { dir, gitdir: path.join(dir, '.git'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic pseudo-random bytes (xorshift) so failures reproduce. */
export function prng(seed: number): (n: number) => Buffer {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      b[i] = s & 0xff;
    }
    return b;
  };
}

/** CSV-like text with `rows` rows; `salt` changes some values. */
export function csv(rows: number, salt = 0, changeEvery = 0): Buffer {
  const lines = ['id,name,value,date,flag'];
  for (let i = 0; i < rows; i++) {
    const changed = changeEvery > 0 && i % changeEvery === salt % changeEvery;
    lines.push(`${i},name_${(i * 7919) % 10007},${(Math.sin(i + (changed ? salt : 0)) * 1e6).toFixed(4)},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 3 ? 'true' : 'false'}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}
