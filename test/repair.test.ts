/**
 * Issue 13 item 3: flipped bytes in a loose object, a packed object deep in a delta chain, an archive and a
 * note. verify names each damaged version, restore refuses it, and `savepoint repair` fetches a good copy from
 * a real smart-HTTP remote or a real retention archive (sha1 + sha256 checked), rebuilds the damaged note from
 * the commit trailers, and reports what it could not fix. --dry-run writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';
import { startGitHttpServer } from './helpers/git-http-server.js';
import type { GitHttpServer } from './helpers/git-http-server.js';

const ENV = { SAVEPOINT_USERNAME: 'u', SAVEPOINT_PASSWORD: 'pw-repair-1', SAVEPOINT_NO_CREDENTIAL_HELPER: '1' };
let server: GitHttpServer;
let root: string;

beforeAll(async () => {
  server = await startGitHttpServer({ users: { u: 'pw-repair-1' } });
  root = await tempDir();
});
afterAll(async () => {
  await server.stop({ removeRoot: true });
  await fsp.rm(root, { recursive: true, force: true });
});

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const csv = (i: number) => `id,value\n${Array.from({ length: 3000 }, (_, k) => `${k},${k === i * 7 ? 'edit' + i : (k * 31) % 997}`).join('\n')}\n`;

/** Flip one byte of a file (objects are read-only: make it writable first, as a disk fault would not ask). */
async function flip(file: string, at: number): Promise<void> {
  await fsp.chmod(file, 0o644);
  const b = await fsp.readFile(file);
  const i = at < 0 ? b.length + at : at;
  b[i] = b[i]! ^ 0x5a;
  await fsp.writeFile(file, b);
}
const loosePath = (vault: string, oid: string) => path.join(vault, '.git', 'objects', oid.slice(0, 2), oid.slice(2));

function fsckClean(vault: string): void {
  const out = git(vault, ['fsck', '--strict']).trim();
  for (const line of out ? out.split('\n') : []) expect(line).toMatch(/^dangling (commit|tree|blob|tag) [0-9a-f]{40}$/);
}

describe('savepoint repair', () => {
  it('loose object and note damaged: verify names them, restore refuses, repair fetches from the remote and rebuilds the note', async () => {
    const vault = path.join(root, 'loose');
    sp(root, ['init', 'loose']);
    for (let i = 1; i <= 3; i++) {
      await fsp.writeFile(path.join(vault, 'a.csv'), csv(i));
      expect(sp(vault, ['save', 'a.csv', '-m', `v${i}`]).code).toBe(0);
    }
    await server.createBareRepo('loose');
    expect(sp(vault, ['remote', 'add', 'origin', server.url('loose')], { env: ENV }).code).toBe(0);
    expect(sp(vault, ['push', 'origin'], { env: ENV }).code).toBe(0);

    const blob2 = git(vault, ['rev-parse', 'main~1:a.csv']).trim();
    const tip = git(vault, ['rev-parse', 'main']).trim();
    const noteBlob = git(vault, ['notes', '--ref=savepoint', 'list', tip]).trim();
    await flip(loosePath(vault, blob2), 200);
    await flip(loosePath(vault, noteBlob), -3);

    const v = sp(vault, ['verify', '--json']);
    expect(v.code).not.toBe(0);
    const bad = v.json.items.filter((i: { status: string }) => i.status !== 'verified');
    expect(bad.map((i: { version: number; status: string }) => `${i.version}:${i.status}`).sort()).toEqual(['2:corrupted', '3:unnoted']);
    expect(bad.find((i: { version: number }) => i.version === 2).code).toBe('E_OBJECT_CORRUPT');

    const r = sp(vault, ['restore', 'a.csv@2', '--to', 'out2.csv', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.json.error.code).toBe('E_OBJECT_CORRUPT');
    await expect(fsp.access(path.join(vault, 'out2.csv'))).rejects.toThrow();

    const damagedBytes = await fsp.readFile(loosePath(vault, blob2));
    const dry = sp(vault, ['repair', '--dry-run', '--json'], { env: ENV });
    expect(dry.json.objects).toHaveLength(2);
    expect(dry.json.objects[0]).toMatchObject({ blob: blob2, status: 'would-replace', source: 'remote origin', versions: [{ path: 'a.csv', version: 2 }] });
    expect(dry.json.objects[1]).toMatchObject({ blob: noteBlob, note: tip, status: 'would-replace', source: 'remote origin' });
    expect(await fsp.readFile(loosePath(vault, blob2))).toEqual(damagedBytes); // nothing written
    expect(git(vault, ['notes', '--ref=savepoint', 'list', tip]).trim()).toBe(noteBlob);

    const human = sp(vault, ['repair', '--dry-run'], { env: ENV });
    expect(human.stdout).toMatch(/would fix a\.csv@2 \(blob [0-9a-f]{12}: .*\) from remote origin, sha1 and sha256 checked/);
    expect(human.stdout).toMatch(/2 damaged objects, 2 could be fixed/);
    const fixed = sp(vault, ['repair', '--json'], { env: ENV });
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.json).toMatchObject({ ok: true, problems: [] });
    expect(fixed.json.objects.map((o: { blob: string; status: string }) => `${o.blob}:${o.status}`)).toEqual([`${blob2}:replaced`, `${noteBlob}:replaced`]);
    expect(JSON.parse(git(vault, ['notes', '--ref=savepoint', 'show', tip])).files['a.csv']).toMatchObject({ version: 3, sha256: sha(csv(3)) });

    expect(sp(vault, ['verify', '--json']).json).toMatchObject({ ok: true, verified: 3 });
    expect(sp(vault, ['restore', 'a.csv@2', '--to', 'out2.csv']).code).toBe(0);
    expect(sha(await fsp.readFile(path.join(vault, 'out2.csv')))).toBe(sha(csv(2)));
    fsckClean(vault);
    // the human output says what was fixed and from where
    const again = sp(vault, ['repair'], { env: ENV });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/OK {2}3 saves: 3 already had notes, 0 rebuilt, 0 problems\n/);
  });

  it('a damaged note with no copy anywhere is rebuilt from the commit trailers', async () => {
    const vault = path.join(root, 'note');
    sp(root, ['init', 'note']);
    for (let i = 1; i <= 2; i++) {
      await fsp.writeFile(path.join(vault, 'a.csv'), csv(i));
      expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    }
    const tip = git(vault, ['rev-parse', 'main']).trim();
    const noteBlob = git(vault, ['notes', '--ref=savepoint', 'list', tip]).trim();
    await flip(loosePath(vault, noteBlob), -3);
    const v = sp(vault, ['verify', '--json']).json;
    expect(v.items.find((i: { version: number }) => i.version === 2)).toMatchObject({ status: 'unnoted', code: 'E_OBJECT_CORRUPT' });
    const fixed = sp(vault, ['repair', '--json']);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.json.rebuilt).toEqual([expect.objectContaining({ commit: tip, reason: 'damaged' })]);
    expect(JSON.parse(git(vault, ['notes', '--ref=savepoint', 'show', tip])).files['a.csv']).toMatchObject({ version: 2, sha256: sha(csv(2)), source: 'repair' });
    expect(sp(vault, ['verify', '--json']).json).toMatchObject({ ok: true, verified: 2 });
  });

  it('a packed object deep in a delta chain: every affected version is fetched back from the remote', async () => {
    const vault = path.join(root, 'packed');
    sp(root, ['init', 'packed']);
    for (let i = 1; i <= 6; i++) {
      await fsp.writeFile(path.join(vault, 'a.csv'), csv(i));
      expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    }
    await server.createBareRepo('packed');
    expect(sp(vault, ['remote', 'add', 'origin', server.url('packed')], { env: ENV }).code).toBe(0);
    expect(sp(vault, ['push', 'origin'], { env: ENV }).code).toBe(0);
    expect(sp(vault, ['compact', '--json']).code).toBe(0);
    const packDir = path.join(vault, '.git', 'objects', 'pack');
    const idx = (await fsp.readdir(packDir)).filter((f) => f.endsWith('.idx'));
    // the deepest delta of a.csv's versions, as git itself reports it
    const blobs = new Set(Array.from({ length: 6 }, (_, k) => git(vault, ['rev-parse', `main~${k}:a.csv`]).trim()));
    let target: { oid: string; offset: number; size: number; depth: number; pack: string } | null = null;
    for (const i of idx) {
      for (const line of git(vault, ['verify-pack', '-v', path.join(packDir, i)]).split('\n')) {
        const m = /^([0-9a-f]{40}) blob\s+\d+ (\d+) (\d+) (\d+)/.exec(line);
        if (m && blobs.has(m[1]!) && (!target || Number(m[4]) > target.depth)) target = { oid: m[1]!, size: Number(m[2]), offset: Number(m[3]), depth: Number(m[4]), pack: path.join(packDir, i.replace(/\.idx$/, '.pack')) };
      }
    }
    expect(target && target.depth).toBeGreaterThanOrEqual(2);
    await flip(target!.pack, target!.offset + Math.floor(target!.size / 2));

    const v = sp(vault, ['verify', '--json']);
    expect(v.code).not.toBe(0);
    const damaged = v.json.items.filter((i: { status: string }) => i.status === 'corrupted');
    expect(damaged.length).toBeGreaterThanOrEqual(1);
    expect(damaged.every((i: { code: string; message: string }) => i.code === 'E_OBJECT_CORRUPT' && i.message.length > 0)).toBe(true);
    const restoreBad = sp(vault, ['restore', `a.csv@${damaged[0].version}`, '--to', 'x.csv', '--json']);
    expect(restoreBad.json.error.code).toBe('E_OBJECT_CORRUPT');

    const fixed = sp(vault, ['repair', '--json'], { env: ENV });
    expect(fixed.json.problems).toEqual([]);
    expect(fixed.json.objects.map((o: { status: string }) => o.status)).toEqual(damaged.map(() => 'replaced'));
    const after = sp(vault, ['verify', '--json']).json;
    expect(after.items.every((i: { status: string }) => i.status === 'verified')).toBe(true);
    for (let k = 1; k <= 6; k++) expect(sha(sp(vault, ['cat', `a.csv@${k}`]).stdout)).toBe(sha(csv(k)));
  });

  it('no remote: a good copy in a retention archive is used; a damaged archive is reported as not fixable', async () => {
    const vault = path.join(root, 'arch');
    sp(root, ['init', 'arch']);
    // a.csv@1 and b.csv@1 hold the same content: after retention a.csv@1 lives only in the archive, b.csv@1 (same blob) on the branch
    for (const i of [1, 2, 3, 4, 5]) {
      await fsp.writeFile(path.join(vault, 'a.csv'), csv(i));
      expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    }
    await fsp.writeFile(path.join(vault, 'b.csv'), csv(1));
    expect(sp(vault, ['save', 'b.csv']).code).toBe(0);
    expect(sp(vault, ['retention', 'apply', '--keep-last', '3', '--yes', '--json']).code).toBe(0);
    await fsp.writeFile(path.join(root, 'v1.csv'), csv(1));
    const blob3 = git(vault, ['hash-object', path.join(root, 'v1.csv')]).trim();
    // retention repacked the branch: put a second, loose copy of v3's blob beside the packed one and damage it
    const loose = loosePath(vault, blob3);
    await fsp.mkdir(path.dirname(loose), { recursive: true });
    await fsp.writeFile(loose, deflateSync(Buffer.concat([Buffer.from(`blob ${Buffer.byteLength(csv(1))}\0`), Buffer.from(csv(1))])));
    await flip(loose, 100);
    const before = sp(vault, ['verify', '--json']).json;
    expect(before.ok).toBe(false);
    const b = before.items.find((i: { path: string }) => i.path === 'b.csv');
    expect(b.status !== 'verified' || b.damagedCopies?.[0]?.location === loose).toBe(true);

    const fixed = sp(vault, ['repair', '--json']);
    expect(fixed.json.objects).toEqual([expect.objectContaining({ blob: blob3, status: 'replaced', source: expect.stringMatching(/^archive /) })]);
    expect(sha(sp(vault, ['cat', 'b.csv@1']).stdout)).toBe(sha(csv(1)));
    expect(sp(vault, ['verify', '--json']).json.ok).toBe(true);
    fsckClean(vault);

    // now damage the archive itself: verify names its versions, restore refuses, repair reports it
    const archiveDir = path.join(vault, '.savepoint', 'archive');
    const files = (await fsp.readdir(archiveDir, { recursive: true })).map(String).filter((f) => /\.(tar\.gz|tgz|spa)$/.test(f) || f.endsWith('.gz'));
    expect(files.length).toBeGreaterThan(0);
    await flip(path.join(archiveDir, files[0]!), 300);
    const v = sp(vault, ['verify', '--json']).json;
    const archivedBad = v.items.filter((i: { archive?: string; status: string }) => i.archive && i.status !== 'verified');
    expect(archivedBad.length).toBeGreaterThan(0);
    const restoreBad = sp(vault, ['restore', 'a.csv@1', '--to', 'old.csv', '--json']);
    expect(restoreBad.code).not.toBe(0);
    expect(restoreBad.json.error.code).toBe('E_ARCHIVE_CORRUPT');
    const rep = sp(vault, ['repair', '--json']);
    expect(rep.code).not.toBe(0);
    expect(rep.json.problems).toEqual([expect.objectContaining({ code: 'E_ARCHIVE_CORRUPT' })]);
    expect(rep.json.problems[0].message).toMatch(/backup copy/);
  });
});
