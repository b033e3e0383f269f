/** maintain: retention, restoration test recorded in notes, compact, push retries, exports; lock; dry run. */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { looseObjectStats } from '../store/compact.js';
import { withLock } from '../util/lock.js';
import { maintain, pickSample } from './maintain.js';
import { log } from './query.js';
import { save } from './save.js';
import { readHealth } from '../health/record.js';
import type { VersionRecord } from '../model/version.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

async function saves(n: number, file = 'd.csv'): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await t.write(file, `v\n${i}\n`);
    await save(t.vault, { files: [file] });
  }
}

/** Everything under the vault except Savepoint's own state files, as name → bytes. */
async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for (const e of await fsp.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else out.set(r, (await fsp.readFile(path.join(dir, r))).toString('base64'));
    }
  };
  await walk('');
  return out;
}

describe('maintain', () => {
  it('picks the newest, the oldest and one random version; --full picks all', () => {
    const vs = Array.from({ length: 6 }, (_, i) => ({ path: 'd.csv', version: i + 1, commit: `c${i}` }) as VersionRecord);
    expect(pickSample(vs, false, () => 0.5).map((p) => [p.rec.version, p.pick])).toEqual([[6, 'newest'], [1, 'oldest'], [4, 'random']]);
    expect(pickSample(vs, false, () => 0.9999).map((p) => p.rec.version)).toEqual([6, 1, 5]);
    expect(pickSample(vs.slice(0, 1), false, () => 0).map((p) => p.pick)).toEqual(['newest']);
    expect(pickSample(vs, true, () => 0)).toHaveLength(6);
    expect(pickSample([], false, () => 0)).toEqual([]);
  });

  it('applies retention, restores a sample into a temp folder, records verifiedBy "maintain", compacts, refreshes exports; a rerun changes nothing', async () => {
    t = await makeTempVault();
    await saves(12);
    const r = await maintain(t.vault, { random: () => 0 });
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => [s.step, s.status])).toEqual([['retention', 'ok'], ['restore-test', 'ok'], ['compact', 'ok'], ['push', 'skipped'], ['exports', 'ok']]);
    expect(r.steps[0]!.details).toMatchObject({ archived: 2 });
    // newest (live), oldest (from its archive), random
    expect(r.restorationTest.map((i) => [i.version, i.pick, i.status, i.archived])).toEqual([[1, 'oldest', 'verified', true], [2, 'random', 'verified', true], [12, 'newest', 'verified', false]]);
    const newest = (await log(t.vault, { path: 'd.csv' }))[0]!;
    expect(newest).toMatchObject({ version: 12, status: 'verified', verifiedBy: 'maintain' });
    expect(JSON.parse(t.git(['notes', '--ref', 'savepoint', 'show', newest.commit]))).toMatchObject({ status: 'verified', verifiedBy: 'maintain' });
    expect((await looseObjectStats(t.vault.gitdir)).count).toBe(0);
    expect(t.git(['fsck', '--strict', '--no-dangling'])).toBe('');
    // idempotent: same refs, no new objects, nothing to do
    const refs = t.git(['for-each-ref']);
    const again = await maintain(t.vault, { random: () => 0 });
    expect(again.ok).toBe(true);
    expect(again.steps.find((s) => s.step === 'retention')!.details).toMatchObject({ archived: 0, deleted: 0 });
    expect(again.steps.find((s) => s.step === 'compact')!.status).toBe('skipped');
    expect(again.steps.find((s) => s.step === 'restore-test')!.details).toMatchObject({ notesMarked: 0 });
    expect(t.git(['for-each-ref'])).toBe(refs);
  });

  it('a damaged version fails the restoration test, is reported, and its note is not marked verified', async () => {
    t = await makeTempVault({ config: { retention: { auto: false } } });
    await saves(3);
    const v2 = (await log(t.vault, { path: 'd.csv' })).find((v) => v.version === 2)!;
    const obj = path.join(t.vault.gitdir, 'objects', v2.blob.slice(0, 2), v2.blob.slice(2));
    await fsp.chmod(obj, 0o644);
    const zlib = await import('node:zlib');
    await fsp.writeFile(obj, zlib.deflateSync(Buffer.from('blob 6\0v\nBAD\n')));
    const r = await maintain(t.vault, { full: true });
    expect(r.ok).toBe(false);
    expect(r.steps.find((s) => s.step === 'restore-test')).toMatchObject({ status: 'failed', error: { code: 'E_VERIFY_FAILED' } });
    expect(r.restorationTest.find((i) => i.version === 2)).toMatchObject({ status: 'failed', error: { code: expect.stringMatching(/^E_(CHECKSUM_MISMATCH|OBJECT_CORRUPT)$/) } });
    const after = await log(t.vault, { path: 'd.csv' });
    expect(after.map((v) => [v.version, v.status])).toEqual([[3, 'verified'], [2, 'active'], [1, 'verified']]);
    // the run is in the health record, and the damaged version is known to it (corrupt_version alert)
    const h = await readHealth(t.vault);
    expect(h.maintain).toMatchObject({ ok: false, runs: 1, error: { code: 'E_VERIFY_FAILED' } });
    expect(h.badVersions).toEqual([expect.objectContaining({ path: 'd.csv', version: 2, by: 'maintain' })]);
  });

  it('a good run is recorded in the health record (last maintain time, result, duration)', async () => {
    t = await makeTempVault({ config: { retention: { auto: false } } });
    await saves(2);
    const r = await maintain(t.vault, {});
    expect(r.ok).toBe(true);
    const h = await readHealth(t.vault);
    expect(h.maintain).toMatchObject({ ok: true, runs: 1, failures: 0, lastAt: r.startedAt });
    // a dry run is not a run
    await maintain(t.vault, { dryRun: true });
    expect((await readHealth(t.vault)).maintain).toMatchObject({ runs: 1 });
  });

  it('--dry-run changes nothing (files, refs, notes, no lock or state file)', async () => {
    t = await makeTempVault({ config: { autoCompactBytes: 0 } });
    await saves(12);
    const before = await tree(t.dir);
    const r = await maintain(t.vault, { dryRun: true });
    expect(r.dryRun).toBe(true);
    expect(r.steps.map((s) => [s.step, s.status])).toEqual([['retention', 'planned'], ['restore-test', 'planned'], ['compact', 'planned'], ['push', 'skipped'], ['exports', 'planned']]);
    expect(r.restorationTest.every((i) => i.status === 'planned')).toBe(true);
    expect(await tree(t.dir)).toEqual(before);
  });

  it('a second run waits for the first (lock), then reports that it just ran instead of repeating it', async () => {
    t = await makeTempVault();
    await saves(3);
    let waitedFor: { pid: number } | null = null;
    let second: Promise<Awaited<ReturnType<typeof maintain>>> | null = null;
    // hold the maintain lock as a first run does, and start the second run meanwhile
    const first = await withLock(t.vault.gitdir, 'maintain', async () => {
      second = maintain(t.vault, { onWait: (h) => (waitedFor = h) });
      await new Promise((r) => setTimeout(r, 400));
      expect(waitedFor).toMatchObject({ pid: process.pid });
      // what the first run leaves behind when it finishes
      const report = { ok: true, dryRun: false, outcome: 'ran', waited: false, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 1, steps: [], restorationTest: [] };
      await fsp.writeFile(path.join(t.vault.gitdir, 'savepoint', 'maintain.json'), JSON.stringify(report));
      return report;
    }, { name: 'maintain.lock' });
    const r = await second!;
    expect(r).toMatchObject({ outcome: 'just-ran', waited: true, previous: { finishedAt: first.finishedAt } });
    expect(r.steps).toEqual([]);
  });

  it('expires archives when retention.expireArchivesAfter is configured', async () => {
    let now = Date.parse('2026-05-01T09:00:00Z');
    t = await makeTempVault({ clock: () => new Date((now += 1000)), config: { retention: { auto: true, keepLast: 1, expireArchivesAfter: '1d' } } });
    await saves(3);
    await maintain(t.vault);
    const archived = (await log(t.vault, { path: 'd.csv' })).filter((v) => v.archive);
    expect(archived.map((v) => v.version)).toEqual([2, 1]);
    const archiveDir = path.join(t.dir, '.savepoint', 'archive');
    const files = async () => (await fsp.readdir(archiveDir, { recursive: true })).filter((f) => String(f).endsWith('.tar.gz'));
    expect(await files()).not.toEqual([]);
    now += 2 * 86_400_000;
    const r = await maintain(t.vault);
    expect(r.steps[0]).toMatchObject({ step: 'retention', status: 'ok', details: { deleted: 2 } });
    expect(await files()).toEqual([]);
    expect((await log(t.vault, { path: 'd.csv' })).map((v) => v.version)).toEqual([3]);
  });
});
