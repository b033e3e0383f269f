/**
 * The built CLI's remote commands against a real smart-HTTP git server: remote add/list/remove, push, fetch,
 * pull, clone, status --copies, auto-push with its queue, credentials from env and from a git credential
 * helper — and the password in no output at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';
import type { RunResult } from './helpers/cli.js';
import { startGitHttpServer } from './helpers/git-http-server.js';
import type { GitHttpServer } from './helpers/git-http-server.js';

const PASSWORD = 'cli-pw-4471-secret';
const TOKEN = 'tok-9f3e-secret';
const AUTH = { SAVEPOINT_USERNAME: 'tester', SAVEPOINT_PASSWORD: PASSWORD, SAVEPOINT_NO_CREDENTIAL_HELPER: '1' };

let server: GitHttpServer;
let root: string;
let vault: string;
const outputs: RunResult[] = [];

function run(cwd: string, args: string[], env: Record<string, string> = AUTH): RunResult {
  const r = sp(cwd, args, { env });
  outputs.push(r);
  return r;
}

beforeAll(async () => {
  server = await startGitHttpServer({ users: { tester: PASSWORD, 'x-access-token': TOKEN } });
  root = await tempDir();
  vault = path.join(root, 'vault');
  expect(run(root, ['init', 'vault']).code).toBe(0);
  await fsp.writeFile(path.join(vault, 'data.csv'), 'id,x\n1,1\n');
  expect(run(vault, ['save', 'data.csv', '-m', 'one']).code).toBe(0);
  await fsp.writeFile(path.join(vault, 'data.csv'), 'id,x\n1,1\n2,2\n');
  expect(run(vault, ['save', 'data.csv', '-m', 'two', '--tag', 'best']).code).toBe(0);
});
afterAll(async () => {
  await server.stop({ removeRoot: true });
  await fsp.rm(root, { recursive: true, force: true });
});

describe('savepoint remote / push / clone', () => {
  it('adds, lists and pushes; native git sees branch, tag and notes', async () => {
    await server.createBareRepo('main-remote');
    const add = run(vault, ['remote', 'add', 'origin', server.url('main-remote'), '--media', 'cloud', '--json']);
    expect(add.code).toBe(0);
    expect(add.json.remote).toMatchObject({ name: 'origin', media: 'cloud', offsite: true });
    expect(run(vault, ['remote', 'add', 'origin', server.url('x')]).code).toBe(15);
    const list = run(vault, ['remote', 'list', '--json']);
    expect(list.json.remotes.map((r: { name: string }) => r.name)).toEqual(['origin']);
    const push = run(vault, ['push', '--json']);
    expect(push.code).toBe(0);
    expect(push.json.results[0].result.tags.pushed).toEqual(['best']);
    const bare = path.join(server.root, 'main-remote.git');
    expect(git(bare, ['log', '--format=%s', 'main']).trim().split('\n')).toEqual(['two', 'one', 'Initialize Savepoint vault']);
    expect(git(bare, ['tag']).trim()).toBe('best');
    expect(JSON.parse(git(bare, ['notes', '--ref=savepoint', 'show', 'main'])).files['data.csv'].version).toBe(2);
    expect(run(vault, ['push']).stdout).toMatch(/up to date origin/);
  });

  it('clones with a token, then restores and verifies every version', async () => {
    const r = run(root, ['clone', server.url('main-remote'), 'copy', '--json'], { SAVEPOINT_TOKEN: TOKEN, SAVEPOINT_NO_CREDENTIAL_HELPER: '1' });
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ branch: 'main', versions: 2, notes: true });
    const copy = path.join(root, 'copy');
    const v = run(copy, ['verify', '--json']);
    expect(v.code).toBe(0);
    expect(v.json.verified).toBe(2);
    expect(run(copy, ['restore', 'data.csv@1', '--to', 'old.csv']).code).toBe(0);
    expect(await fsp.readFile(path.join(copy, 'old.csv'), 'utf8')).toBe('id,x\n1,1\n');
    // pull picks up a new save pushed from the first vault
    await fsp.writeFile(path.join(vault, 'data.csv'), 'id,x\n3,3\n');
    expect(run(vault, ['save', 'data.csv', '-m', 'three']).code).toBe(0);
    expect(run(vault, ['push', 'origin']).code).toBe(0);
    const pull = run(copy, ['pull', '--json'], { SAVEPOINT_TOKEN: TOKEN, SAVEPOINT_NO_CREDENTIAL_HELPER: '1' });
    expect(pull.code).toBe(0);
    expect(pull.json.status).toBe('fast-forward');
    expect(await fsp.readFile(path.join(copy, 'data.csv'), 'utf8')).toBe('id,x\n3,3\n');
    expect(run(copy, ['fetch'], { SAVEPOINT_TOKEN: TOKEN, SAVEPOINT_NO_CREDENTIAL_HELPER: '1' }).code).toBe(0);
  });

  it('uses a git credential helper when no env credentials are set', async () => {
    const home = path.join(root, 'home');
    await fsp.mkdir(home);
    const store = path.join(home, 'creds');
    await fsp.writeFile(store, `http://tester:${PASSWORD}@127.0.0.1%3a${server.port}\n`);
    await fsp.writeFile(path.join(home, 'gitconfig'), `[credential]\n\thelper = store --file=${store}\n`);
    const r = run(vault, ['fetch', 'origin'], { GIT_CONFIG_GLOBAL: path.join(home, 'gitconfig') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const none = run(vault, ['fetch', 'origin'], { SAVEPOINT_NO_CREDENTIAL_HELPER: '1' });
    expect(none.code).toBe(17);
    expect(none.stderr).toMatch(/E_AUTH_FAILED.*SAVEPOINT_TOKEN/s);
  });

  it('wrong password → exit 17 with E_AUTH_FAILED; a URL with a password is refused', () => {
    const r = run(vault, ['push', 'origin', '--json'], { SAVEPOINT_USERNAME: 'tester', SAVEPOINT_PASSWORD: 'wrong-one-123', SAVEPOINT_NO_CREDENTIAL_HELPER: '1' });
    expect(r.code).toBe(17);
    expect(r.json.error.code).toBe('E_AUTH_FAILED');
    expect(r.stdout + r.stderr).not.toContain('wrong-one-123');
    const leak = run(vault, ['remote', 'add', 'leak', `http://tester:${PASSWORD}@127.0.0.1:1/x.git`]);
    expect(leak.code).toBe(2);
    expect(leak.stderr).toMatch(/contains a password/);
  });

  it('auto-push failure is queued (save still succeeds), shown in status, drained by push; status --copies counts', async () => {
    // the NAS repo does not exist yet: the server answers 404
    expect(run(vault, ['remote', 'add', 'nas', server.url('nas'), '--media', 'nas', '--auto-push']).code).toBe(0);
    await fsp.writeFile(path.join(vault, 'data.csv'), 'id,x\n4,4\n');
    const s = run(vault, ['save', 'data.csv', '-m', 'four', '--json']);
    expect(s.code).toBe(0);
    expect(s.json.files[0].version).toBe(4);
    expect(s.json.push[0]).toMatchObject({ remote: 'nas', ok: false, queued: true });
    const s2 = run(vault, ['save', 'data.csv', '--force', '-m', 'four again']);
    expect(s2.code).toBe(0);
    expect(s2.stderr).toMatch(/nas/);
    const st = run(vault, ['status', '--json']);
    expect(st.json.pushQueue).toHaveLength(1);
    expect(st.json.pushQueue[0].remote).toBe('nas');
    expect(run(vault, ['status']).stdout).toMatch(/push pending: nas/);
    await server.createBareRepo('nas');
    const p = run(vault, ['push', 'nas']);
    expect(p.code).toBe(0);
    expect(run(vault, ['status', '--json']).json.pushQueue).toEqual([]);

    const c = run(vault, ['status', '--copies', '--json']);
    expect(c.code).toBe(0);
    const versions = c.json.copies.versions as { version: number; copies: number; ok321: boolean }[];
    // v1–v3 were pushed to origin (cloud) and, later, nas: vault + 2 remotes on 3 media with 1 off-site
    expect(versions.filter((v) => v.version <= 3).every((v) => v.copies === 3 && v.ok321)).toBe(true);
    // v4/v5: origin was never pushed again, so vault + nas only
    expect(versions.filter((v) => v.version >= 4).every((v) => v.copies === 2 && !v.ok321)).toBe(true);
    const text = run(vault, ['status', '--copies']).stdout;
    expect(text).toMatch(/3-2-1 not met: 3\/5 versions/);
    expect(run(vault, ['push', '--all']).code).toBe(0);
    expect(run(vault, ['status', '--copies', '--refresh']).stdout).toMatch(/3-2-1 OK: 5\/5/);
  });

  it('server down → exit 16 with E_REMOTE_UNREACHABLE; remote remove forgets it', async () => {
    const down = await startGitHttpServer();
    const url = down.url('gone');
    await down.stop({ removeRoot: true });
    expect(run(vault, ['remote', 'add', 'usb', url, '--media', 'usb']).code).toBe(0);
    const r = run(vault, ['push', 'usb', '--json']);
    expect(r.code).toBe(16);
    expect(r.json.error.code).toBe('E_REMOTE_UNREACHABLE');
    expect(run(vault, ['remote', 'remove', 'usb']).code).toBe(0);
    expect(run(vault, ['remote', 'list', '--json']).json.remotes.map((x: { name: string }) => x.name)).toEqual(['nas', 'origin']);
    expect(run(vault, ['push', 'usb']).code).toBe(15);
  });

  it('the password and token never appear in any output or in the vault config files', async () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const o of outputs) {
      expect(o.stdout + o.stderr).not.toContain(PASSWORD);
      expect(o.stdout + o.stderr).not.toContain(TOKEN);
    }
    for (const f of [path.join(vault, 'savepoint.json'), path.join(vault, '.git', 'config'), path.join(root, 'copy', 'savepoint.json'), path.join(root, 'copy', '.git', 'config')]) {
      const text = await fsp.readFile(f, 'utf8');
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(TOKEN);
    }
  });
});
