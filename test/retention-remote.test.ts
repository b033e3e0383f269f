/**
 * Retention rewrites the history branch; a later push must neither fail forever as "diverged" nor lose
 * the remote's copy of the archived versions: the old history stays on the remote under
 * refs/savepoint/retained/…, and a real divergence is still refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';
import { startGitHttpServer } from './helpers/git-http-server.js';
import type { GitHttpServer } from './helpers/git-http-server.js';

const ENV = { SAVEPOINT_USERNAME: 'u', SAVEPOINT_PASSWORD: 'pw-retain-1', SAVEPOINT_NO_CREDENTIAL_HELPER: '1' };
let server: GitHttpServer;
let root: string;

beforeAll(async () => {
  server = await startGitHttpServer({ users: { u: 'pw-retain-1' } });
  root = await tempDir();
});
afterAll(async () => {
  await server.stop({ removeRoot: true });
  await fsp.rm(root, { recursive: true, force: true });
});

describe('push after retention', () => {
  it('keeps the rewritten history on the remote under a retained ref and moves the branch', async () => {
    const vault = path.join(root, 'v');
    expect(sp(root, ['init', 'v']).code).toBe(0);
    for (let i = 1; i <= 5; i++) {
      await fsp.writeFile(path.join(vault, 'd.csv'), `id,x\n1,${i}\n`);
      expect(sp(vault, ['save', 'd.csv', '-m', `v${i}`]).code).toBe(0);
    }
    await server.createBareRepo('lab');
    expect(sp(vault, ['remote', 'add', 'origin', server.url('lab'), '--json'], { env: ENV }).code).toBe(0);
    expect(sp(vault, ['push', 'origin'], { env: ENV }).code).toBe(0);
    const oldTip = git(vault, ['rev-parse', 'main']).trim();

    const applied = sp(vault, ['retention', 'apply', '--keep-last', '2', '--yes', '--json']);
    expect(applied.code).toBe(0);
    expect(git(vault, ['rev-parse', 'main']).trim()).not.toBe(oldTip);
    await fsp.writeFile(path.join(vault, 'd.csv'), 'id,x\n1,6\n');
    expect(sp(vault, ['save', 'd.csv', '-m', 'v6']).code).toBe(0);

    const pushed = sp(vault, ['push', 'origin', '--json'], { env: ENV });
    expect(pushed.code).toBe(0);
    const result = pushed.json.results[0].result;
    expect(result.branch.retained).toMatch(/^refs\/savepoint\/retained\/main\//);

    const bare = path.join(server.root, 'lab.git');
    expect(git(bare, ['rev-parse', 'main']).trim()).toBe(git(vault, ['rev-parse', 'main']).trim());
    expect(git(bare, ['rev-parse', result.branch.retained]).trim()).toBe(oldTip);
    // every old version is still readable on the remote through the retained history
    expect(git(bare, ['show', `${oldTip}~4:d.csv`])).toBe('id,x\n1,1\n');
    git(bare, ['fsck', '--strict']);

    // a genuine divergence is still refused: a second vault rewrites nothing but has its own saves
    const other = path.join(root, 'other');
    expect(sp(root, ['clone', server.url('lab'), 'other'], { env: ENV }).code).toBe(0);
    await fsp.writeFile(path.join(other, 'd.csv'), 'id,x\n1,7\n');
    expect(sp(other, ['save', 'd.csv']).code).toBe(0);
    await fsp.writeFile(path.join(vault, 'd.csv'), 'id,x\n1,8\n');
    expect(sp(vault, ['save', 'd.csv']).code).toBe(0);
    expect(sp(vault, ['push', 'origin'], { env: ENV }).code).toBe(0);
    const refused = sp(other, ['push', 'origin', '--json'], { env: ENV });
    expect(refused.code).toBe(18);
  });
});
