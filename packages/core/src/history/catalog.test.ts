/**
 * The catalog (issue 14 item 3): it must always equal a rebuild from git (branch + notes + archive index),
 * whatever happened in between — saves, tags, retention rewrites, a crash between the ref move and the
 * catalog write, a damaged or foreign file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from '../api/save.js';
import { tagVersion } from '../api/tag.js';
import { experiments, findVersions, log } from '../api/query.js';
import { status } from '../api/status.js';
import { applyRetention, planVaultRetention } from '../retention/apply.js';
import { Catalog, catalogFile } from './catalog.js';
import { loadHistory, openHistoryIndex } from './versions.js';
import type { History } from './versions.js';
import type { Vault } from '../vault.js';

let t: TempVault | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** What a from-scratch build says (the vault's catalog file set aside meanwhile, then put back). */
async function rebuilt(vault: Vault): Promise<History> {
  const file = catalogFile(vault);
  const aside = `${file}.aside`;
  await fsp.rename(file, aside).catch(() => undefined);
  try {
    // the public path, on no catalog, is the rebuild
    return await loadHistory(vault);
  } finally {
    await fsp.rm(file, { force: true });
    await fsp.rm(`${file}-wal`, { force: true });
    await fsp.rm(`${file}-shm`, { force: true });
    await fsp.rename(aside, file).catch(() => undefined);
  }
}

async function expectCurrent(vault: Vault): Promise<History> {
  const incremental = await loadHistory(vault);
  const fresh = await rebuilt(vault);
  expect(incremental.versions).toEqual(fresh.versions);
  expect(incremental.commits).toEqual(fresh.commits);
  expect([...incremental.tags]).toEqual([...fresh.tags]);
  expect(incremental.tip).toBe(fresh.tip);
  return incremental;
}

type Op = { op: 'save'; file: number; content: number; experiment: number | null } | { op: 'tag'; file: number } | { op: 'retain'; keep: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('save' as const), file: fc.integer({ min: 0, max: 2 }), content: fc.integer({ min: 0, max: 5 }), experiment: fc.option(fc.integer({ min: 1, max: 2 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tag' as const), file: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('retain' as const), keep: fc.integer({ min: 1, max: 2 }) }) },
);

describe('the catalog', () => {
  it('equals a from-notes rebuild after any sequence of saves, tags and retention runs (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 7 }), async (ops) => {
        const v = await makeTempVault({ config: { retention: { auto: false } } });
        try {
          let tagN = 0;
          for (const o of ops) {
            if (o.op === 'save') {
              await v.write(`f${o.file}.csv`, `id,x\n1,${o.content}\n`);
              await save(v.vault, { files: [`f${o.file}.csv`], ...(o.experiment ? { experiment: `EXP-${o.experiment}` } : {}) });
            } else if (o.op === 'tag') {
              await tagVersion(v.vault, { address: `f${o.file}.csv`, name: `t${tagN++}` }).catch((e: { code?: string }) => {
                if (e.code !== 'E_NOT_TRACKED' && e.code !== 'E_UNKNOWN_VERSION') throw e;
              });
            } else {
              const plan = await planVaultRetention(v.vault, { overrides: { keepLast: o.keep } });
              if (plan.counts.archive + plan.counts.delete > 0) await applyRetention(v.vault, plan);
            }
            // a new process each time, like the CLI
            await v.reopen();
          }
          await expectCurrent(v.vault);
        } finally {
          await v.cleanup();
        }
      }),
      { numRuns: 6 },
    );
  }, 240_000);

  it('catches up incrementally after a crash between the ref move and the catalog write', async () => {
    t = await makeTempVault();
    for (let i = 1; i <= 3; i++) {
      await t.write('a.csv', `x\n${i}\n`);
      await save(t.vault, { files: ['a.csv'] });
    }
    await loadHistory(t.vault);
    const file = catalogFile(t.vault);
    const before = await fsp.readFile(file);
    await t.write('a.csv', 'x\n4\n');
    await save(t.vault, { files: ['a.csv'], experiment: 'EXP-7' });
    // the catalog write is lost, as if the process died right after the branch moved
    await fsp.writeFile(file, before);
    // mark a row the catch-up must not touch: a rebuild would lose it, an incremental catch-up keeps it
    const cat = await Catalog.open(t.vault);
    cat.db.prepare("UPDATE saves SET data = json_set(data, '$.summary', 'marker') WHERE seq = 1").run();
    cat.close();
    const idx = await openHistoryIndex(t.vault);
    try {
      expect(idx.catalog.meta()!.tip).toBe(t.git(['rev-parse', 'main']).trim());
      expect(idx.catalog.latest('a.csv')).toMatchObject({ version: 4, experiment: 'EXP-7' });
      expect(JSON.parse(idx.catalog.db.prepare('SELECT data FROM saves WHERE seq = 1').pluck().get() as string).summary).toBe('marker');
    } finally {
      idx.close();
    }
    // and a save right after the crash numbers on from the real history, not the catalog's
    await fsp.writeFile(file, before);
    await t.write('a.csv', 'x\n5\n');
    expect((await save(t.vault, { files: ['a.csv'] })).files[0]!.version).toBe(5);
    // the marker is ours, not git's: drop it before comparing with a rebuild
    await fsp.rm(file);
    await expectCurrent(t.vault);
  });

  it('rebuilds a damaged catalog file, a catalog of another branch and one whose tip does not match its rows', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'x\n1\n');
    await save(t.vault, { files: ['a.csv'], experiment: 'E1' });
    await t.write('a.csv', 'x\n2\n');
    await save(t.vault, { files: ['a.csv'] });
    const file = catalogFile(t.vault);
    const good = await expectCurrent(t.vault);

    await fsp.writeFile(file, 'this is not a database, just garbage bytes '.repeat(200));
    expect((await loadHistory(t.vault)).versions).toEqual(good.versions);
    expect(await fsp.readFile(`${file}.damaged`, 'utf8')).toContain('garbage');

    // a valid file whose pages were overwritten in the middle
    const bytes = await fsp.readFile(file);
    bytes.fill(0xa5, 4096, Math.min(bytes.length, 4096 * 3));
    await fsp.writeFile(file, bytes);
    expect((await log(t.vault)).map((v) => v.version)).toEqual([2, 1]);
    expect((await loadHistory(t.vault)).versions).toEqual(good.versions);

    // lies in meta: a tip the rows do not end with is never trusted
    const cat = await Catalog.open(t.vault);
    cat.db.prepare('DELETE FROM versions WHERE version = 2').run();
    cat.db.prepare('DELETE FROM saves WHERE seq = (SELECT MAX(seq) FROM saves)').run();
    cat.close();
    expect((await log(t.vault)).map((v) => v.version)).toEqual([2, 1]);

    // another branch's catalog
    const c2 = await Catalog.open(t.vault);
    c2.setMeta({ branch: 'other' });
    c2.close();
    expect((await loadHistory(t.vault)).versions).toEqual(good.versions);
  });

  it('two readers catching up at once do not both append (no duplicate rows)', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'x\n0\n');
    await save(t.vault, { files: ['a.csv'] });
    await loadHistory(t.vault);
    const file = catalogFile(t.vault);
    const before = await fsp.readFile(file);
    for (let i = 1; i <= 4; i++) {
      await t.write('a.csv', `x\n${i}\n`);
      await save(t.vault, { files: ['a.csv'] });
    }
    await fsp.writeFile(file, before); // stale by four saves
    const [h1, h2, h3] = await Promise.all([loadHistory(t.vault), loadHistory(t.vault), log(t.vault)]);
    expect(h1.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    expect(h2.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    expect(h3.map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
    await expectCurrent(t.vault);
  });

  it('follows a branch that moved sideways (reset to an older save, then a new save)', async () => {
    t = await makeTempVault();
    for (let i = 1; i <= 3; i++) {
      await t.write('a.csv', `x\n${i}\n`);
      await save(t.vault, { files: ['a.csv'] });
    }
    await loadHistory(t.vault);
    const second = t.git(['rev-parse', 'main~1']).trim();
    t.git(['update-ref', 'refs/heads/main', second]);
    t.git(['reset', '-q', '--hard']);
    expect((await log(t.vault)).map((v) => v.version)).toEqual([2, 1]);
    await t.write('a.csv', 'x\nnew\n');
    expect((await save(t.vault, { files: ['a.csv'] })).files[0]!.version).toBe(3);
    await expectCurrent(t.vault);
  });

  it('sees notes changed behind its back (status verified) and tags added by git', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'x\n1\n');
    const r = await save(t.vault, { files: ['a.csv'] });
    expect((await log(t.vault))[0]!.status).toBe('active');
    const note = JSON.parse(t.git(['notes', '--ref', 'savepoint', 'show', r.commit!]));
    note.status = 'verified';
    t.git(['notes', '--ref', 'savepoint', 'add', '-f', '-F', '-', r.commit!], JSON.stringify(note));
    t.git(['tag', 'by-git', r.commit!]);
    const [v] = await log(t.vault);
    expect(v).toMatchObject({ status: 'verified', tags: ['by-git'] });
    await expectCurrent(t.vault);
  });

  it('answers experiments, find and status from its tables', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'x\n1\n');
    await save(t.vault, { files: ['a.csv'], experiment: 'EXP-7' });
    await t.write('b.csv', 'y\n1\n');
    await save(t.vault, { files: ['b.csv'], experiment: 'EXP-7', kind: 'auto' });
    await t.write('a.csv', 'x\n2\n');
    await save(t.vault, { files: ['a.csv'], experiment: 'EXP-8' });
    await t.write('a.csv', 'x\n1\n');
    expect(await experiments(t.vault)).toEqual([
      { experiment: 'EXP-7', files: ['a.csv', 'b.csv'], versions: 2, firstSavedAt: expect.any(String), lastSavedAt: expect.any(String) },
      { experiment: 'EXP-8', files: ['a.csv'], versions: 1, firstSavedAt: expect.any(String), lastSavedAt: expect.any(String) },
    ]);
    expect((await log(t.vault, { experiment: 'EXP-7' })).map((v) => `${v.path}@${v.version}`)).toEqual(['b.csv@1', 'a.csv@1']);
    await expect(log(t.vault, { experiment: 'EXP-9' })).rejects.toMatchObject({ code: 'E_UNKNOWN_EXPERIMENT' });
    const all = await log(t.vault);
    const a1 = all.find((v) => v.path === 'a.csv' && v.version === 1)!;
    expect((await findVersions(t.vault, { sha256: a1.sha256.toUpperCase() })).map((v) => v.commit)).toEqual([a1.commit]);
    expect((await findVersions(t.vault, { kind: 'auto' })).map((v) => v.path)).toEqual(['b.csv']);
    expect((await findVersions(t.vault, { since: all[1]!.savedAt })).map((v) => `${v.path}@${v.version}`)).toEqual(['a.csv@2', 'b.csv@1']);
    expect((await findVersions(t.vault, { until: all[1]!.savedAt })).map((v) => `${v.path}@${v.version}`)).toEqual(['b.csv@1', 'a.csv@1']);
    await expect(findVersions(t.vault, { sha256: 'abc' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(findVersions(t.vault, { since: 'yesterday' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(findVersions(t.vault, { kind: 'nightly' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    const st = await status(t.vault);
    expect(st.find((f) => f.path === 'a.csv')).toMatchObject({ state: 'modified', latestVersion: 2, matchesVersion: 1, versions: 2 });
    expect(st.find((f) => f.path === 'b.csv')).toMatchObject({ state: 'unchanged', latestVersion: 1, versions: 1 });
  });

  it('keeps no JSON history cache: the catalog file is where history is indexed', async () => {
    t = await makeTempVault();
    await t.write('a.csv', 'x\n1\n');
    await save(t.vault, { files: ['a.csv'] });
    await log(t.vault);
    const files = await fsp.readdir(path.join(t.vault.gitdir, 'savepoint'));
    expect(files).toContain('catalog.db');
    expect(files.filter((f) => f.startsWith('history-'))).toEqual([]);
  });
});
