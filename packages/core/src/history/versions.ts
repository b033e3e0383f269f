/**
 * The one module that answers history queries ("which versions exist?"). It walks the history branch and
 * the notes once into the catalog (history/catalog.ts, SQLite under .git/savepoint/catalog.db), which records
 * the branch and notes tips it reflects and is caught up incrementally (only new commits are walked), so
 * log/status/save on a vault with 100,000 saves query an index instead of reading all of history.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { NOTES_REF, parseNote } from '../model/note.js';
import type { SaveNote } from '../model/note.js';
import { parseTrailers } from '../model/commit-message.js';
import { applyTags, buildVersionRecords, saveCommitInfo, versionRecordsOfSave } from '../model/version-records.js';
import type { VersionRecord } from '../model/version.js';
import type { Vault } from '../vault.js';
import { blobAtPath, firstParentWalk, listTagTargets, readBlobText, readCommit, resolveRef } from './git.js';
import { readNotesMap } from './notes.js';
import { withArchived } from './archived.js';
import { listRefs } from './refs.js';
import { archiveDir } from './archived.js';
import { Catalog, CATALOG_SCHEMA, isUnwritable } from './catalog.js';
import type { CatalogCommit, TagTargets } from './catalog.js';
import { SavepointError } from '../errors.js';

export interface History {
  tip: string | null;
  notesTip: string | null;
  /** every version of every file, oldest save first (archived versions included) */
  versions: VersionRecord[];
  /** save commits on the branch, oldest first, with their position */
  commits: { oid: string; seq: number; summary: string; timestamp: number; note: SaveNote | null }[];
  tags: Map<string, string>;
}

/**
 * An open, current catalog plus the tips it reflects. Queries on it are what the hot paths (log --limit,
 * log <file>, status, save's latest-version lookup, experiments, find) use instead of materializing history.
 * Close it when done.
 */
export interface HistoryIndex {
  catalog: Catalog;
  tip: string | null;
  notesTip: string | null;
  tags: Map<string, string>;
  /** apply tag names to records read from the catalog */
  withTags(recs: VersionRecord[]): VersionRecord[];
  close(): void;
}

function tagApplier(tags: TagTargets): { map: Map<string, string>; apply: (recs: VersionRecord[]) => VersionRecord[] } {
  const map = new Map<string, string>();
  for (const [name, t] of Object.entries(tags)) map.set(name, t.commit);
  return { map, apply: (recs) => applyTags(recs, map) };
}

/** A cheap fingerprint of the archive index: the merged view is recomputed when it changes. */
async function archiveSignature(vault: Vault): Promise<string> {
  const st = await fsp.stat(path.join(archiveDir(vault), 'index.json')).catch(() => null);
  return st ? `${archiveDir(vault)}|${st.size}|${st.mtimeMs}|${st.ino}` : `${archiveDir(vault)}|none`;
}

/** Recompute the versions view from the saves rows and the archive index. */
async function rebuildView(vault: Vault, cat: Catalog, saves: CatalogCommit[]): Promise<VersionRecord[]> {
  const merged = await withArchived(vault, buildVersionRecords(saves));
  // history order, not clock order: clocks of different machines disagree, the branch does not
  merged.sort((a, b) => a.seq - b.seq); // stable: files of one save stay in their trailer order
  return merged;
}

/**
 * Open the catalog and bring it up to date with the branch, the notes, the tags and the archive index:
 * new commits are walked (only those), a tip that moved sideways (retention rewrite, reset) truncates to the
 * last commit still on the branch and walks from there, changed notes are re-read. A catalog SQLite cannot
 * read is rebuilt; one that cannot be written is built in memory for this process.
 */
export async function openHistoryIndex(vault: Vault, opts: { rebuild?: boolean } = {}): Promise<HistoryIndex> {
  const tip = await resolveRef(vault, `refs/heads/${vault.branch}`);
  const notesTip = await resolveRef(vault, NOTES_REF);
  if (tip === null) await assertNoHistoryElsewhere(vault, notesTip);
  if (opts.rebuild) await Catalog.remove(vault);
  let cat = await Catalog.open(vault);
  try {
    await syncCatalog(vault, cat, tip, notesTip);
  } catch (e) {
    cat.close();
    if (isUnwritable(e)) {
      cat = await Catalog.open(vault, { memory: true });
    } else if ((e as { code?: string }).code?.startsWith('SQLITE_')) {
      // damaged in a way open did not notice: start over from git
      await Catalog.remove(vault).catch(() => undefined);
      cat = await Catalog.open(vault);
    } else throw e;
    try {
      await syncCatalog(vault, cat, tip, notesTip);
    } catch (e2) {
      cat.close();
      if (!isUnwritable(e2) || !cat.persistent) throw e2;
      cat = await Catalog.open(vault, { memory: true });
      await syncCatalog(vault, cat, tip, notesTip);
    }
  }
  const { map, apply } = tagApplier(cat.meta()?.tags ?? {});
  const c = cat;
  return { catalog: c, tip, notesTip, tags: map, withTags: apply, close: () => c.close() };
}

async function syncCatalog(vault: Vault, cat: Catalog, tip: string | null, notesTip: string | null): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) if (await syncOnce(vault, cat, tip, notesTip)) return;
  // five races in a row: give up on the shared file for this process, the answer must still be right
  throw Object.assign(new Error('catalog kept changing under us'), { code: 'SQLITE_BUSY' });
}

/** One catch-up attempt; false when another process changed the catalog meanwhile (then try again). */
async function syncOnce(vault: Vault, cat: Catalog, tip: string | null, notesTip: string | null): Promise<boolean> {
  let meta = cat.meta();
  // never trusted blindly: another schema or branch, or a last row that is not the tip it claims, is rebuilt
  const last = meta ? cat.lastSave() : null;
  if (meta && (meta.branch !== vault.branch || (meta.tip ?? null) !== (last?.oid ?? null))) meta = null;
  const archiveSig = await archiveSignature(vault);
  const tagsNow = Object.fromEntries(await listTagTargets(vault, new Map(Object.entries(meta?.tags ?? {}))));
  const tagsChanged = JSON.stringify(tagsNow) !== JSON.stringify(meta?.tags ?? {});
  if (meta && meta.tip === tip && meta.notesTip === notesTip) {
    if (meta.archiveSig !== archiveSig) {
      const merged = await rebuildView(vault, cat, cat.allSaves());
      cat.write(() => {
        cat.clearVersions();
        cat.addVersions(merged);
        cat.setMeta({ archiveSig, tags: tagsNow });
      });
    } else if (tagsChanged) cat.write(() => cat.setMeta({ tags: tagsNow }));
    return true;
  }
  // catch up: walk only commits the catalog does not know
  let stopAt: string | null = null;
  const fresh: CatalogCommit[] = [];
  for await (const { oid, commit } of firstParentWalk(vault, tip, (o) => {
    if (meta && cat.seqOf(o) !== null) {
      stopAt = o;
      return true;
    }
    return false;
  })) {
    const info = await saveCommitInfo({ oid, message: commit.message, timestamp: commit.committer.timestamp }, (p) => blobAtPath(vault, commit.tree, p), null);
    fresh.push({ ...info, noteBlob: null });
  }
  fresh.reverse();
  const base = stopAt !== null ? cat.seqOf(stopAt)! : -1;
  const pureAppend = !!meta && base === (last?.seq ?? -1) && meta.archiveSig === archiveSig;
  // notes: fresh commits need theirs; when the notes tip moved on its own (verify, repair, a pull), every
  // save whose note blob changed is re-read
  const notes = await readNotesMap(vault, notesTip);
  const changed: { seq: number; c: CatalogCommit }[] = [];
  const readNote = async (c: CatalogCommit) => {
    const blob = notes.get(c.oid) ?? null;
    c.noteBlob = blob;
    c.note = null;
    if (blob) {
      try {
        c.note = await parseNote(await readBlobText(vault, blob), c.oid);
      } catch {
        c.note = null; // a broken note falls back to the commit trailers; verify reports it
      }
    }
  };
  for (const c of fresh) await readNote(c);
  let saves: CatalogCommit[] | null = null;
  if (!meta || meta.notesTip !== notesTip || !pureAppend) {
    saves = meta ? cat.allSaves().slice(0, base + 1) : [];
    for (let seq = 0; seq < saves.length; seq++) {
      const c = saves[seq]!;
      if ((notes.get(c.oid) ?? null) === c.noteBlob) continue;
      await readNote(c);
      changed.push({ seq, c });
    }
  }
  const appendOnly = pureAppend && changed.length === 0;
  const merged = appendOnly ? null : await rebuildView(vault, cat, [...saves!, ...fresh]);
  const startedFrom = meta ? `${meta.tip}|${meta.notesTip}|${last?.oid ?? ''}` : null;
  return cat.write(() => {
    // another process caught up (or saved) while we read git: our delta is stale, start again from its state
    const now = cat.meta();
    const nowKey = now ? `${now.tip}|${now.notesTip}|${cat.lastSave()?.oid ?? ''}` : null;
    if (nowKey !== startedFrom && (now !== null || startedFrom !== null)) return false;
    if (!meta) cat.clear();
    else cat.truncateAfter(base);
    for (const { seq, c } of changed) cat.putSave(seq, c);
    fresh.forEach((c, i) => cat.putSave(base + 1 + i, c));
    if (merged) {
      cat.clearVersions();
      cat.addVersions(merged);
    } else {
      cat.addVersions(fresh.flatMap((c, i) => versionRecordsOfSave(c, base + 1 + i)));
    }
    cat.setMeta({ schema: CATALOG_SCHEMA, branch: vault.branch, tip, notesTip, tags: tagsNow, archiveSig });
    return true;
  });
}

/**
 * After a save (inside the save lock, after the branch ref moved), add the new commit to the catalog in the
 * same step, so the next command walks nothing. Only when the catalog reflected the previous tips; otherwise
 * (or when this write fails, or the process dies first) the next read catches up from git.
 */
export async function appendSaveToCatalog(
  vault: Vault,
  prev: { tip: string | null; notesTip: string | null },
  save: { commit: string; tip: string; notesTip: string; summary: string; description: string; timestamp: number; files: { path: string; version: number; sha256: string; blob: string }[]; experiment?: string; note: SaveNote; noteBlob: string },
): Promise<void> {
  let cat: Catalog | null = null;
  try {
    cat = await Catalog.open(vault);
    if (!cat.persistent) return;
    const c: CatalogCommit = {
      oid: save.commit,
      summary: save.summary,
      description: save.description,
      timestamp: save.timestamp,
      trailers: save.files.map((f) => ({ path: f.path, version: f.version, sha256: f.sha256, blob: f.blob })),
      noteBlob: save.noteBlob,
      note: save.note,
    };
    if (save.experiment) c.experiment = save.experiment;
    const db = cat;
    db.write(() => {
      // only when the catalog reflected the tips this save started from (else the next read catches up)
      const now = db.meta();
      const last = db.lastSave();
      if (!now || now.tip !== prev.tip || now.notesTip !== prev.notesTip || (last?.oid ?? null) !== prev.tip) return;
      const seq = (last?.seq ?? -1) + 1;
      db.putSave(seq, c);
      db.addVersions(versionRecordsOfSave(c, seq));
      db.setMeta({ tip: save.tip, notesTip: save.notesTip });
    });
  } catch {
    // the catalog is an index: the next read sees tips it does not reflect and catches up
  } finally {
    cat?.close();
  }
}

/**
 * Open a current catalog, run `fn` on it, close it. When SQLite finds the file damaged part-way (pages that
 * only a query touches), the catalog is thrown away and rebuilt from git once, and `fn` runs again.
 */
export async function withHistoryIndex<T>(vault: Vault, fn: (index: HistoryIndex) => T | Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const index = await openHistoryIndex(vault, attempt > 0 ? { rebuild: true } : {});
    try {
      return await fn(index);
    } catch (e) {
      if (attempt > 0 || !/^SQLITE_(CORRUPT|NOTADB)/.test((e as { code?: string }).code ?? '')) throw e;
    } finally {
      index.close();
    }
  }
}

/** The history without its list of save commits: what exports and retention plan from. */
export type VersionHistory = Omit<History, 'commits'>;

/**
 * Every version (materialized, tags applied) and the tips, without parsing every save commit's record for
 * `commits` (the after-save pipeline reads this after every save: issue 17).
 */
export async function loadVersionHistory(vault: Vault): Promise<VersionHistory> {
  return withHistoryIndex(vault, (index) => ({ tip: index.tip, notesTip: index.notesTip, versions: index.withTags(index.catalog.allVersions()), tags: index.tags }));
}

/** Read the full history (every version, materialized), backed by the catalog. */
export async function loadHistory(vault: Vault): Promise<History> {
  return withHistoryIndex(vault, (index) => {
    const cat = index.catalog;
    const versions = index.withTags(cat.allVersions());
    const commits: History['commits'] = cat.allSaves().map((c, seq) => ({ oid: c.oid, seq, summary: c.summary, timestamp: c.timestamp, note: c.note }));
    return { tip: index.tip, notesTip: index.notesTip, versions, commits, tags: index.tags };
  });
}

/** Throw away the catalog and rebuild it from the branch, the notes and the archive index (`savepoint reindex`). */
export async function reindexCatalog(vault: Vault): Promise<{ saves: number; versions: number; persistent: boolean }> {
  const index = await openHistoryIndex(vault, { rebuild: true });
  try {
    return { saves: index.catalog.saveCommitCount(), versions: index.catalog.versionCount(), persistent: index.catalog.persistent };
  } finally {
    index.close();
  }
}

/**
 * The history branch does not exist. That is normal before the first save of a vault in a code repository;
 * but when the vault already has saves (checksum notes, another branch with Savepoint trailers, a history
 * cache of another branch), a mistyped historyBranch would silently start a second history at version 1.
 * Refuse that, naming the branches that do hold saves (issue 19).
 */
async function assertNoHistoryElsewhere(vault: Vault, notesTip: string | null): Promise<void> {
  const holders = new Set<string>();
  for (const [ref, oid] of await listRefs(vault.gitdir, 'refs/heads/')) {
    const name = ref.slice('refs/heads/'.length);
    let n = 0;
    for await (const { commit } of firstParentWalk(vault, oid, () => n++ >= 50)) {
      if (parseTrailers(commit.message).versions.size) {
        holders.add(name);
        break;
      }
    }
  }
  // the catalog remembers the branch it indexed (a catalog built for another branch that still exists)
  try {
    const cat = await Catalog.open(vault);
    try {
      const meta = cat.meta();
      if (meta && meta.branch !== vault.branch && cat.saveCount() > 0 && (await resolveRef(vault, `refs/heads/${meta.branch}`))) holders.add(meta.branch);
    } finally {
      cat.close();
    }
  } catch {
    // no readable catalog: the branch walk above is the answer
  }
  holders.delete(vault.branch);
  if (!holders.size && notesTip === null) return;
  const list = [...holders].sort();
  const where = list.length ? `the branch${list.length > 1 ? 'es' : ''} ${list.map((b) => `"${b}"`).join(', ')} hold${list.length > 1 ? '' : 's'} Savepoint saves` : 'checksum notes of earlier saves exist on refs/notes/savepoint';
  const remotes = [...(await listRefs(vault.gitdir, 'refs/remotes/')).keys()].filter((r) => r.endsWith(`/${vault.branch}`)).map((r) => r.slice('refs/remotes/'.length, -vault.branch.length - 1));
  const fix = list.length
    ? `Set "historyBranch" in savepoint.json to ${list.length === 1 ? `"${list[0]}"` : `one of ${list.map((b) => `"${b}"`).join(', ')}`}`
    : remotes.length
      ? `Bring the branch from the remote with \`savepoint pull ${remotes[0]}\`, or set "historyBranch" in savepoint.json to the branch that holds the saves`
      : 'Restore the branch (e.g. `savepoint pull <remote>`, or `git branch <name> <commit>` from `git log --all`), or set "historyBranch" in savepoint.json to the branch that holds the saves';
  throw new SavepointError(
    'E_HISTORY_BRANCH_MISSING',
    `The history branch "${vault.branch}" (historyBranch in savepoint.json) does not exist, but this vault already has saves: ${where}. ${fix}. Savepoint will not start a second history at version 1 beside the existing one.`,
    { branch: vault.branch, branches: list, notes: notesTip !== null },
  );
}

/** The commit object and note of one save, read directly (used by show). */
export async function readSave(vault: Vault, oid: string) {
  return readCommit(vault, oid);
}
