/**
 * maintain: the one thing a scheduler runs. In order: retention (when retention.auto; archive expiry is part
 * of the plan when retention.expireArchivesAfter is set); a restoration test: the newest, the oldest and one
 * random version (`full`: every version) restored into a temp folder outside the vault and re-hashed, saves
 * that pass and were not verified yet get `verified` / `verifiedBy: "maintain"` in their note; compact (loose
 * objects over autoCompactBytes, or any when that is 0; after the notes were written, so a second run finds
 * nothing to pack); retry queued pushes (and push autoPush remotes); refresh exports.
 * Idempotent: a second run right after the first changes nothing in the repository.
 *
 * Lock-protected by its own lock file (`.git/savepoint/maintain.lock`, separate from the write lock, so saves
 * go on while it runs): a second run waits for the first, then reports that it just ran instead of repeating
 * the work. `dryRun` reads only: nothing in the vault, the notes, the queue or the temp folder changes.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SavepointError, isSavepointError } from '../errors.js';
import { serializeNote } from '../model/note.js';
import type { SaveNote } from '../model/note.js';
import type { VersionRecord } from '../model/version.js';
import { writeNotes } from '../history/notes.js';
import { loadHistory } from '../history/versions.js';
import { autoPushTargets, pushRemotes } from './push-many.js';
import type { PushOutcome } from './push-many.js';
import type { TransportOptions } from '../remote/transport.js';
import { planVaultRetention } from '../retention/apply.js';
import { autoCompact, looseObjectStats, shouldCompact } from '../store/compact.js';
import { digestFile } from '../store/object-store.js';
import { trackTemp } from '../util/cleanup.js';
import { withLock } from '../util/lock.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import { personAt } from '../vault.js';
import { runRetention, stepError } from './after-save.js';
import type { StepError } from './after-save.js';
import { refreshExports } from './export.js';
import { recordOperation } from '../health/record.js';
import { materialize } from './restore.js';
import { writeFileAtomic } from '../util/atomic.js';

/** Where the last run's report is kept (under .git/savepoint). */
export const MAINTAIN_STATE_FILE = 'maintain.json';

export interface MaintainOptions extends TransportOptions {
  dryRun?: boolean;
  /** restoration test of every version instead of a sample */
  full?: boolean;
  /** picks the random sample (default Math.random); tests pass a fixed one */
  random?: () => number;
  /** how long to wait for another `maintain` to finish (default 2 h) */
  waitMs?: number;
  /** called when another run holds the maintain lock and this one starts waiting */
  onWait?: (holder: { pid: number; what: string }) => void;
  onProgress?: ProgressCallback;
}

export type MaintainStepName = 'retention' | 'compact' | 'push' | 'exports' | 'restore-test';

export interface MaintainStep {
  step: MaintainStepName;
  status: 'ok' | 'skipped' | 'failed' | 'planned';
  /** why skipped, or what a dry run would do */
  reason?: string;
  error?: StepError;
  durationMs?: number;
  details?: Record<string, unknown>;
}

export interface RestorationTestItem {
  path: string;
  version: number;
  commit: string;
  /** why it was picked: newest | oldest | random | same-save | full */
  pick: string;
  status: 'verified' | 'failed' | 'planned';
  expected: string;
  actual?: string;
  archived: boolean;
  error?: StepError;
}

export interface MaintainReport {
  ok: boolean;
  dryRun: boolean;
  /** `just-ran`: another run finished while this one waited for it, so nothing was repeated */
  outcome: 'ran' | 'just-ran';
  waited: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  steps: MaintainStep[];
  restorationTest: RestorationTestItem[];
  /** with outcome `just-ran`: that run's report */
  previous?: MaintainReport;
}

async function readState(vault: Vault): Promise<MaintainReport | null> {
  try {
    return JSON.parse(await fsp.readFile(path.join(vault.gitdir, 'savepoint', MAINTAIN_STATE_FILE), 'utf8')) as MaintainReport;
  } catch {
    return null;
  }
}

async function writeState(vault: Vault, r: MaintainReport): Promise<void> {
  await writeFileAtomic(path.join(vault.gitdir, 'savepoint', MAINTAIN_STATE_FILE), JSON.stringify(r, null, 2) + '\n');
}

/** Newest, oldest and one random version (by save order); with `full`, every version. Pure. */
export function pickSample(versions: readonly VersionRecord[], full: boolean, random: () => number): { rec: VersionRecord; pick: string }[] {
  if (versions.length === 0) return [];
  if (full) return versions.map((rec) => ({ rec, pick: 'full' }));
  // versions are oldest save first; savedAt breaks no ties that order does not already settle
  const newest = versions[versions.length - 1]!;
  const oldest = versions[0]!;
  const out = [{ rec: newest, pick: 'newest' }];
  if (oldest !== newest) out.push({ rec: oldest, pick: 'oldest' });
  const rest = versions.filter((v) => v !== newest && v !== oldest);
  if (rest.length) out.push({ rec: rest[Math.min(rest.length - 1, Math.floor(random() * rest.length))]!, pick: 'random' });
  return out;
}

async function timed(step: MaintainStepName, fn: () => Promise<Omit<MaintainStep, 'step' | 'durationMs'>>): Promise<MaintainStep> {
  const started = Date.now();
  try {
    return { step, ...(await fn()), durationMs: Date.now() - started };
  } catch (e) {
    return { step, status: 'failed', error: stepError(e, step), durationMs: Date.now() - started };
  }
}

async function restorationTest(vault: Vault, opts: MaintainOptions): Promise<{ items: RestorationTestItem[]; notesMarked: number }> {
  const history = await loadHistory(vault);
  const picks = pickSample(history.versions, !!opts.full, opts.random ?? Math.random);
  // a note covers a whole save: test every file of a picked save, so `verified` in its note is true of all of it
  const picked = new Map(picks.map((p) => [`${p.rec.path}\0${p.rec.version}`, p.pick]));
  const commits = new Set(picks.map((p) => p.rec.commit));
  const items = history.versions.filter((v) => commits.has(v.commit)).map((rec) => ({ rec, pick: picked.get(`${rec.path}\0${rec.version}`) ?? 'same-save' }));
  const base = (rec: VersionRecord, pick: string) => ({ path: rec.path, version: rec.version, commit: rec.commit, pick, expected: rec.sha256, archived: !!rec.archive });
  if (opts.dryRun) return { items: items.map(({ rec, pick }) => ({ ...base(rec, pick), status: 'planned' as const })), notesMarked: 0 };

  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'savepoint-maintain-'));
  const untrack = trackTemp(tmp);
  const out: RestorationTestItem[] = [];
  try {
    let n = 0;
    for (const { rec, pick } of items) {
      const dest = path.join(tmp, `${++n}-${path.basename(rec.path)}`);
      try {
        // materialize checks the sha256 as it writes; hashing the written file again checks what landed on disk
        await materialize(vault, rec, dest, opts.onProgress && ((e) => opts.onProgress!({ ...e, phase: 'restore-test', item: `${rec.path}@${rec.version}` })));
        const d = await digestFile(dest);
        if (d.sha256 !== rec.sha256 || (rec.size >= 0 && d.size !== rec.size)) {
          throw new SavepointError('E_CHECKSUM_MISMATCH', `${rec.path}@${rec.version} restored to ${d.sha256.slice(0, 12)}… (${d.size} bytes); its note says ${rec.sha256.slice(0, 12)}… (${rec.size} bytes).`, { path: rec.path, version: rec.version, expected: rec.sha256, actual: d.sha256 });
        }
        out.push({ ...base(rec, pick), status: 'verified', actual: d.sha256 });
      } catch (e) {
        if (!isSavepointError(e) && !(e as NodeJS.ErrnoException)?.code) throw e;
        out.push({ ...base(rec, pick), status: 'failed', error: stepError(e, `restoring ${rec.path}@${rec.version}`), ...(isSavepointError(e) && typeof e.details.actual === 'string' ? { actual: e.details.actual } : {}) });
      } finally {
        await fsp.rm(dest, { force: true });
      }
    }
  } finally {
    untrack();
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  return { items: out, notesMarked: await recordVerified(vault, out) };
}

/** Notes of saves whose every tested file restored bit-exact: `verified`, verifiedBy "maintain". Archived and already verified saves keep their note. */
async function recordVerified(vault: Vault, items: RestorationTestItem[]): Promise<number> {
  const okByCommit = new Map<string, boolean>();
  for (const i of items) okByCommit.set(i.commit, (okByCommit.get(i.commit) ?? true) && i.status === 'verified');
  if (![...okByCommit.values()].some(Boolean)) return 0;
  return withLock(vault.gitdir, 'maintain: recording verified saves', async () => {
    const history = await loadHistory(vault);
    const now = vault.clock();
    const updates = new Map<string, string>();
    for (const c of history.commits) {
      // already verified (by maintain or `savepoint verify`): left as is, so a rerun writes nothing
      if (!c.note || !okByCommit.get(c.oid) || c.note.status !== 'active') continue;
      const note: SaveNote = { ...c.note, status: 'verified', verifiedAt: now.toISOString(), verifiedBy: 'maintain' };
      updates.set(c.oid, serializeNote(note));
    }
    if (updates.size) await writeNotes(vault, updates, personAt(vault.author, now), "Notes updated by 'savepoint maintain' (restoration test)");
    return updates.size;
  });
}

async function run(vault: Vault, opts: MaintainOptions, startedAt: Date, waited: boolean): Promise<MaintainReport> {
  const dry = !!opts.dryRun;
  const cfg = vault.config;
  const steps: MaintainStep[] = [];

  steps.push(
    await timed('retention', async () => {
      if (!cfg.retention.auto) return { status: 'skipped', reason: 'retention.auto is false (run `savepoint retention apply` by hand, or set it to true)' };
      if (dry) {
        const plan = await planVaultRetention(vault);
        return { status: 'planned', reason: `would archive ${plan.counts.archive} and delete ${plan.counts.delete} version(s)`, details: { counts: plan.counts } };
      }
      const r = await runRetention(vault, opts.onProgress);
      return { status: 'ok', details: r };
    }),
  );

  let restorationTestItems: RestorationTestItem[] = [];
  steps.push(
    await timed('restore-test', async () => {
      const t = await restorationTest(vault, opts);
      restorationTestItems = t.items;
      if (restorationTestItems.length === 0) return { status: 'skipped', reason: 'no saved versions yet' };
      if (dry) return { status: 'planned', reason: `would restore ${restorationTestItems.length} version(s) into a temp folder and check their sha256` };
      const failed = restorationTestItems.filter((i) => i.status === 'failed');
      return failed.length
        ? { status: 'failed', error: { code: 'E_VERIFY_FAILED', message: `${failed.length} of ${restorationTestItems.length} restored version(s) did not match their checksum: ${failed.map((f) => `${f.path}@${f.version}`).join(', ')}. Run \`savepoint verify\`.` } }
        : { status: 'ok', details: { verified: restorationTestItems.length, notesMarked: t.notesMarked } };
    }),
  );

  steps.push(
    await timed('compact', async () => {
      const threshold = cfg.autoCompactBytes > 0 ? cfg.autoCompactBytes : 0;
      const stats = await looseObjectStats(vault.gitdir);
      if (!shouldCompact(stats, { maxLooseBytes: threshold })) return { status: 'skipped', reason: `loose objects (${stats.bytes} bytes) are not over ${threshold} bytes`, details: { looseBytes: stats.bytes, looseObjects: stats.count } };
      if (dry) return { status: 'planned', reason: `would pack ${stats.count} loose object(s), ${stats.bytes} bytes`, details: { looseBytes: stats.bytes, looseObjects: stats.count } };
      const r = await autoCompact({ gitdir: vault.gitdir, maxLooseBytes: threshold, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
      return { status: 'ok', details: { ...(r ?? {}) } };
    }),
  );

  steps.push(
    await timed('push', async () => {
      const remotes = await autoPushTargets(vault);
      if (remotes.length === 0) return { status: 'skipped', reason: 'no remote has autoPush and none is queued' };
      if (dry) return { status: 'planned', reason: `would push to ${remotes.join(', ')}`, details: { remotes } };
      // a scheduled run is a deliberate retry: the backoff of queued pushes does not apply
      const { dryRun: _d, full: _f, random: _r, waitMs: _w, onWait: _o, ...transport } = opts;
      const outcomes: PushOutcome[] = await pushRemotes(vault, { ...transport, remotes });
      const failed = outcomes.filter((o) => !o.ok);
      return failed.length
        ? { status: 'failed', error: { code: failed[0]!.error?.code ?? 'E_INTERNAL', message: failed.map((o) => `${o.remote}: ${o.error?.message ?? 'failed'}`).join('; ') }, details: { outcomes } }
        : { status: 'ok', details: { outcomes } };
    }),
  );

  steps.push(
    await timed('exports', async () => {
      if (cfg.exportDir === undefined) return { status: 'skipped', reason: 'exportDir is not set' };
      if (dry) return { status: 'planned', reason: `would refresh checksums and manifest in ${cfg.exportDir}` };
      const r = await refreshExports(vault);
      return { status: 'ok', details: { ...r } };
    }),
  );


  // wall-clock times (not the vault's clock): they order runs, e.g. for "just ran"
  const finishedAt = new Date();
  const report: MaintainReport = {
    ok: steps.every((s) => s.status !== 'failed'),
    dryRun: dry,
    outcome: 'ran',
    waited,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
    steps,
    restorationTest: restorationTestItems,
  };
  if (!dry) await writeState(vault, report);
  return report;
}

export async function maintain(vault: Vault, opts: MaintainOptions = {}): Promise<MaintainReport> {
  const startedAt = new Date();
  // a dry run reads only, so it needs no lock (and writes no lock file)
  if (opts.dryRun) return run(vault, opts, startedAt, false);
  let waited = false;
  const report = await withLock(
    vault.gitdir,
    'maintain',
    async () => {
      const last = await readState(vault);
      // another run finished while we waited: its work is done, repeating it would change nothing
      if (waited && last && Date.parse(last.finishedAt) >= startedAt.getTime()) {
        const now = new Date();
        return { ...last, outcome: 'just-ran' as const, waited, startedAt: startedAt.toISOString(), finishedAt: now.toISOString(), durationMs: now.getTime() - startedAt.getTime(), steps: [], restorationTest: [], previous: last };
      }
      return run(vault, opts, startedAt, waited);
    },
    {
      name: 'maintain.lock',
      waitMs: opts.waitMs ?? 2 * 3600_000,
      onWait: (h) => {
        waited = true;
        opts.onWait?.(h);
      },
    },
  );
  // health: the one call site for maintain runs (dry runs return earlier and are not recorded); versions the
  // restoration test found damaged open the corrupt_version alert like a failed restore does
  if (report.outcome === 'ran') {
    const corrupt = report.restorationTest.filter((t) => t.status === 'failed').map((t) => ({ path: t.path, version: t.version, status: 'corrupted' }));
    const failed = report.steps.find((s) => s.status === 'failed');
    await recordOperation(vault, {
      op: 'maintain',
      ok: report.ok,
      startedAt: report.startedAt,
      durationMs: report.durationMs,
      ...(!report.ok ? { error: failed?.error ?? { code: 'E_VERIFY_FAILED', message: `${corrupt.length} version(s) failed the restoration test` } } : {}),
      details: { steps: report.steps.map((s) => ({ step: s.step, status: s.status })), tested: report.restorationTest.length, ...(corrupt.length ? { corrupt } : {}) },
    });
  }
  return report;
}
