/**
 * s3:// remotes against a real local S3 server (s3rver on 127.0.0.1, a free port), issue 12 items 3-4:
 * push, fetch, clone, restore and verify from the bucket, notes merged, encryption at rest, multipart,
 * and the bad cases (missing bucket, wrong credentials, a bucket edited by hand, wrong passphrase).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { gitCli, makeTempDir, makeTempVault } from '../../testing/temp-vault.js';
import type { TempVault } from '../../testing/temp-vault.js';
import { save } from '../../api/save.js';
import { restore } from '../../api/restore.js';
import { verify } from '../../api/verify.js';
import { log } from '../../api/query.js';
import { resolveRef } from '../../history/git.js';
import { NOTES_REF } from '../../model/note.js';
import { addRemote } from '../config.js';
import { cloneVault } from '../clone.js';
import { copiesStatus } from '../copies.js';
import { fetchRemote, pushRemote } from '../sync.js';

let server: S3rver;
let endpoint = '';
let s3: S3Client;
let root = '';
const BUCKET = 'vaults';
const env = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
const pass = (p: string) => () => ({ passphrase: p });
const fast = { scryptLogN: 10 };

beforeAll(async () => {
  root = await makeTempDir('sp-s3-');
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(root, 's3') });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
  if (env.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  else process.env.AWS_ACCESS_KEY_ID = env.id;
  if (env.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  else process.env.AWS_SECRET_ACCESS_KEY = env.secret;
  await fsp.rm(root, { recursive: true, force: true });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function vaultWith(files: Record<string, string | Buffer>): Promise<TempVault> {
  const t = await makeTempVault();
  cleanups.push(() => t.cleanup());
  for (const [rel, content] of Object.entries(files)) await t.write(rel, content);
  await save(t.vault, { files: Object.keys(files), cwd: t.dir, afterSave: false } as Parameters<typeof save>[1]);
  return t;
}

async function keys(prefix: string): Promise<string[]> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
  return (r.Contents ?? []).map((c) => c.Key!.slice(prefix.length + 1)).sort();
}

async function getObj(key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

async function newDir(): Promise<string> {
  const d = await makeTempDir('sp-s3-clone-');
  cleanups.push(() => fsp.rm(d, { recursive: true, force: true }));
  return path.join(d, 'v');
}

describe('s3:// remotes', () => {
  it('push sends packs, a manifest and HEAD; clone, restore and verify every version from the bucket', async () => {
    const t = await vaultWith({ 'data.csv': 'id,value\n1,alpha\n' });
    await addRemote(t.vault, { name: 'cloud', url: `s3://${BUCKET}/lab/one`, endpoint });
    expect(t.vault.config.remotes.cloud).toMatchObject({ media: 'cloud', offsite: true, endpoint });
    expect(JSON.stringify(t.vault.config.remotes.cloud)).not.toMatch(/S3RVER/);
    const p1 = await pushRemote(t.vault, { remote: 'cloud' });
    expect(p1.status).toBe('pushed');
    const after1 = await keys('lab/one');
    expect(after1.filter((k) => k.startsWith('objects/'))).toHaveLength(1);
    expect(after1).toEqual(expect.arrayContaining(['HEAD', 'savepoint-remote.json']));
    for (const k of after1) if (k !== 'HEAD' && k !== 'savepoint-remote.json') expect(k).toMatch(/^(objects|manifests)\/[0-9a-f]{64}$/);

    await t.write('data.csv', 'id,value\n1,alpha\n2,beta\n');
    await save(t.vault, { files: ['data.csv'], cwd: t.dir, afterSave: false } as Parameters<typeof save>[1]);
    expect((await pushRemote(t.vault, { remote: 'cloud' })).status).toBe('pushed');
    const after2 = await keys('lab/one');
    expect(after2.filter((k) => k.startsWith('objects/'))).toHaveLength(2); // only the new objects went up
    expect((await pushRemote(t.vault, { remote: 'cloud' })).status).toBe('up-to-date');
    expect(await keys('lab/one')).toEqual(after2);

    const dir = await newDir();
    const c = await cloneVault({ url: `s3://${BUCKET}/lab/one`, dir, endpoint });
    expect(c.branch).toBe(t.vault.branch);
    expect(await fsp.readFile(path.join(dir, 'data.csv'), 'utf8')).toBe('id,value\n1,alpha\n2,beta\n');
    expect(c.vault.config.remotes.origin).toMatchObject({ url: `s3://${BUCKET}/lab/one`, endpoint, media: 'cloud' });
    gitCli(dir, ['fsck', '--strict']);
    expect(gitCli(dir, ['notes', '--ref', 'savepoint', 'list']).trim().split('\n')).toHaveLength(2);
    expect(await resolveRef(c.vault, NOTES_REF)).toBe(await resolveRef(t.vault, NOTES_REF));
    await restore(c.vault, { address: 'data.csv@1', to: 'old.csv', afterSave: false });
    expect(await fsp.readFile(path.join(dir, 'old.csv'), 'utf8')).toBe('id,value\n1,alpha\n');
    const v = await verify(c.vault);
    expect(v).toMatchObject({ verified: 2, corrupted: 0, missing: 0 });
    // the 3-2-1 view asks the bucket with --refresh
    const copies = await copiesStatus(t.vault, { refresh: true });
    expect(copies.remotes.find((r) => r.name === 'cloud')).toMatchObject({ media: 'cloud', offsite: true, tip: await resolveRef(t.vault, `refs/heads/${t.vault.branch}`) });
    expect(copies.remotes.find((r) => r.name === 'cloud')!.refreshError).toBeUndefined();
  });

  it('notes are merged, never overwritten, and fetch brings new saves', async () => {
    const a = await vaultWith({ 'a.csv': 'x\n1\n' });
    await addRemote(a.vault, { name: 'cloud', url: `s3://${BUCKET}/lab/notes`, endpoint });
    await pushRemote(a.vault, { remote: 'cloud' });
    const bdir = await newDir();
    const b = (await cloneVault({ url: `s3://${BUCKET}/lab/notes`, dir: bdir, endpoint, clock: () => new Date('2026-06-01T00:00:00Z') })).vault;
    await verify(b); // B's notes move on: verified
    await pushRemote(b, { remote: 'origin' });
    const bNotes = (await resolveRef(b, NOTES_REF))!;
    // A changes its own notes meanwhile (a new save) and pushes: B's notes are fetched and merged first
    await a.write('a.csv', 'x\n1\n2\n');
    await save(a.vault, { files: ['a.csv'], cwd: a.dir, afterSave: false } as Parameters<typeof save>[1]);
    const r = await pushRemote(a.vault, { remote: 'cloud' });
    expect(r.notes.merged).toBe('merged');
    const aNotes = (await resolveRef(a.vault, NOTES_REF))!;
    gitCli(a.dir, ['merge-base', '--is-ancestor', bNotes, aNotes]);
    expect(JSON.parse(gitCli(a.dir, ['notes', '--ref', 'savepoint', 'show', (await log(a.vault)).find((x) => x.version === 1)!.commit])).status).toBe('verified');
    // B fetches: the new save and the merged notes arrive
    const f = await fetchRemote(b, { remote: 'origin' });
    expect(f.notes.action).toBe('fast-forward');
    expect(await resolveRef(b, NOTES_REF)).toBe(aNotes);
    expect(await resolveRef(b, `refs/remotes/origin/${b.branch}`)).toBe(await resolveRef(a.vault, `refs/heads/${a.vault.branch}`));
    gitCli(bdir, ['fsck', '--strict']);
  });

  it('a crash before HEAD is written leaves the previous push readable', async () => {
    const t = await vaultWith({ 'c.csv': 'v\n1\n' });
    await addRemote(t.vault, { name: 'cloud', url: `s3://${BUCKET}/lab/crash`, endpoint });
    await pushRemote(t.vault, { remote: 'cloud' });
    const head1 = await getObj('lab/crash/HEAD');
    await t.write('c.csv', 'v\n1\n2\n');
    await save(t.vault, { files: ['c.csv'], cwd: t.dir, afterSave: false } as Parameters<typeof save>[1]);
    await pushRemote(t.vault, { remote: 'cloud' });
    // put HEAD back as a push that died after its pack and manifest, before the pointer, would have left it
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lab/crash/HEAD', Body: head1 }));
    const c = await cloneVault({ url: `s3://${BUCKET}/lab/crash`, dir: await newDir(), endpoint });
    expect((await log(c.vault)).map((x) => x.version)).toEqual([1]);
    expect((await verify(c.vault)).corrupted).toBe(0);
  });

  it('big objects go up in parts (multipart upload) and come back intact', async () => {
    const big = randomBytes(6 * 1024 * 1024 + 123);
    const t = await vaultWith({ 'big.bin': big });
    await addRemote(t.vault, { name: 'cloud', url: `s3://${BUCKET}/lab/big`, endpoint });
    const sent: number[] = [];
    await pushRemote(t.vault, { remote: 'cloud', s3PartSize: 5 * 1024 * 1024, onProgress: (e) => e.phase === 'push: uploading' && sent.push(e.loaded) });
    const obj = (await keys('lab/big')).find((k) => k.startsWith('objects/'))!;
    const h = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `lab/big/${obj}` }));
    expect(sent).toEqual([5 * 1024 * 1024, h.ContentLength]); // two parts: 5 MiB, then the rest
    const dir = await newDir();
    await cloneVault({ url: `s3://${BUCKET}/lab/big`, dir, endpoint });
    expect((await fsp.readFile(path.join(dir, 'big.bin'))).equals(big)).toBe(true);
  });

  it('encrypted: the bucket holds no plaintext byte and no file name; the right passphrase restores, a wrong one is E_DECRYPT', async () => {
    const secret = 'patient_id,diagnosis\nP-7781,confidential-marker\n';
    const t = await vaultWith({ 'secret-trial.csv': secret });
    await addRemote(t.vault, { name: 'cloud', url: `s3://${BUCKET}/lab/enc`, endpoint, encrypt: true });
    expect(JSON.stringify(t.vault.config.remotes.cloud)).not.toMatch(/hunter2/);
    await expect(pushRemote(t.vault, { remote: 'cloud' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' }); // no key given
    await pushRemote(t.vault, { remote: 'cloud', key: pass('hunter2 horse'), ...fast });
    const all = await keys('lab/enc');
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const k of all) {
      const body = await getObj(`lab/enc/${k}`);
      for (const needle of ['confidential-marker', 'secret-trial', 'P-7781', 'patient_id', 'Savepoint-Sha256', 'refs/heads']) expect(body.includes(needle), `${k} contains ${needle}`).toBe(false);
    }
    // a wrong passphrase: E_DECRYPT, no folder made
    const bad = await newDir();
    await expect(cloneVault({ url: `s3://${BUCKET}/lab/enc`, dir: bad, endpoint, key: pass('wrong') })).rejects.toMatchObject({ code: 'E_DECRYPT' });
    expect(await fsp.readdir(bad).catch(() => null)).toBeNull();
    // and pushing with a wrong passphrase changes nothing there
    const before = await keys('lab/enc');
    await expect(pushRemote(t.vault, { remote: 'cloud', key: pass('wrong') })).rejects.toMatchObject({ code: 'E_DECRYPT' });
    expect(await keys('lab/enc')).toEqual(before);
    const dir = await newDir();
    const c = await cloneVault({ url: `s3://${BUCKET}/lab/enc`, dir, endpoint, key: pass('hunter2 horse') });
    expect(c.vault.config.remotes.origin).toMatchObject({ encrypt: true });
    expect(await fsp.readFile(path.join(dir, 'secret-trial.csv'), 'utf8')).toBe(secret);
    expect((await verify(c.vault)).verified).toBe(1);
    gitCli(dir, ['fsck', '--strict']);
  });

  it('a missing bucket and wrong credentials are clear errors; nothing changes locally', async () => {
    const t = await vaultWith({ 'd.csv': 'a\n1\n' });
    await addRemote(t.vault, { name: 'nob', url: 's3://no-such-bucket/x', endpoint });
    await expect(pushRemote(t.vault, { remote: 'nob' })).rejects.toMatchObject({ code: 'E_BUCKET_NOT_FOUND' });
    await addRemote(t.vault, { name: 'cloud', url: `s3://${BUCKET}/lab/creds`, endpoint });
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong-secret-value';
    process.env.AWS_ACCESS_KEY_ID = 'WRONGKEY';
    try {
      const err = await pushRemote(t.vault, { remote: 'cloud' }).catch((e: unknown) => e as Error & { code: string });
      expect(err).toMatchObject({ code: 'E_AUTH_FAILED' });
      expect(JSON.stringify({ m: err.message, d: (err as unknown as { details: unknown }).details })).not.toMatch(/wrong-secret-value/);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
      process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    }
    expect(await resolveRef(t.vault, `refs/remotes/cloud/${t.vault.branch}`)).toBeNull();
    expect(await keys('lab/creds')).toEqual([]);
    await expect(addRemote(t.vault, { name: 'x', url: 's3://UPPER/x' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(addRemote(t.vault, { name: 'y', url: 'https://example.test/r.git', encrypt: true })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('a bucket edited by hand (missing manifest, damaged pack) is E_REMOTE_CORRUPT and changes nothing here', async () => {
    const t = await vaultWith({ 'e.csv': 'a\n1\n' });
    await addRemote(t.vault, { name: 'cloud', url: `s3://${BUCKET}/lab/edit`, endpoint });
    await pushRemote(t.vault, { remote: 'cloud' });
    const pack = (await keys('lab/edit')).find((k) => k.startsWith('objects/'))!;
    const good = await getObj(`lab/edit/${pack}`);
    const damaged = Buffer.from(good);
    damaged[40] = damaged[40]! ^ 0xff;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `lab/edit/${pack}`, Body: damaged }));
    const dir = await newDir();
    await expect(cloneVault({ url: `s3://${BUCKET}/lab/edit`, dir, endpoint })).rejects.toMatchObject({ code: 'E_REMOTE_CORRUPT', details: { object: pack.slice(8) } });
    expect(await fsp.readdir(dir).catch(() => null)).toBeNull();
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `lab/edit/${pack}` }));
    const other = await vaultWith({ 'f.csv': 'b\n2\n' });
    await addRemote(other.vault, { name: 'cloud', url: `s3://${BUCKET}/lab/edit`, endpoint });
    const before = await resolveRef(other.vault, NOTES_REF);
    await expect(fetchRemote(other.vault, { remote: 'cloud' })).rejects.toMatchObject({ code: 'E_REMOTE_CORRUPT' });
    expect(await resolveRef(other.vault, NOTES_REF)).toBe(before);
    expect(await resolveRef(other.vault, `refs/remotes/cloud/${other.vault.branch}`)).toBeNull();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lab/edit/HEAD', Body: JSON.stringify({ manifest: 'a'.repeat(64) }) }));
    await expect(fetchRemote(other.vault, { remote: 'cloud' })).rejects.toMatchObject({ code: 'E_REMOTE_CORRUPT', message: expect.stringMatching(/missing/) });
  });
});
