import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanupRepos, ensureBuilt, isolateProcessEnv, makeRepo, TEST_ENV } from '../test/helpers.js';
import { EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, runHooksCli } from './cli.js';

beforeAll(() => {
  isolateProcessEnv();
  ensureBuilt();
});
afterAll(cleanupRepos);

function io(cwd: string, stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      cwd,
      color: false,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

describe('runHooksCli', () => {
  it('check: exit 1 with the file, the reason and the bypass; exit 0 and a summary when fine', async () => {
    const repo = makeRepo();
    repo.write('a.csv', 'x,y\n1\n');
    repo.write('b.csv', 'x,y\n1,2\n');
    repo.git('add', '.');
    const bad = io(repo.dir);
    expect(await runHooksCli(['check', 'a.csv', 'b.csv'], bad.io)).toBe(EXIT_BLOCKED);
    expect(bad.err()).toContain('a.csv');
    expect(bad.err()).toContain('line 2');
    expect(bad.err()).toContain('git commit --no-verify');
    expect(bad.err()).not.toContain('\u001b[');
    const good = io(repo.dir);
    expect(await runHooksCli(['check', '--no-checksums', 'b.csv'], good.io)).toBe(EXIT_OK);
    expect(good.out()).toContain('1 file checked, no problems');
    expect(repo.exists('checksums.txt')).toBe(false);
  });

  it('check --stdin0 reads NUL-separated paths and only looks at hook files', async () => {
    const repo = makeRepo();
    repo.write('a b.csv', 'x,y\n1,2\n');
    repo.write('notes.txt', 'password=hunter2hunter2\n');
    repo.git('add', '.');
    const r = io(repo.dir, 'a b.csv\0notes.txt\0');
    expect(await runHooksCli(['check', '--stdin0', '--json'], r.io)).toBe(EXIT_OK);
    const json = JSON.parse(r.out()) as { ok: boolean; files: { path: string }[]; checksums: { staged: boolean } };
    expect(json.files.map((f) => f.path)).toEqual(['a b.csv']);
    expect(json.checksums.staged).toBe(true);
    const quiet = io(repo.dir, 'notes.txt\0README.md\0');
    expect(await runHooksCli(['check', '--stdin0'], quiet.io)).toBe(EXIT_OK);
    expect(quiet.out() + quiet.err()).toBe('');
  });

  it('usage errors exit 2; --help exits 0; errors carry their code and its exit code', async () => {
    const repo = makeRepo();
    const a = io(repo.dir);
    expect(await runHooksCli(['frobnicate'], a.io)).toBe(EXIT_USAGE);
    expect(a.err()).toContain('unknown command "frobnicate"');
    const b = io(repo.dir);
    expect(await runHooksCli(['check', '--bogus'], b.io)).toBe(EXIT_USAGE);
    const c = io(repo.dir);
    expect(await runHooksCli(['--help'], c.io)).toBe(EXIT_OK);
    expect(c.out()).toContain('savepoint-hooks <command>');
    const d = io('/');
    // errors exit with the savepoint CLI's code for them (3: not a repository, like E_NOT_A_VAULT)
    expect(await runHooksCli(['check', 'x.csv', '--json'], d.io)).toBe(3);
    expect(JSON.parse(d.out())).toMatchObject({ error: { code: 'E_NOT_A_GIT_REPO' } });
  });

  it('install / uninstall through the CLI', async () => {
    const repo = makeRepo();
    const a = io(repo.dir);
    expect(await runHooksCli(['install', '--command', 'savepoint-hooks check'], a.io)).toBe(EXIT_OK);
    expect(a.out()).toContain('installed the pre-commit hook (plain)');
    const b = io(repo.dir);
    expect(await runHooksCli(['install', '--command', 'savepoint-hooks check'], b.io)).toBe(EXIT_OK);
    expect(b.out()).toContain('already installed');
    const c = io(repo.dir);
    expect(await runHooksCli(['uninstall'], c.io)).toBe(EXIT_OK);
    expect(c.out()).toContain('removed');
    expect(repo.exists('.git/hooks/pre-commit')).toBe(false);
  });
});

describe('savepoint-hooks bin', () => {
  it('colours the report only when asked and NO_COLOR is not set', () => {
    const repo = makeRepo();
    repo.write('a.csv', 'x,y\n1\n');
    repo.git('add', 'a.csv');
    const run = (env: Record<string, string>) => {
      const e: Record<string, string | undefined> = { ...process.env, ...TEST_ENV, ...env };
      if (!('NO_COLOR' in env)) delete e.NO_COLOR;
      return spawnSync(process.execPath, [BIN, 'check', 'a.csv'], { cwd: repo.dir, env: e, encoding: 'utf8' });
    };
    const coloured = run({ FORCE_COLOR: '1' });
    expect(coloured.status).toBe(1);
    expect(coloured.stderr).toContain('\u001b[31m');
    const plain = run({ FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(plain.status).toBe(1);
    expect(plain.stderr).not.toContain('\u001b[');
    expect(plain.stderr).toContain('a.csv');
  });
});
