import 'fake-indexeddb/auto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import FS from '@isomorphic-git/lightning-fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { save } from '../api/save.js';
import { tagVersion } from '../api/tag.js';
import { log } from '../api/query.js';
import { addUnrelatedNotes, gitCli, makeTempDir, makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { isSavepointError } from '../errors.js';
import { readVaultHistory, readVaultHistoryDetailed, readVersionContent } from './index.js';

// Node 20 has no global `navigator`; LightningFS reads `navigator.locks` to pick its mutex.
// Without it LightningFS uses its IndexedDB-based mutex (served here by fake-indexeddb).
const g = globalThis as { navigator?: unknown };
if (typeof g.navigator === 'undefined') g.navigator = {};

let fsCount = 0;
/** Copy a real on-disk repository (its .git only) into a fresh LightningFS at /vault. */
async function copyIntoLightningFs(diskDir: string): Promise<FS> {
  const lfs = new FS(`sp-browser-test-${process.pid}-${fsCount++}`, { wipe: true });
  const p = lfs.promises;
  await p.mkdir('/vault');
  const walk = async (from: string, to: string): Promise<void> => {
    await p.mkdir(to);
    for (const e of await fsp.readdir(from, { withFileTypes: true })) {
      const src = path.join(from, e.name);
      const dst = `${to}/${e.name}`;
      if (e.isDirectory()) await walk(src, dst);
      else if (e.isFile()) await p.writeFile(dst, new Uint8Array(await fsp.readFile(src)));
    }
  };
  await walk(path.join(diskDir, '.git'), '/vault/.git');
  return lfs;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isSavepointError(err), `expected a SavepointError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

const allBytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);

describe('browser read path over LightningFS', () => {
  let tv: TempVault;
  let lfs: FS;
  /** `path@version` → the bytes saved */
  const written = new Map<string, Uint8Array>();

  async function saveFile(rel: string, content: string | Uint8Array, extra: { experiment?: string; message?: string } = {}) {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    await tv.write(rel, bytes);
    const r = await save(tv.vault, { files: [rel], ...extra });
    const f = r.files[0]!;
    written.set(`${rel}@${f.version}`, bytes);
  }

  beforeAll(async () => {
    tv = await makeTempVault();
    await saveFile('prices.csv', 'sku,price\na,1\n');
    await saveFile('nested/dir/model.bin', allBytes, { message: 'first model' });
    await saveFile('prices.csv', 'sku,price\na,2\nb,3\n', { experiment: 'exp-42' });
    await tagVersion(tv.vault, { address: 'prices.csv@2' });
    await tagVersion(tv.vault, { address: 'nested/dir/model.bin@1', name: 'release-1' });
    // both files in one save
    await tv.write('prices.csv', 'sku,price\na,2\nb,4\n');
    await tv.write('nested/dir/model.bin', allBytes.slice(100));
    const both = await save(tv.vault, { files: ['prices.csv', 'nested/dir/model.bin'], description: 'two at once' });
    written.set(`prices.csv@${both.files[0]!.version}`, new TextEncoder().encode('sku,price\na,2\nb,4\n'));
    written.set(`nested/dir/model.bin@${both.files[1]!.version}`, allBytes.slice(100));
    await saveFile('empty.txt', '');

    // ~300 unrelated notes so native git fans the notes tree out (ab/cdef…)
    await addUnrelatedNotes(tv, 300);
    // one more save on top of the fanned-out notes tree
    await saveFile('prices.csv', 'sku,price\na,9\n');

    lfs = await copyIntoLightningFs(tv.dir);
  });

  afterAll(async () => {
    await tv?.cleanup();
  });

  it('the notes tree really is fanned out', () => {
    const root = tv.git(['ls-tree', 'refs/notes/savepoint']).trim().split('\n');
    expect(root.length).toBeGreaterThan(0);
    expect(root.every((l) => /^040000 tree [0-9a-f]{40}\t[0-9a-f]{2}$/.test(l))).toBe(true);
  });

  it('readVaultHistory matches core log() (oldest first)', async () => {
    const mine = await readVaultHistory({ fs: lfs, dir: '/vault' });
    const theirs = (await log(await tv.reopen())).reverse();
    expect(mine).toEqual(theirs);
    expect(mine.length).toBe(written.size);
    // spot checks that do not depend on log() being right
    const p2 = mine.find((v) => v.path === 'prices.csv' && v.version === 2)!;
    expect(p2.experiment).toBe('exp-42');
    expect(p2.tags).toEqual(['sp/prices.csv/v2']);
    expect(mine.find((v) => v.path === 'nested/dir/model.bin' && v.version === 1)!.tags).toEqual(['release-1']);
    for (const v of mine) {
      const bytes = written.get(`${v.path}@${v.version}`)!;
      expect(v.size).toBe(bytes.byteLength);
      expect(v.blob).toBe(tv.git(['rev-parse', `${v.commit}:${v.path}`]).trim());
    }
  });

  it('works with the promises fs and an explicit branch and gitdir', async () => {
    const a = await readVaultHistory({ fs: lfs.promises as never, dir: '/vault', gitdir: '/vault/.git', branch: 'main' });
    const b = await readVaultHistory({ fs: lfs, dir: '/vault' });
    expect(a).toEqual(b);
  });

  it('readVersionContent returns the exact bytes of every version', async () => {
    const history = await readVaultHistoryDetailed({ fs: lfs, dir: '/vault' });
    for (const [address, bytes] of written) {
      const got = await readVersionContent({ fs: lfs, dir: '/vault', address, history });
      expect(Buffer.from(got).equals(Buffer.from(bytes)), address).toBe(true);
    }
    // other address forms
    const latest = await readVersionContent({ fs: lfs, dir: '/vault', address: 'prices.csv' });
    expect(new TextDecoder().decode(latest)).toBe('sku,price\na,9\n');
    const prev = await readVersionContent({ fs: lfs, dir: '/vault', address: 'prices.csv@-1', history });
    expect(new TextDecoder().decode(prev)).toBe('sku,price\na,2\nb,4\n');
    const tagged = await readVersionContent({ fs: lfs, dir: '/vault', address: 'nested/dir/model.bin@release-1', history });
    expect(Buffer.from(tagged).equals(Buffer.from(allBytes))).toBe(true);
    await expectCode(readVersionContent({ fs: lfs, dir: '/vault', address: 'prices.csv@99', history }), 'E_UNKNOWN_VERSION');
    await expectCode(readVersionContent({ fs: lfs, dir: '/vault', address: 'nope.csv', history }), 'E_NOT_TRACKED');
  });

  it('reads a packed repository (git gc) the same way', async () => {
    const root = await makeTempDir('sp-gc-');
    try {
      await fsp.cp(tv.dir, root + '/vault', { recursive: true });
      gitCli(root + '/vault', ['gc', '-q', '--prune=now']);
      expect((await fsp.readdir(root + '/vault/.git/objects/pack')).some((f) => f.endsWith('.pack'))).toBe(true);
      const packed = await copyIntoLightningFs(root + '/vault');
      expect(await readVaultHistory({ fs: packed, dir: '/vault' })).toEqual(await readVaultHistory({ fs: lfs, dir: '/vault' }));
      const got = await readVersionContent({ fs: packed, dir: '/vault', address: 'nested/dir/model.bin@1' });
      expect(Buffer.from(got).equals(Buffer.from(allBytes))).toBe(true);
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('a note whose sha256 disagrees with the blob gives E_CHECKSUM_MISMATCH', async () => {
    const root = await makeTempDir('sp-badnote-');
    try {
      const dir = root + '/vault';
      await fsp.cp(tv.dir, dir, { recursive: true });
      const v = (await readVaultHistory({ fs: lfs, dir: '/vault' })).find((r) => r.path === 'prices.csv' && r.version === 1)!;
      const note = JSON.parse(gitCli(dir, ['notes', '--ref=savepoint', 'show', v.commit])) as { files: Record<string, { sha256: string }> };
      note.files['prices.csv']!.sha256 = '0'.repeat(64);
      gitCli(dir, ['notes', '--ref=savepoint', 'add', '-f', '-m', JSON.stringify(note), v.commit]);
      const bad = await copyIntoLightningFs(dir);
      await expectCode(readVersionContent({ fs: bad, dir: '/vault', address: 'prices.csv@1' }), 'E_CHECKSUM_MISMATCH');
      // other versions still read
      expect(new TextDecoder().decode(await readVersionContent({ fs: bad, dir: '/vault', address: 'prices.csv@2' }))).toBe('sku,price\na,2\nb,3\n');
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('a flipped byte in a loose object gives E_OBJECT_CORRUPT, not wrong bytes', async () => {
    const v = (await readVaultHistory({ fs: lfs, dir: '/vault' })).find((r) => r.path === 'nested/dir/model.bin' && r.version === 1)!;
    const broken = await copyIntoLightningFs(tv.dir);
    const file = `/vault/.git/objects/${v.blob.slice(0, 2)}/${v.blob.slice(2)}`;
    const raw = (await broken.promises.readFile(file)) as Uint8Array;
    const copy = Uint8Array.from(raw);
    const at = Math.floor(copy.length / 2);
    copy[at] = copy[at]! ^ 0x55;
    await broken.promises.writeFile(file, copy);
    await expectCode(readVersionContent({ fs: broken, dir: '/vault', address: 'nested/dir/model.bin@1' }), 'E_OBJECT_CORRUPT');
  });
});

describe('browser read path: random contents round-trip', () => {
  it('every saved version reads back byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 1, maxLength: 5 }), async (contents) => {
        const tv = await makeTempVault();
        try {
          const expected: Uint8Array[] = [];
          for (const c of contents) {
            await tv.write('data.bin', c);
            const r = await save(tv.vault, { files: ['data.bin'] });
            if (r.files[0]!.status === 'saved') expected.push(c);
          }
          const lfs = await copyIntoLightningFs(tv.dir);
          const history = await readVaultHistoryDetailed({ fs: lfs, dir: '/vault' });
          expect(history.versions.map((v) => v.version)).toEqual(expected.map((_, i) => i + 1));
          for (const [i, c] of expected.entries()) {
            const got = await readVersionContent({ fs: lfs, dir: '/vault', address: `data.bin@${i + 1}`, history });
            expect(Buffer.from(got).equals(Buffer.from(c))).toBe(true);
          }
        } finally {
          await tv.cleanup();
        }
      }),
      { numRuns: 8 },
    );
  });
});

describe('browser entry point imports no node: modules', () => {
  it('walks every relative import from browser/index.ts', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await fsp.readFile(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || /^(fs|path|os|crypto|stream|zlib|child_process|url|util|events)(\/|$)/.test(spec)) bad.push(`${path.relative(here, file)} imports ${spec}`);
        else if (spec.startsWith('.')) await visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    };
    await visit(path.join(here, 'index.ts'));
    expect(seen.size).toBeGreaterThanOrEqual(5);
    expect(bad).toEqual([]);
  });
});
