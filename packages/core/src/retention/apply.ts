/**
 * Applying a retention plan (this file: planning input, the order of the steps, the archives; the history
 * rewrite is in rewrite.ts, the journal and recovery in journal.ts, the prune in prune.ts). The order is what
 * makes it crash-safe (a kill -9 at any point leaves every
 * version restorable):
 *   1. write each archive (temp file, fsync, rename), then re-read it and check everything: its sha256,
 *      manifest, bundle header and sha256, pack checksum, and every archived blob against its note
 *   2. write the rewritten history (new trees and commits without the archived blobs), the notes commits and
 *      new tag objects — objects only, no ref moves yet
 *   3. register the archives in index.json (harmless early: a version still in its branch commit wins)
 *   4. write a journal of the ref moves, then move refs: notes (old + new notes) → branch → tags →
 *      notes (old notes dropped). A rerun finishes an interrupted journal first.
 *   5. prune: only loose objects that are archived blobs and unreachable from every ref, HEAD, reflog and index
 *   6. delete archives the plan expired (index first, then the files)
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { archiveDir, readArchiveIndex, writeArchiveIndex } from '../history/archived.js';
import type { ArchiveIndexEntry } from '../history/archived.js';
import { readCommit, writeCommit } from '../history/git.js';
import { writeNotesTree } from '../history/notes.js';
import type { Commit } from '../history/objects.js';
import { readObject } from '../history/objects.js';
import { loadHistory, loadVersionHistory } from '../history/versions.js';
import type { VersionHistory } from '../history/versions.js';
import { NOTES_REF } from '../model/note.js';
import type { VersionRecord } from '../model/version.js';
import { withLock } from '../util/lock.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import { personAt } from '../vault.js';
import { digestArchivedBlobs } from './archive-check.js';
import { openArchive, writeArchiveFile } from './archive-file.js';
import type { WrittenArchive } from './archive-file.js';
import { recoverRetention, recoverRetentionHeld, runJournal, writeJournal } from './journal.js';
import type { ApplyStep, Journal, RefMove } from './journal.js';
import { planExpiring, planRetention } from './plan.js';
import type { ExpiringVersion, PlanVersion, RetentionPlan } from './plan.js';
import { policyFromConfig } from './policy.js';
import type { RetentionOverrides } from './policy.js';
import type { PruneReport } from './prune.js';
import { reattachNotes, rewriteHistory, tagMoves } from './rewrite.js';

export { recoverRetention };
export type { ApplyStep, PruneReport };

/** A plan bound to the vault state it was computed from; apply refuses it once that state moved. */
export interface VaultRetentionPlan extends RetentionPlan {
  branch: string;
  tip: string | null;
  notesTip: string | null;
}

export interface PlanVaultOptions {
  overrides?: RetentionOverrides;
  /** defaults to the vault's clock */
  now?: Date;
  /**
   * The history as the caller just read it (the after-save pipeline reads it once for exports and
   * retention); not used when an interrupted retention run had to be finished first (that changes it).
   */
  history?: VersionHistory;
}

/** Versions of the vault as planner input (archived ones carry their archive's date). */
export async function retentionInput(vault: Vault, loaded?: VersionHistory): Promise<{ versions: PlanVersion[]; tip: string | null; notesTip: string | null }> {
  const history = loaded ?? (await loadVersionHistory(vault));
  const index = await readArchiveIndex(vault);
  const archivedAt = new Map(index.archives.map((a) => [a.file, a.createdAt]));
  const versions = history.versions.map((v): PlanVersion => {
    const p: PlanVersion = { path: v.path, version: v.version, savedAt: v.savedAt, size: v.size, tags: v.tags, kind: v.kind, status: v.status, commit: v.commit };
    if (v.blob) p.blob = v.blob;
    if (v.keep) p.keep = v.keep;
    if (v.archive) {
      p.archive = v.archive;
      const at = archivedAt.get(v.archive);
      if (at) p.archivedAt = at;
    }
    return p;
  });
  return { versions, tip: history.tip, notesTip: history.notesTip };
}

export async function planVaultRetention(vault: Vault, opts: PlanVaultOptions = {}): Promise<VaultRetentionPlan> {
  const recovered = await recoverRetention(vault);
  const policy = policyFromConfig(vault.config, opts.overrides);
  const input = await retentionInput(vault, recovered ? undefined : opts.history);
  const plan = planRetention(input.versions, policy, opts.now ?? vault.clock());
  return { ...plan, branch: vault.branch, tip: input.tip, notesTip: input.notesTip };
}

/** Versions the vault's policy keeps today but would archive within `within` ("7d") if nothing changed. */
export async function expiringVersions(vault: Vault, within: string, opts: PlanVaultOptions = {}): Promise<{ now: string; until: string; policy: ReturnType<typeof policyFromConfig>; versions: ExpiringVersion[] }> {
  const policy = policyFromConfig(vault.config, opts.overrides);
  const input = await retentionInput(vault);
  const now = opts.now ?? vault.clock();
  const r = planExpiring(input.versions, policy, now, within);
  return { now: now.toISOString(), until: r.until, policy, versions: r.versions };
}

export interface ApplyRetentionOptions {
  onProgress?: ProgressCallback;
  /** called after each step (tests use it to stop the process at a given point) */
  onStep?: (step: ApplyStep) => void | Promise<void>;
}

export interface ArchiveSummary {
  file: string;
  sha256: string;
  size: number;
  period: string;
  versions: string[];
}

export interface ApplyRetentionResult {
  archived: number;
  deleted: number;
  archives: ArchiveSummary[];
  deletedArchives: string[];
  commitsRewritten: number;
  tagsMoved: string[];
  notesMoved: number;
  prune: PruneReport;
  warnings: string[];
}

function scratchDir(vault: Vault): string {
  return path.join(vault.gitdir, 'savepoint', 'tmp');
}

const DAY = 86_400_000;

/** Archives are grouped by the age of their versions: daily/ (under a week), weekly/ (under 5 weeks), monthly/. */
export function periodOf(savedAt: string, now: Date): { period: 'daily' | 'weekly' | 'monthly'; key: string } {
  const t = Date.parse(savedAt);
  const d = new Date(Number.isNaN(t) ? 0 : t);
  const age = now.getTime() - d.getTime();
  const ymd = d.toISOString().slice(0, 10);
  if (age < 7 * DAY) return { period: 'daily', key: ymd };
  if (age < 35 * DAY) {
    const day = (d.getUTCDay() + 6) % 7;
    const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
    const ty = new Date(thursday).getUTCFullYear();
    const week = Math.floor((thursday - Date.UTC(ty, 0, 1)) / (7 * DAY)) + 1;
    return { period: 'weekly', key: `${ty}-W${String(week).padStart(2, '0')}` };
  }
  return { period: 'monthly', key: ymd.slice(0, 7) };
}

function assertPlanCurrent(vault: Vault, plan: VaultRetentionPlan, tip: string | null, notesTip: string | null): void {
  if (plan.branch !== vault.branch || plan.tip !== tip || plan.notesTip !== notesTip) {
    throw new SavepointError('E_HISTORY_DIVERGED', 'The history changed since this retention plan was made (a save, verify or tag happened). Nothing was changed; make the plan again and review it.', { planTip: plan.tip, tip, planNotesTip: plan.notesTip, notesTip });
  }
}

/** Apply exactly `plan` (as made by planVaultRetention and shown to the user). */
export async function applyRetention(vault: Vault, plan: VaultRetentionPlan, opts: ApplyRetentionOptions = {}): Promise<ApplyRetentionResult> {
  try {
    return await applyRetentionLocked(vault, plan, opts);
  } catch (e) {
    // disk full (issue 13 item 7): the archive is written before any ref moves, and a run stopped after the
    // journal is finished by the next one, so no version is lost either way
    if ((e as NodeJS.ErrnoException)?.code === 'ENOSPC') {
      throw new SavepointError('E_NO_SPACE', 'Not enough disk space while applying the retention plan (writing the archive). No version was removed. Free some space and run `savepoint retention apply` again.', {}, { cause: e });
    }
    throw e;
  }
}

async function applyRetentionLocked(vault: Vault, plan: VaultRetentionPlan, opts: ApplyRetentionOptions): Promise<ApplyRetentionResult> {
  return withLock(vault.gitdir, 'retention', async () => {
    const warnings: string[] = [];
    const recovered = await recoverRetentionHeld(vault, opts.onStep);
    if (recovered) warnings.push(...recovered.warnings);
    const history = await loadHistory(vault);
    assertPlanCurrent(vault, plan, history.tip, history.notesTip);
    const byKey = new Map(history.versions.map((v) => [`${v.path}\0${v.version}`, v]));
    const latest = new Map<string, number>();
    for (const v of history.versions) latest.set(v.path, Math.max(latest.get(v.path) ?? 0, v.version));

    const toArchive: VersionRecord[] = [];
    const toDelete = new Set<string>();
    for (const d of plan.decisions) {
      if (d.action === 'keep') continue;
      const v = byKey.get(`${d.path}\0${d.version}`);
      if (!v) throw new SavepointError('E_HISTORY_DIVERGED', `${d.path}@${d.version} from the plan is not in the history any more. Make the plan again.`, { path: d.path, version: d.version });
      if (latest.get(v.path) === v.version) throw new SavepointError('E_INVALID_ARGUMENT', `The plan would remove ${v.path}@${v.version}, the latest version; Savepoint never does that.`, { path: v.path, version: v.version });
      if (d.action === 'archive') {
        if (v.archive || !v.blob) throw new SavepointError('E_HISTORY_DIVERGED', `${d.path}@${d.version} is already archived. Make the plan again.`, { path: d.path, version: d.version });
        toArchive.push(v);
      } else {
        if (!v.archive) throw new SavepointError('E_INVALID_ARGUMENT', `The plan would delete ${v.path}@${v.version}, which is not archived; only archived versions are ever deleted.`, { path: v.path, version: v.version });
        toDelete.add(v.archive);
      }
    }
    const result: ApplyRetentionResult = { archived: 0, deleted: 0, archives: [], deletedArchives: [], commitsRewritten: 0, tagsMoved: [], notesMoved: 0, prune: { objects: 0, bytes: 0, packed: 0, reachable: 0 }, warnings };

    if (toArchive.length && history.tip) {
      const createdAt = vault.clock();
      const stamp = createdAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      // 1. archives, grouped by period, each written and verified before anything else happens
      const groups = new Map<string, { period: string; key: string; versions: VersionRecord[] }>();
      for (const v of toArchive) {
        const { period, key } = periodOf(v.savedAt, new Date(plan.now));
        const g = `${period}/${key}`;
        if (!groups.has(g)) groups.set(g, { period, key, versions: [] });
        groups.get(g)!.versions.push(v);
      }
      const originals = new Map<string, Commit>();
      for (const v of toArchive) if (!originals.has(v.commit)) originals.set(v.commit, await readCommit(vault, v.commit));
      const dir = archiveDir(vault);
      const written: WrittenArchive[] = [];
      const total = toArchive.reduce((n, v) => n + Math.max(0, v.size), 0);
      let done = 0;
      for (const [, g] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        let dest = path.join(dir, g.period, `${g.key}_${stamp}.tar.gz`);
        for (let n = 2; await fsp.stat(dest).then(() => true, () => false); n++) dest = path.join(dir, g.period, `${g.key}_${stamp}-${n}.tar.gz`);
        const w = await writeArchiveFile({ gitdir: vault.gitdir, dest, tmpDir: scratchDir(vault), versions: g.versions, originals, createdAt: createdAt.toISOString(), period: g.period, periodKey: g.key, branch: vault.branch, level: vault.config.compressOld ? 6 : 0, ...(vault.config.encryptArchives ? { encrypt: archiveKey(vault) } : {}) });
        await checkWrittenArchive(vault, w);
        written.push(w);
        done += g.versions.reduce((n, v) => n + Math.max(0, v.size), 0);
        opts.onProgress?.({ phase: 'archive', loaded: done, total, item: path.relative(dir, w.file) });
      }
      await opts.onStep?.('archives-written');

      // 2. the rewritten history, notes and tags (objects only; rewrite.ts)
      const map = await rewriteHistory(vault, history.tip, history.versions, toArchive);
      result.commitsRewritten = map.size;
      const newTip = map.get(history.tip) ?? history.tip;
      const archiveOf = new Map<string, string>();
      written.forEach((w) => w.manifest.versions.forEach((v) => archiveOf.set(`${v.path}\0${v.version}`, path.relative(dir, w.file).split(path.sep).join('/'))));
      const notes = await reattachNotes(vault, history.notesTip, map, archiveOf);
      result.notesMoved = notes.moved;
      const tags = await tagMoves(vault, map);
      result.tagsMoved.push(...tags.tags);
      const moves: RefMove[] = [];
      if (result.notesMoved) {
        const who = personAt(vault.author, createdAt);
        const addedCommit = await writeCommit(vault, { tree: await writeNotesTree(vault, notes.added), parents: history.notesTip ? [history.notesTip] : [], message: "Notes re-attached by 'savepoint retention apply'\n", author: who });
        const cleanedCommit = await writeCommit(vault, { tree: await writeNotesTree(vault, notes.cleaned), parents: [addedCommit], message: "Notes of rewritten saves removed by 'savepoint retention apply'\n", author: who });
        moves.push({ ref: NOTES_REF, from: history.notesTip, to: addedCommit });
        moves.push({ ref: `refs/heads/${vault.branch}`, from: history.tip, to: newTip });
        moves.push(...tags.moves);
        moves.push({ ref: NOTES_REF, from: addedCommit, to: cleanedCommit });
      } else {
        moves.push({ ref: `refs/heads/${vault.branch}`, from: history.tip, to: newTip });
        moves.push(...tags.moves);
      }
      await opts.onStep?.('objects-written');

      // 3. register the archives (records point at the rewritten save commits)
      const index = await readArchiveIndex(vault);
      // versions an interrupted earlier run registered (they stayed on the branch) now live in the new archive
      const again = new Set(toArchive.map((v) => `${v.path}\0${v.version}`));
      const superseded: string[] = [];
      index.archives = index.archives.flatMap((a) => {
        const rest = a.versions.filter((v) => !again.has(`${v.path}\0${v.version}`));
        if (rest.length === a.versions.length) return [a];
        if (rest.length === 0) {
          superseded.push(a.file);
          return [];
        }
        return [{ ...a, versions: rest }];
      });
      for (const w of written) {
        const file = path.relative(dir, w.file).split(path.sep).join('/');
        const versions = w.manifest.versions.map(({ archiveCommit: _c, ...v }) => {
          const rec: VersionRecord = { ...v, commit: map.get(v.commit) ?? v.commit, status: 'archived', archive: file };
          return rec;
        });
        const entry: ArchiveIndexEntry = { file, sha256: w.sha256, size: w.size, createdAt: w.manifest.createdAt, period: w.manifest.period, versions };
        index.archives.push(entry);
        result.archives.push({ file, sha256: w.sha256, size: w.size, period: w.manifest.period, versions: versions.map((v) => `${v.path}@${v.version}`) });
      }
      await writeArchiveIndex(vault, index);
      await opts.onStep?.('index-written');

      // 4. + 5. journal, ref moves, prune
      const journal: Journal = { schema: 1, createdAt: createdAt.toISOString(), moves, prune: [...new Set(toArchive.map((v) => v.blob))] };
      await writeJournal(vault, journal);
      await opts.onStep?.('journal-written');
      const run = await runJournal(vault, journal, opts.onStep);
      result.prune = run.prune;
      warnings.push(...run.warnings);
      result.archived = toArchive.length;
      if (run.completed) {
        for (const f of superseded) {
          const abs = path.join(dir, f);
          await fsp.rm(abs, { force: true });
          await fsp.rm(`${abs}.sha256`, { force: true });
          warnings.push(`Removed ${f}: an interrupted earlier run wrote it; its versions are in the new archive.`);
        }
      }
      if (result.prune.packed) warnings.push(`${result.prune.packed} archived object(s) are inside a pack and were left there; \`git gc --prune=now\` drops them once nothing else refers to them.`);
      if (result.prune.reachable) warnings.push(`${result.prune.reachable} archived object(s) are still referenced elsewhere (another branch, a remote-tracking ref, a reflog or the index) and were kept.`);
    }

    // 6. expired archives: index first, then the files; an archive goes only when the plan deletes all it holds
    if (toDelete.size) {
      const index = await readArchiveIndex(vault);
      const planned = new Set(plan.decisions.filter((d) => d.action === 'delete').map((d) => `${d.path}\0${d.version}`));
      for (const a of index.archives) {
        if (toDelete.has(a.file) && !a.versions.every((v) => planned.has(`${v.path}\0${v.version}`))) {
          toDelete.delete(a.file);
          warnings.push(`${a.file} was kept: the plan deletes only part of what it holds.`);
        }
      }
      const gone = index.archives.filter((a) => toDelete.has(a.file));
      index.archives = index.archives.filter((a) => !toDelete.has(a.file));
      const deletedAt = vault.clock().toISOString();
      index.deleted = [...(index.deleted ?? []), ...gone.flatMap((a) => a.versions.map((v) => ({ path: v.path, version: v.version, sha256: v.sha256, archive: a.file, deletedAt })))];
      await writeArchiveIndex(vault, index);
      for (const a of gone) {
        const abs = path.join(archiveDir(vault), a.file);
        await fsp.rm(abs, { force: true });
        await fsp.rm(`${abs}.sha256`, { force: true });
        result.deletedArchives.push(a.file);
        result.deleted += a.versions.length;
      }
    }
    return result;
  });
}

/** Re-read a just-written archive end to end: file checksum, structure, and every blob against its note. */
async function checkWrittenArchive(vault: Vault, w: WrittenArchive): Promise<void> {
  const opened = await openArchive(w.file, scratchDir(vault), path.basename(w.file), w.sha256, vault.key);
  try {
    // along the delta chains, each blob rebuilt once (archive-check.ts), not each chain re-read per version
    const digests = await digestArchivedBlobs(opened.gitdir, opened.manifest.versions.map((v) => v.blob), w.file);
    for (const v of opened.manifest.versions) {
      const d = digests.get(v.blob)!;
      if (d.sha256 !== v.sha256) throw new SavepointError('E_ARCHIVE_CORRUPT', `The archive ${w.file} did not read back correctly (${v.path}@${v.version}); nothing was changed. Check the disk and run again.`, { archive: w.file });
    }
    for (const v of opened.manifest.versions) await readObject(opened.gitdir, v.archiveCommit);
  } catch (e) {
    await fsp.rm(w.file, { force: true });
    await fsp.rm(`${w.file}.sha256`, { force: true });
    throw e;
  } finally {
    await opened.close();
  }
}

// --- issue 12 item 4: encrypted archives need a key before anything is written
function archiveKey(vault: Vault): NonNullable<Vault['key']> {
  if (!vault.key) throw new SavepointError('E_INVALID_ARGUMENT', '"encryptArchives" is on in savepoint.json but no key was given: set SAVEPOINT_PASSPHRASE (or SAVEPOINT_KEY_FILE), or run in a terminal to be asked. Nothing was changed.', {});
  return vault.key;
}
// ---
