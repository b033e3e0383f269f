/**
 * `savepoint remote add cloud s3://… --endpoint … [--encrypt]`, push, fetch, clone, restore and verify through
 * the bundled CLI against a local S3 server (issue 12 items 3-4); wrong passphrase → E_DECRYPT (exit 22),
 * missing bucket → E_BUCKET_NOT_FOUND, credentials never stored or printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';
import { startS3Server } from './helpers/s3-server.js';
import type { S3Server } from './helpers/s3-server.js';

let server: S3Server;
let root: string;
const SECRET = 'sEcReT-key-987654';
const AWS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

beforeAll(async () => {
  root = await tempDir();
  server = await startS3Server(path.join(root, 's3'), ['vaults']);
});
afterAll(async () => {
  await server?.stop();
  await fsp.rm(root, { recursive: true, force: true });
});

async function vault(name: string): Promise<string> {
  const dir = path.join(root, name);
  await fsp.mkdir(dir);
  expect(sp(dir, ['init']).code).toBe(0);
  await fsp.writeFile(path.join(dir, 'data.csv'), 'id,v\n1,a\n');
  expect(sp(dir, ['save', 'data.csv', '-m', 'first']).code).toBe(0);
  await fsp.writeFile(path.join(dir, 'data.csv'), 'id,v\n1,a\n2,b\n');
  expect(sp(dir, ['save', 'data.csv', '-m', 'second']).code).toBe(0);
  return dir;
}

describe('s3 remotes from the CLI', () => {
  it('plain: remote add, push, clone, restore any version, verify, fetch', async () => {
    const dir = await vault('plain');
    const add = sp(dir, ['remote', 'add', 'cloud', 's3://vaults/lab/plain', '--endpoint', server.endpoint, '--json']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.json.remote).toMatchObject({ name: 'cloud', media: 'cloud', offsite: true, endpoint: server.endpoint });
    const push = sp(dir, ['push', 'cloud', '--json'], { env: AWS });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toBe('');
    expect(push.json.results[0]).toMatchObject({ ok: true, result: { status: 'pushed' } });
    const clone = path.join(root, 'plain-clone');
    const c = sp(root, ['clone', 's3://vaults/lab/plain', clone, '--endpoint', server.endpoint, '--json'], { env: AWS });
    expect(c.code, c.stderr).toBe(0);
    expect(c.json).toMatchObject({ versions: 2, notes: true });
    const r = sp(clone, ['restore', 'data.csv@1', '--to', 'v1.csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(await fsp.readFile(path.join(clone, 'v1.csv'), 'utf8')).toBe('id,v\n1,a\n');
    expect(sp(clone, ['verify']).code).toBe(0);
    expect(sp(clone, ['fetch', '--json'], { env: AWS }).code).toBe(0);
    git(clone, ['fsck', '--strict']);
    const cfg = await fsp.readFile(path.join(dir, 'savepoint.json'), 'utf8');
    expect(cfg).not.toMatch(/S3RVER/);
  });

  it('encrypted: passphrase from SAVEPOINT_PASSPHRASE; wrong one exits 22 (E_DECRYPT) and writes nothing; missing key is explained', async () => {
    const dir = await vault('enc');
    expect(sp(dir, ['remote', 'add', 'cloud', 's3://vaults/lab/enc', '--endpoint', server.endpoint, '--encrypt']).code).toBe(0);
    const noKey = sp(dir, ['push', 'cloud', '--json'], { env: AWS });
    expect(noKey.code).toBe(2);
    expect(noKey.json.error.message).toMatch(/SAVEPOINT_PASSPHRASE/);
    const push = sp(dir, ['push', 'cloud'], { env: { ...AWS, SAVEPOINT_PASSPHRASE: SECRET } });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout + push.stderr).not.toContain(SECRET);
    expect(await fsp.readFile(path.join(dir, 'savepoint.json'), 'utf8')).not.toContain(SECRET);
    const bad = path.join(root, 'enc-bad');
    const wrong = sp(root, ['clone', 's3://vaults/lab/enc', bad, '--endpoint', server.endpoint, '--json'], { env: { ...AWS, SAVEPOINT_PASSPHRASE: 'nope' } });
    expect(wrong.code).toBe(22);
    expect(wrong.json.error.code).toBe('E_DECRYPT');
    expect(await fsp.readdir(bad).catch(() => null)).toBeNull();
    const good = path.join(root, 'enc-good');
    const c = sp(root, ['clone', 's3://vaults/lab/enc', good, '--endpoint', server.endpoint], { env: { ...AWS, SAVEPOINT_PASSPHRASE: SECRET } });
    expect(c.code, c.stderr).toBe(0);
    expect(sp(good, ['restore', 'data.csv@1', '--to', 'v1.csv']).code).toBe(0);
    expect(await fsp.readFile(path.join(good, 'v1.csv'), 'utf8')).toBe('id,v\n1,a\n');
  });

  it('a missing bucket is E_BUCKET_NOT_FOUND (exit 16); wrong credentials E_AUTH_FAILED (exit 17), the secret never printed', async () => {
    const dir = await vault('errs');
    expect(sp(dir, ['remote', 'add', 'gone', 's3://no-such-bucket/x', '--endpoint', server.endpoint]).code).toBe(0);
    const r = sp(dir, ['push', 'gone', '--json'], { env: AWS });
    expect(r.code).toBe(16);
    expect(r.json.error.code).toBe('E_BUCKET_NOT_FOUND');
    expect(sp(dir, ['remote', 'add', 'cloud', 's3://vaults/lab/errs', '--endpoint', server.endpoint]).code).toBe(0);
    const a = sp(dir, ['push', 'cloud'], { env: { ...AWS, AWS_ACCESS_KEY_ID: 'NOPE', AWS_SECRET_ACCESS_KEY: SECRET } });
    expect(a.code).toBe(17);
    expect(a.stderr).toMatch(/E_AUTH_FAILED/);
    expect(a.stdout + a.stderr).not.toContain(SECRET);
  });
});
