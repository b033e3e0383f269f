/**
 * Hostile input (issue 13 item 6): fast-check properties over paths, version addresses, savepoint.json, note
 * JSON, pack bytes, archive (tar + bundle) bytes and remote responses (pkt-line / side-band parsers).
 * Each must end in a result or a SavepointError with a stable code other than E_INTERNAL (the CLI prints
 * those without a stack trace); nothing is written outside the vault, and a refused operation leaves the
 * vault as it was. Run counts are modest here; `pnpm stress` (SAVEPOINT_STRESS=1) multiplies them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SavepointError } from './errors.js';
import { resolveVaultPath } from './util/paths.js';
import { parseConfig } from './model/config.js';
import { parseNote } from './model/note.js';
import { parseAddress } from './model/version.js';
import { parseRefAdvertisement, parseReceivePackResult, parseUploadPackResult, splitPktLines, pktLine, FLUSH } from './remote/pkt-line.js';
import { readTar, TarFormatError, tarHeader, tarPadding, TAR_END } from './retention/tar.js';
import { openArchive } from './retention/archive-file.js';
import { digestBlob } from './store/object-store.js';
import { checkPacks } from './store/pack-check.js';
import { compactObjects } from './store/compact.js';
import { makeTempVault, gitCli } from './testing/temp-vault.js';
import type { TempVault } from './testing/temp-vault.js';
import { save } from './api/save.js';
import { restore } from './api/restore.js';
import { resolveVersion } from './api/query.js';
import { applyRetention, planVaultRetention } from './retention/apply.js';
import { archiveDir, readArchiveIndex } from './history/archived.js';

const STRESS = process.env.SAVEPOINT_STRESS === '1';
/** runs per property: cheap pure parsers, and properties that touch a real vault */
const PURE = STRESS ? 5000 : 150;
const IO = STRESS ? 400 : 12;
vi.setConfig({ testTimeout: STRESS ? 3_600_000 : 60_000 });
const tried: Record<string, number> = {};
const count = (name: string) => (tried[name] = (tried[name] ?? 0) + 1);

/** The only acceptable failure: a SavepointError with a stable code that is not E_INTERNAL. */
function expectCleanError(e: unknown, where: string): void {
  if (!(e instanceof SavepointError) || e.code === 'E_INTERNAL') {
    throw new Error(`${where}: ${e instanceof SavepointError ? `E_INTERNAL: ${e.message}` : `not a SavepointError: ${(e as Error)?.stack ?? e}`}`);
  }
  expect(e.code).toMatch(/^E_[A-Z_]+$/);
  expect(typeof e.message).toBe('string');
}

async function settles<T>(where: string, fn: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    expectCleanError(e, where);
    return undefined;
  }
}

/** Names and bytes of every file under dir (what "the vault did not change" means here). */
async function tree(dir: string, skip: (rel: string) => boolean = () => false): Promise<string> {
  const h = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const entries = await fsp.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip(r)) continue;
      h.update(r + '\0');
      if (e.isDirectory()) await walk(r);
      else if (e.isSymbolicLink()) h.update(await fsp.readlink(path.join(dir, r)));
      else if (e.isFile()) h.update(await fsp.readFile(path.join(dir, r)));
    }
  };
  await walk('');
  return h.digest('hex');
}

const hostilePiece = fc.constantFrom('..', '.', '/', '\\', '\0', '~', '%2e%2e', '.git', '.git/config', 'out', 'out/evil.csv', 'data.csv', '@', '@-1', '@latest', '@2026-05-01', ':', '\u202e', 'é', '\uFFFD', ' ', '//', 'C:\\', '\n', 'sp/', 'a'.repeat(300));
const hostilePath = fc.oneof(fc.string({ maxLength: 40 }), fc.array(hostilePiece, { minLength: 1, maxLength: 6 }).map((a) => a.join('')), fc.array(fc.oneof(hostilePiece, fc.string({ maxLength: 6 })), { maxLength: 5 }).map((a) => a.join('/')));

let t: TempVault;
let outside: string;
let outsideBefore: string;
const skipCaches = (rel: string) => rel.startsWith('.git/savepoint/') || rel === '.git/index' || rel.startsWith('.git/logs');

beforeAll(async () => {
  t = await makeTempVault();
  for (let i = 1; i <= 3; i++) {
    await t.write('data.csv', `id,v\n${Array.from({ length: 400 }, (_, k) => `${k},${(k * i) % 97}`).join('\n')}\n`);
    await save(t.vault, { files: ['data.csv'] });
  }
  outside = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-fuzz-outside-'));
  await fsp.writeFile(path.join(outside, 'evil.csv'), 'do not touch\n');
  await fsp.symlink(outside, path.join(t.dir, 'out'));
  outsideBefore = await tree(outside);
});
afterAll(async () => {
  console.log(`fuzz inputs tried: ${JSON.stringify(tried)} (total ${Object.values(tried).reduce((a, b) => a + b, 0)})`);
  await t?.cleanup();
  if (outside) await fsp.rm(outside, { recursive: true, force: true });
});

describe('hostile paths and addresses', () => {
  it('resolveVaultPath: inside the vault, or a clean error', async () => {
    await fc.assert(
      fc.asyncProperty(hostilePath, fc.constantFrom('', 'sub', '..', 'out'), async (input, cwdRel) => {
        count('paths');
        const rel = await settles(`resolveVaultPath(${JSON.stringify(input)})`, () => resolveVaultPath(t.dir, path.join(t.dir, cwdRel), input));
        if (rel === undefined) return;
        const abs = path.resolve(t.dir, rel);
        expect(abs === t.dir || abs.startsWith(t.dir + path.sep)).toBe(true);
        expect(rel.split('/')[0]).not.toBe('.git');
        const real = await fsp.realpath(abs).catch(() => null);
        if (real) expect(real.startsWith(t.dir + path.sep)).toBe(true);
      }),
      { numRuns: PURE, seed: 13 },
    );
  });

  it('parseAddress and resolveVersion: a version or a clean error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostilePath, fc.tuple(fc.constantFrom('data.csv', 'out/evil.csv', '../x', ''), fc.constantFrom('@', '@@', ':'), fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constantFrom('latest', '-0', '-99999999999999999999', '0x10', '1e3', '2026-13-45', 'v1', 'sp/data.csv/v1', '9'.repeat(40)))).map((a) => a.join(''))), async (addr) => {
        count('addresses');
        await settles(`parseAddress(${JSON.stringify(addr)})`, () => parseAddress(addr));
        const v = await settles(`resolveVersion(${JSON.stringify(addr)})`, () => resolveVersion(t.vault, addr));
        if (v) expect(v.path).toBe('data.csv');
      }),
      { numRuns: PURE, seed: 14 },
    );
  });

  it('save and restore with hostile paths: no write outside the vault, no change after a refusal', async () => {
    await fc.assert(
      fc.asyncProperty(hostilePath, hostilePath, async (file, to) => {
        count('save/restore paths');
        const before = await tree(t.dir, skipCaches);
        const saved = await settles(`save(${JSON.stringify(file)})`, () => save(t.vault, { files: [file] }));
        if (saved === undefined) expect(await tree(t.dir, skipCaches)).toBe(before);
        const mid = await tree(t.dir, skipCaches);
        const restored = await settles(`restore(to ${JSON.stringify(to)})`, () => restore(t.vault, { address: 'data.csv@1', to, afterSave: false }));
        if (restored === undefined) expect(await tree(t.dir, skipCaches)).toBe(mid);
        expect(await tree(outside)).toBe(outsideBefore);
      }),
      { numRuns: IO, seed: 15 },
    );
  });
});

describe('hostile savepoint.json and note JSON', () => {
  const keys = fc.constantFrom('retention', 'keepLast', 'checksum', 'md5', 'historyBranch', 'archiveLocation', 'exportDir', 'remotes', 'tracked', '__proto__', 'constructor', 'auto', 'compact', 'schema', 'files', 'status', 'version', 'sha256', 'size', 'savedAt', 'source');
  const nearJson = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), tie('obj'), fc.constantFrom('../../etc', '/abs', -1, 1e308, NaN, '', 'main..x', 'a'.repeat(10_000))),
    obj: fc.dictionary(keys, tie('value'), { maxKeys: 5 }),
  })).obj;
  const text = fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v)), nearJson.map((v) => JSON.stringify(v)), fc.constantFrom('{', '{"retention":', '\uFEFF{}', '[]', 'null', '{"__proto__":{"x":1}}'));

  it('parseConfig: a config or E_CONFIG_* (never a crash)', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (s) => {
        count('savepoint.json');
        await settles(`parseConfig(${s.slice(0, 80)})`, () => parseConfig(s));
      }),
      { numRuns: PURE, seed: 16 },
    );
  });

  it('parseNote: a note or a clean error', async () => {
    const files = fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('../x', '/etc/passwd', 'a/../../b', '.git/config')), fc.record({ version: fc.oneof(fc.integer(), fc.double(), fc.string()), sha256: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.string()), size: fc.oneof(fc.nat(), fc.integer()), savedAt: fc.oneof(fc.date().map((d) => (isNaN(d.getTime()) ? 'x' : d.toISOString())), fc.string()), source: fc.string() }, { requiredKeys: [] }), { maxKeys: 3 });
    const note = fc.oneof(text, fc.record({ schema: fc.oneof(fc.constant(1), fc.integer()), files, status: fc.oneof(fc.constantFrom('active', 'verified', 'archived'), fc.string()) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)));
    await fc.assert(
      fc.asyncProperty(note, async (s) => {
        count('note JSON');
        await settles(`parseNote(${s.slice(0, 80)})`, () => parseNote(s, '0'.repeat(40)));
      }),
      { numRuns: PURE, seed: 17 },
    );
  });
});

describe('hostile remote responses', () => {
  const pkt = fc.oneof(fc.uint8Array({ maxLength: 60 }).map((b) => pktLine(b)), fc.constant(FLUSH), fc.constant(Buffer.from('0001')), fc.constant(Buffer.from('0002')), fc.constant(Buffer.from('ffff')), fc.string({ maxLength: 8 }).map((s) => Buffer.from(s)),
    fc.tuple(fc.constantFrom(1, 2, 3, 4), fc.uint8Array({ maxLength: 40 })).map(([band, b]) => pktLine(Buffer.concat([Buffer.from([band]), b]))),
    fc.constantFrom('# service=git-upload-pack\n', '# service=git-receive-pack\n', `${'a'.repeat(40)} refs/heads/main\0side-band-64k ofs-delta\n`, 'unpack ok\n', 'ok refs/heads/main\n', 'ng refs/heads/main non-fast-forward\n', 'NAK\n', 'ACK ' + 'b'.repeat(40) + '\n', 'ERR access denied\n').map((s) => pktLine(s)));
  const body = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.array(pkt, { maxLength: 12 }).map((a) => Buffer.concat(a)));

  it('pkt-line, ref advertisement, upload-pack and receive-pack parsers: a result or a clean error', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, sideband) => {
        count('remote responses');
        await settles('splitPktLines', () => splitPktLines(b));
        await settles('parseRefAdvertisement', () => parseRefAdvertisement(b, 'git-upload-pack'));
        await settles('parseRefAdvertisement(receive)', () => parseRefAdvertisement(b, 'git-receive-pack'));
        await settles('parseUploadPackResult', () => parseUploadPackResult(b, sideband));
        await settles('parseReceivePackResult', () => parseReceivePackResult(b, sideband));
      }),
      { numRuns: PURE, seed: 18 },
    );
  });
});

describe('hostile pack, tar and bundle bytes', () => {
  const flips = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 });

  it('a damaged pack: every object reads intact (sha1-checked) or fails with a clean error', async () => {
    const p = await makeTempVault();
    try {
      const want = new Map<string, string>();
      for (let i = 1; i <= 4; i++) {
        const c = `k,v\n${Array.from({ length: 800 }, (_, k) => `${k},${k === i ? 'x' : (k * 7) % 31}`).join('\n')}\n`;
        await p.write('d.csv', c);
        const r = await save(p.vault, { files: ['d.csv'] });
        want.set(r.files[0]!.blob!, createHash('sha256').update(c).digest('hex'));
      }
      await compactObjects({ gitdir: p.vault.gitdir });
      const packDir = path.join(p.vault.gitdir, 'objects', 'pack');
      const names = await fsp.readdir(packDir);
      const pack = names.find((n) => n.endsWith('.pack'))!;
      const original = await fsp.readFile(path.join(packDir, pack));
      const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-fuzz-pack-'));
      try {
        await fc.assert(
          fc.asyncProperty(flips, fc.boolean(), async (fl, idxToo) => {
            count('pack bytes');
            const g = path.join(scratch, 'g');
            await fsp.rm(g, { recursive: true, force: true });
            await fsp.mkdir(path.join(g, 'objects', 'pack'), { recursive: true });
            for (const n of names) await fsp.copyFile(path.join(packDir, n), path.join(g, 'objects', 'pack', n));
            const target = idxToo ? names.find((n) => n.endsWith('.idx'))! : pack;
            const b = idxToo ? await fsp.readFile(path.join(packDir, target)) : Buffer.from(original);
            for (const [at, x] of fl) b[Math.floor(at * b.length)] ^= x;
            await fsp.writeFile(path.join(g, 'objects', 'pack', target), b);
            for (const [oid, sha] of want) {
              const d = await settles(`digestBlob(${oid})`, () => digestBlob(g, oid));
              if (d) expect(d.sha256).toBe(sha); // a read that succeeds is the true content
            }
            await settles('checkPacks', () => checkPacks(g));
          }),
          { numRuns: IO * 3, seed: 19 },
        );
      } finally {
        await fsp.rm(scratch, { recursive: true, force: true });
      }
    } finally {
      await p.cleanup();
    }
  });

  it('a damaged archive (gzip, tar headers, manifest, bundle, pack): opened whole or refused with a clean error', async () => {
    const a = await makeTempVault();
    try {
      for (let i = 1; i <= 5; i++) {
        await a.write('d.csv', `k,v\n${Array.from({ length: 200 }, (_, k) => `${k},${(k * i) % 13}`).join('\n')}\n`);
        await save(a.vault, { files: ['d.csv'] });
      }
      await applyRetention(a.vault, await planVaultRetention(a.vault, { overrides: { keepLast: 2 } }));
      const entry = (await readArchiveIndex(a.vault)).archives[0]!;
      const file = path.join(archiveDir(a.vault), entry.file);
      const original = await fsp.readFile(file);
      const { gunzipSync, gzipSync } = await import('node:zlib');
      const tarBytes = gunzipSync(original);
      const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-fuzz-archive-'));
      try {
        await fc.assert(
          fc.asyncProperty(flips, fc.boolean(), async (fl, inner) => {
            count('archive bytes');
            // inner: damage the tar stream (headers, manifest, bundle, pack) and re-gzip it, so the damage
            // reaches the parsers behind gzip's own checksum
            const b = Buffer.from(inner ? tarBytes : original);
            for (const [at, x] of fl) b[Math.floor(at * b.length)] ^= x;
            const damaged = path.join(scratch, 'a.tar.gz');
            await fsp.writeFile(damaged, inner ? gzipSync(b) : b);
            const opened = await settles('openArchive', () => openArchive(damaged, path.join(scratch, 'tmp'), 'fuzzed'));
            await opened?.close();
          }),
          { numRuns: IO * 3, seed: 20 },
        );
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
            count('tar bytes');
            // readTar's own failure type is TarFormatError; openArchive (above) turns it into E_ARCHIVE_CORRUPT
            try {
              await readTar((async function* () { yield Buffer.from(bytes); })(), () => ({ chunk() {}, end() {} }));
            } catch (e) {
              if (!(e instanceof TarFormatError)) expectCleanError(e, 'readTar');
            }
          }),
          { numRuns: PURE, seed: 21 },
        );
      } finally {
        await fsp.rm(scratch, { recursive: true, force: true });
      }
      gitCli(a.dir, ['fsck', '--strict']);
    } finally {
      await a.cleanup();
    }
  });
});

describe('inputs the fuzzer found (fixed; kept as regression tests)', () => {
  it('a save or restore of a path whose name is longer than the filesystem allows: E_INVALID_ARGUMENT, not E_INTERNAL', async () => {
    const before = await tree(t.dir, skipCaches);
    for (const name of ['a'.repeat(300), `${'a'.repeat(300)}..`, `sub/${'b'.repeat(4000)}`]) {
      await expect(save(t.vault, { files: [name] })).rejects.toMatchObject({ code: expect.stringMatching(/^E_(INVALID_ARGUMENT|FILE_NOT_FOUND)$/) });
    }
    expect(await tree(t.dir, skipCaches)).toBe(before);
    // restore to such a name: the temp file beside it is too long too; the error must say so, not crash
    await expect(restore(t.vault, { address: 'data.csv@1', to: 'a'.repeat(250), afterSave: false })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(restore(t.vault, { address: 'data.csv@1', to: `${'a'.repeat(300)}/data.csv`, afterSave: false })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    // a file where a folder of the target would go (found by fuzzing: "%2e%2e" then "%2e%2e/ ")
    await expect(restore(t.vault, { address: 'data.csv@1', to: 'data.csv/x.csv', afterSave: false })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    // the folders made on the way are removed again (found by fuzzing: "é/<300 a>/data.csv" left "é/")
    await expect(restore(t.vault, { address: 'data.csv@1', to: `é/b/${'a'.repeat(300)}/data.csv`, afterSave: false })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect(await tree(t.dir, skipCaches)).toBe(before);
  });

  it('an archive whose manifest lacks fields, or names a pack outside the scratch folder: E_ARCHIVE_CORRUPT, nothing written outside', async () => {
    const { gzipSync } = await import('node:zlib');
    const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-fuzz-manifest-'));
    try {
      const manifests = [
        { schema: 1, format: 'savepoint-archive' },
        { schema: 1, format: 'savepoint-archive', bundle: { packChecksum: '../../../escaped', sha256: '0'.repeat(64), size: 1, head: 'x', ref: 'r' }, index: { sha256: '0'.repeat(64) }, versions: [] },
        { schema: 1, format: 'savepoint-archive', bundle: { packChecksum: 'a'.repeat(40), sha256: '0'.repeat(64), size: 1, head: 'x', ref: 'r' }, index: { sha256: '0'.repeat(64) }, versions: [{ path: 1 }] },
        null,
      ];
      for (const [i, m] of manifests.entries()) {
        const text = Buffer.from(JSON.stringify(m));
        const bundle = Buffer.from('# v2 git bundle\n');
        const tar = Buffer.concat([tarHeader('manifest.json', text.length, 0), text, tarPadding(text.length), tarHeader('archive.bundle', bundle.length, 0), bundle, tarPadding(bundle.length), TAR_END]);
        const file = path.join(scratch, `a${i}.tar.gz`);
        await fsp.writeFile(file, gzipSync(tar));
        await expect(openArchive(file, path.join(scratch, 'tmp', 'deep', 'er'), `a${i}`)).rejects.toMatchObject({ code: 'E_ARCHIVE_CORRUPT' });
      }
      expect((await fsp.readdir(scratch)).sort()).toEqual(['a0.tar.gz', 'a1.tar.gz', 'a2.tar.gz', 'a3.tar.gz', 'tmp']);
      expect(await fsp.readdir(path.join(scratch, 'tmp'))).toEqual(['deep']);
    } finally {
      await fsp.rm(scratch, { recursive: true, force: true });
    }
  });
});
