/**
 * The README's test command must pass whatever the caller's environment holds. This runs a representative
 * subset of the suite (core against the real git binary, the e2e CLI, the hooks through real `git commit`,
 * the TUI in a real tmux terminal) in a child vitest whose environment is as hostile as we can make it:
 * colour forced on and off, TERM=dumb, CI set, git pointed at nonexistent repos and indexes, a foreign
 * author and date, and a global gitconfig that signs every commit and tag with a key that does not exist and
 * runs hooks that fail. Each test must set the environment it needs (see packages/core/src/testing/clean-env.ts).
 */
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// each of these failed under this environment before the tests got clean environments (save, hooks-cli,
// tmux); the whole list runs in ~20 s
const SUBSET = [
  'packages/core/src/api/save.test.ts',
  'packages/core/src/util/lock.test.ts',
  'test/hooks-cli.test.ts',
  'apps/tui/src/tmux.test.ts',
];

let home: string;
beforeAll(async () => {
  home = await tempDir();
  const hooks = path.join(home, 'hooks');
  await fsp.mkdir(hooks);
  for (const h of ['pre-commit', 'commit-msg', 'post-commit', 'pre-push', 'reference-transaction']) {
    await fsp.writeFile(path.join(hooks, h), '#!/bin/sh\necho "hostile $0 hook ran" >&2\nexit 1\n', { mode: 0o755 });
  }
  const config = `[user]\n\tname = Mallory\n\temail = mallory@example.invalid\n\tsigningkey = DEADBEEFDEADBEEF\n[commit]\n\tgpgsign = true\n[tag]\n\tgpgsign = true\n\tforceSignAnnotated = true\n[core]\n\thooksPath = ${hooks}\n\tautocrlf = true\n[init]\n\tdefaultBranch = hostile\n[gpg]\n\tprogram = /bin/false\n[color]\n\tui = always\n`;
  await fsp.writeFile(path.join(home, '.gitconfig'), config);
  await fsp.mkdir(path.join(home, '.config', 'git'), { recursive: true });
  await fsp.writeFile(path.join(home, '.config', 'git', 'config'), config);
});
afterAll(() => fsp.rm(home, { recursive: true, force: true }));

describe('hermetic tests', () => {
  it('a representative subset of the suite passes under a hostile environment', () => {
    const hostile: Record<string, string> = {
      NO_COLOR: '1',
      FORCE_COLOR: '3',
      CLICOLOR_FORCE: '1',
      TERM: 'dumb',
      CI: 'true',
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      GIT_DIR: '/nonexistent/hostile.git',
      GIT_WORK_TREE: '/nonexistent/hostile',
      GIT_INDEX_FILE: '/nonexistent/hostile-index',
      GIT_OBJECT_DIRECTORY: '/nonexistent/objects',
      GIT_AUTHOR_NAME: 'Mallory',
      GIT_AUTHOR_EMAIL: 'mallory@example.invalid',
      GIT_AUTHOR_DATE: '1999-01-01T00:00:00Z',
      GIT_COMMITTER_NAME: 'Mallory',
      GIT_COMMITTER_DATE: '1999-01-01T00:00:00Z',
      GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'),
      GIT_CONFIG_PARAMETERS: "'commit.gpgsign'='true'",
      SAVEPOINT_NOW: 'not-a-date',
      HUSKY: '0',
    };
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...hostile };
    // the parent run's own vitest worker variables must not leak into the child run
    for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST' || k === 'NODE_ENV') delete env[k];
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...SUBSET], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 150_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, `vitest under a hostile environment failed:\n${out.slice(-6000)}`).toBe(0);
    expect(out).toMatch(new RegExp(`Test Files\\s+\\S*${SUBSET.length} passed`));
  }, 180_000);
});
