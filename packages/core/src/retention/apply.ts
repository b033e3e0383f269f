/**
 * Applying a retention plan. The order is what makes it crash-safe (a kill -9 at any point leaves every
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
import { recordRewrite } from '../history/rewrites.js';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { NOTES_REF, parseNote, serializeNote } from '../model/note.js';
import type { VersionRecord } from '../model/version.js';
import { readBlobText, readCommit, readTreeEntries, resolveRef, updateRef, writeCommit, writeTree } from '../history/git.js';
import { parseCommit, parseTag, parseTree, readObject, serializeCommit, serializeTag, writeObject } from '../history/objects.js';
import type { Commit, TreeEntry } from '../history/objects.js';
import { readNotesMap, writeNotesTree } from '../history/notes.js';
import { listRefs } from '../history/refs.js';
import { archiveDir, readArchiveIndex, writeArchiveIndex } from '../history/archived.js';
import type { ArchiveIndexEntry } from '../history/archived.js';
import { loadHistory } from '../history/versions.js';
import { looseObjectPath } from '../store/reader.js';
import { withLock } from '../util/lock.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import { personAt } from '../vault.js';
import { digestArchivedBlobs } from './archive-check.js';
import { openArchive, writeArchiveFile } from './archive-file.js';
import type { WrittenArchive } from './archive-file.js';
import { planExpiring, planRetention } from './plan.js';
import type { ExpiringVersion, PlanVersion, RetentionPlan } from './plan.js';
import { policyFromConfig } from './policy.js';
import type { RetentionOverrides } from './policy.js';
import { writeFileAtomic } from '../util/atomic.js';

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
}

/** Versions of the vault as planner input (archived ones carry their archive's date). */
export async function retentionInput(vault: Vault): Promise<{ versions: PlanVersion[]; tip: string | null; notesTip: string | null }> {
  const history = await loadHistory(vault);
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
  await recoverRetention(vault);
  const policy = policyFromConfig(vault.config, opts.overrides);
  const input = await retentionInput(vault);
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

export type ApplyStep = 'archives-written' | 'objects-written' | 'index-written' | 'journal-written' | 'notes-added' | 'branch-moved' | 'tags-moved' | 'notes-cleaned' | 'pruned';

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

export interface PruneReport {
  /** loose archived blobs removed */
  objects: number;
  bytes: number;
  /** archived blobs kept because they are in a pack (run `git gc --prune=now` to drop them) */
  packed: number;
  /** archived blobs still reachable (another ref, a reflog, the index or another kept version) */
  reachable: number;
}

interface Journal {
  schema: 1;
  createdAt: string;
  moves: { ref: string; from: string | null; to: string }[];
  prune: string[];
}

function journalFile(vault: Vault): string {
  return path.join(vault.gitdir, 'savepoint', 'retention-journal.json');
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

async function writeJournal(vault: Vault, j: Journal): Promise<void> {
  await writeFileAtomic(journalFile(vault), JSON.stringify(j));
}

/** Apply an interrupted run's journal: finish its ref moves, then prune. Returns what it did (null: nothing to do). */
export async function recoverRetention(vault: Vault, onStep?: ApplyRetentionOptions['onStep']): Promise<{ completed: boolean; prune: PruneReport; warnings: string[] } | null> {
  let j: Journal;
  try {
    j = JSON.parse(await fsp.readFile(journalFile(vault), 'utf8')) as Journal;
  } catch {
    return null;
  }
  return withLock(vault.gitdir, 'retention', () => runJournal(vault, j, onStep));
}

/** recoverRetention for a caller that already holds the vault lock (applyRetention). */
async function recoverRetentionHeld(vault: Vault, onStep?: ApplyRetentionOptions['onStep']): Promise<{ completed: boolean; prune: PruneReport; warnings: string[] } | null> {
  let j: Journal;
  try {
    j = JSON.parse(await fsp.readFile(journalFile(vault), 'utf8')) as Journal;
  } catch {
    return null;
  }
  return runJournal(vault, j, onStep);
}

async function runJournal(vault: Vault, j: Journal, onStep?: ApplyRetentionOptions['onStep']): Promise<{ completed: boolean; prune: PruneReport; warnings: string[] }> {
  const warnings: string[] = [];
  const noPrune: PruneReport = { objects: 0, bytes: 0, packed: 0, reachable: j.prune.length };
  for (const [i, m] of j.moves.entries()) {
    const cur = await resolveRef(vault, m.ref);
    if (cur === m.to) continue;
    // a ref moved twice (the notes): already past this move when it sits at a later move's state
    if (j.moves.slice(i + 1).some((x) => x.ref === m.ref && (x.from === cur || x.to === cur))) continue;
    if (cur !== m.from) {
      // something else moved this ref since the journal was written: stop, prune nothing (always safe)
      warnings.push(`${m.ref} moved during an interrupted retention run (expected ${m.from ?? 'nothing'}, found ${cur ?? 'nothing'}); the run was not finished and nothing was pruned. Run \`savepoint retention apply\` again.`);
      await fsp.rm(journalFile(vault), { force: true });
      return { completed: false, prune: noPrune, warnings };
    }
    if (m.ref === `refs/heads/${vault.branch}` && m.from && m.to) await recordRewrite(vault, m.from, m.to);
    await updateRef(vault, m.ref, m.to, m.from);
    await onStep?.(moveStep(j, i));
  }
  const prune = await pruneArchivedBlobs(vault, j.prune);
  await onStep?.('pruned');
  await fsp.rm(journalFile(vault), { force: true });
  return { completed: true, prune, warnings };
}

/** The step name reported after move `i`: notes-added, branch-moved, tags-moved (after the last tag), notes-cleaned. */
function moveStep(j: Journal, i: number): ApplyStep {
  const m = j.moves[i]!;
  if (m.ref === NOTES_REF) return i === 0 ? 'notes-added' : 'notes-cleaned';
  if (m.ref.startsWith('refs/tags/')) return 'tags-moved';
  return 'branch-moved';
}

/** Every object id a ref, HEAD, reflog entry or index can reach is a root. */
async function collectRoots(gitdir: string): Promise<{ roots: Set<string>; indexes: Buffer[] }> {
  const roots = new Set<string>();
  for (const oid of (await listRefs(gitdir, 'refs/')).values()) roots.add(oid);
  const gitdirs = [gitdir];
  const wt = await fsp.readdir(path.join(gitdir, 'worktrees')).catch(() => [] as string[]);
  for (const w of wt) gitdirs.push(path.join(gitdir, 'worktrees', w));
  const indexes: Buffer[] = [];
  for (const g of gitdirs) {
    const head = (await fsp.readFile(path.join(g, 'HEAD'), 'utf8').catch(() => '')).trim();
    if (/^[0-9a-f]{40}$/.test(head)) roots.add(head);
    const idx = await fsp.readFile(path.join(g, 'index')).catch(() => null);
    if (idx) indexes.push(idx);
  }
  const walkLogs = async (dir: string): Promise<void> => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walkLogs(p);
      else if (e.isFile()) {
        for (const line of (await fsp.readFile(p, 'utf8').catch(() => '')).split('\n')) {
          const m = /^([0-9a-f]{40}) ([0-9a-f]{40}) /.exec(line);
          if (m) for (const oid of [m[1]!, m[2]!]) if (!/^0+$/.test(oid)) roots.add(oid);
        }
      }
    }
  };
  for (const g of gitdirs) await walkLogs(path.join(g, 'logs'));
  return { roots, indexes };
}

/** Blobs reachable from `roots` among `wanted`; throws when an object cannot be read (then nothing is pruned). */
async function reachableAmong(gitdir: string, roots: Set<string>, wanted: Set<string>): Promise<Set<string>> {
  const seen = new Set<string>();
  const hit = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const oid = stack.pop()!;
    if (seen.has(oid)) continue;
    seen.add(oid);
    if (wanted.has(oid)) {
      hit.add(oid);
      continue; // a blob: nothing below it
    }
    const { type, data } = await readObject(gitdir, oid);
    if (type === 'commit') {
      const c = parseCommit(data);
      stack.push(c.tree, ...c.parent);
    } else if (type === 'tag') stack.push(parseTag(data).object);
    else if (type === 'tree') {
      for (const e of parseTree(data)) {
        if (e.type === 'tree') stack.push(e.oid);
        else if (e.type === 'blob') {
          if (wanted.has(e.oid)) hit.add(e.oid);
          seen.add(e.oid);
        }
      }
    }
  }
  return hit;
}

async function pruneArchivedBlobs(vault: Vault, candidates: string[]): Promise<PruneReport> {
  const report: PruneReport = { objects: 0, bytes: 0, packed: 0, reachable: 0 };
  if (!candidates.length) return report;
  const wanted = new Set(candidates);
  const { roots, indexes } = await collectRoots(vault.gitdir);
  let reachable: Set<string>;
  try {
    reachable = await reachableAmong(vault.gitdir, roots, wanted);
  } catch {
    // an unreadable object means we cannot prove anything unreachable: keep everything
    report.reachable = candidates.length;
    return report;
  }
  for (const oid of wanted) {
    const bin = Buffer.from(oid, 'hex');
    if (reachable.has(oid) || indexes.some((b) => b.includes(bin))) {
      report.reachable++;
      continue;
    }
    const file = looseObjectPath(vault.gitdir, oid);
    const st = await fsp.stat(file).catch(() => null);
    if (!st) {
      report.packed++;
      continue;
    }
    await fsp.rm(file, { force: true });
    report.objects++;
    report.bytes += st.size;
  }
  return report;
}

/** Rewrite `tree` (at `prefix`) without the entries `drop` names (path → blob ids); memoised per tree. */
async function rewriteTree(vault: Vault, tree: string, prefix: string, drop: Map<string, Set<string>>, dirs: Set<string>, memo: Map<string, string>): Promise<string> {
  const key = `${prefix}\0${tree}`;
  const known = memo.get(key);
  if (known) return known;
  const entries = await readTreeEntries(vault, tree);
  const out: TreeEntry[] = [];
  let changed = false;
  for (const e of entries) {
    const p = prefix + e.path;
    if (e.type === 'blob' && drop.get(p)?.has(e.oid)) {
      changed = true;
      continue;
    }
    if (e.type === 'tree' && dirs.has(p)) {
      const sub = await rewriteTree(vault, e.oid, `${p}/`, drop, dirs, memo);
      if (sub !== e.oid) changed = true;
      if ((await readTreeEntries(vault, sub)).length === 0) {
        changed = true;
        continue;
      }
      out.push({ ...e, oid: sub });
      continue;
    }
    out.push(e);
  }
  const result = changed ? await writeTree(vault, out) : tree;
  memo.set(key, result);
  return result;
}

/** Every commit reachable from `tip`, parents before children. */
async function commitsParentsFirst(vault: Vault, tip: string): Promise<{ oid: string; commit: Commit }[]> {
  const order: { oid: string; commit: Commit }[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const byOid = new Map<string, Commit>();
  const stack: { oid: string; expanded: boolean }[] = [{ oid: tip, expanded: false }];
  while (stack.length) {
    const top = stack.pop()!;
    if (top.expanded) {
      if (state.get(top.oid) !== 'done') {
        state.set(top.oid, 'done');
        order.push({ oid: top.oid, commit: byOid.get(top.oid)! });
      }
      continue;
    }
    if (state.has(top.oid)) continue;
    state.set(top.oid, 'open');
    const c = await readCommit(vault, top.oid);
    byOid.set(top.oid, c);
    stack.push({ oid: top.oid, expanded: true });
    for (const p of c.parent) if (!state.has(p)) stack.push({ oid: p, expanded: false });
  }
  return order;
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

      // 2. the rewritten history, notes and tags (objects only)
      const drop = new Map<string, Set<string>>();
      const dirs = new Set<string>();
      for (const v of toArchive) {
        if (!drop.has(v.path)) drop.set(v.path, new Set());
        drop.get(v.path)!.add(v.blob);
        const parts = v.path.split('/');
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      }
      // A file leaves a commit's tree only where the version current at that commit is archived: a kept version
      // may hold the same content as an archived one (a restore re-saved it, or save --force), and its commit, and
      // the commits after it, keep the file (found by the crash harness, issue 13). Saves on the history branch are
      // linear, so "current" is the newest version saved at or before the commit, walking parents first.
      const archivedKeys = new Set(toArchive.map((v) => `${v.path}\0${v.version}`));
      const savedAt = new Map<string, VersionRecord[]>();
      for (const v of history.versions) if (!v.archive) (savedAt.get(v.commit) ?? savedAt.set(v.commit, []).get(v.commit)!).push(v);
      const current = new Map<string, VersionRecord>();
      const map = new Map<string, string>();
      const memos = new Map<string, Map<string, string>>();
      for (const { oid, commit } of await commitsParentsFirst(vault, history.tip)) {
        for (const v of savedAt.get(oid) ?? []) current.set(v.path, v);
        const keptHere = [...drop.keys()].filter((p) => { const c = current.get(p); return c !== undefined && !archivedKeys.has(`${p}\0${c.version}`); });
        const dropHere = keptHere.length ? new Map([...drop].filter(([p]) => !keptHere.includes(p))) : drop;
        const memoKey = keptHere.sort().join('\0');
        const memo = memos.get(memoKey) ?? memos.set(memoKey, new Map()).get(memoKey)!;
        const tree = await rewriteTree(vault, commit.tree, '', dropHere, dirs, memo);
        const parents = commit.parent.map((p) => map.get(p) ?? p);
        if (tree === commit.tree && parents.every((p, i) => p === commit.parent[i])) continue;
        const next = await writeObject(vault.gitdir, 'commit', serializeCommit({ ...commit, tree, parent: parents }));
        map.set(oid, next);
      }
      result.commitsRewritten = map.size;
      const newTip = map.get(history.tip) ?? history.tip;

      const archiveOf = new Map<string, string>();
      written.forEach((w) => w.manifest.versions.forEach((v) => archiveOf.set(`${v.path}\0${v.version}`, path.relative(dir, w.file).split(path.sep).join('/'))));
      const notes = await readNotesMap(vault, history.notesTip);
      const added = new Map(notes);
      const cleaned = new Map(notes);
      for (const [oldOid, newOid] of map) {
        const blob = notes.get(oldOid);
        if (!blob) continue;
        let newBlob = blob;
        try {
          const note = await parseNote(await readBlobText(vault, blob), oldOid);
          const files = Object.keys(note.files);
          const archives = files.map((p) => archiveOf.get(`${p}\0${note.files[p]!.version}`));
          if (files.length && archives.every((a) => a !== undefined)) {
            newBlob = await writeObject(vault.gitdir, 'blob', Buffer.from(serializeNote({ ...note, status: 'archived', archive: archives[0]! }), 'utf8'));
          }
        } catch {
          // a broken note is re-attached as it is; verify reports it
        }
        added.set(newOid, newBlob);
        cleaned.set(newOid, newBlob);
        cleaned.delete(oldOid);
        result.notesMoved++;
      }
      const moves: Journal['moves'] = [];
      if (result.notesMoved) {
        const who = personAt(vault.author, createdAt);
        const addedCommit = await writeCommit(vault, { tree: await writeNotesTree(vault, added), parents: history.notesTip ? [history.notesTip] : [], message: "Notes re-attached by 'savepoint retention apply'\n", author: who });
        const cleanedCommit = await writeCommit(vault, { tree: await writeNotesTree(vault, cleaned), parents: [addedCommit], message: "Notes of rewritten saves removed by 'savepoint retention apply'\n", author: who });
        moves.push({ ref: NOTES_REF, from: history.notesTip, to: addedCommit });
        moves.push({ ref: `refs/heads/${vault.branch}`, from: history.tip, to: newTip });
        moves.push(...(await tagMoves(vault, map, result)));
        moves.push({ ref: NOTES_REF, from: addedCommit, to: cleanedCommit });
      } else {
        moves.push({ ref: `refs/heads/${vault.branch}`, from: history.tip, to: newTip });
        moves.push(...(await tagMoves(vault, map, result)));
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

async function tagMoves(vault: Vault, map: Map<string, string>, result: ApplyRetentionResult): Promise<Journal['moves']> {
  const moves: Journal['moves'] = [];
  for (const [ref, target] of await listRefs(vault.gitdir, 'refs/tags/')) {
    const direct = map.get(target);
    if (direct) {
      moves.push({ ref, from: target, to: direct });
      result.tagsMoved.push(ref.slice('refs/tags/'.length));
      continue;
    }
    const obj = await readObject(vault.gitdir, target).catch(() => null);
    if (!obj || obj.type !== 'tag') continue;
    const tag = parseTag(obj.data);
    const to = map.get(tag.object);
    if (!to) continue;
    const oid = await writeObject(vault.gitdir, 'tag', serializeTag({ ...tag, object: to }));
    moves.push({ ref, from: target, to: oid });
    result.tagsMoved.push(ref.slice('refs/tags/'.length));
  }
  return moves;
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
