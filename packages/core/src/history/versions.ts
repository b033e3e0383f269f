/**
 * The one module that answers history queries ("which versions exist?"). It walks the history branch and
 * the notes once, then keeps an incremental cache in .git/savepoint/ keyed by the branch and notes tips,
 * so log/status on a vault with thousands of saves reads one small JSON file.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { NOTES_REF, parseNote } from '../model/note.js';
import type { SaveNote } from '../model/note.js';
import { descriptionOf, parseTrailers, summaryOf } from '../model/commit-message.js';
import type { VersionRecord } from '../model/version.js';
import type { Vault } from '../vault.js';
import { blobAtPath, firstParentWalk, listTagTargets, readBlobText, readCommit, resolveRef } from './git.js';
import { readNotesMap } from './notes.js';
import { withArchived } from './archived.js';
import { listRefs } from './refs.js';
import { SavepointError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';

const CACHE_VERSION = 2;

interface CachedCommit {
  oid: string;
  summary: string;
  description: string;
  timestamp: number;
  trailers: { path: string; version: number; sha256: string; blob: string | null }[];
  experiment?: string;
  noteBlob: string | null;
  note: SaveNote | null;
}

interface HistoryCache {
  v: number;
  branch: string;
  tip: string | null;
  notesTip: string | null;
  /** oldest first */
  commits: CachedCommit[];
  tags: Record<string, { ref: string; commit: string }>;
}

export interface History {
  tip: string | null;
  notesTip: string | null;
  /** every version of every file, oldest save first (archived versions included) */
  versions: VersionRecord[];
  /** save commits on the branch, oldest first, with their position */
  commits: { oid: string; seq: number; summary: string; timestamp: number; note: SaveNote | null }[];
  tags: Map<string, string>;
}

function cacheFile(vault: Vault): string {
  return path.join(vault.gitdir, 'savepoint', `history-${vault.branch.replace(/[^\w.-]/g, '_')}.json`);
}

async function readCache(vault: Vault): Promise<HistoryCache | null> {
  try {
    const c = JSON.parse(await fsp.readFile(cacheFile(vault), 'utf8')) as HistoryCache;
    return c.v === CACHE_VERSION && c.branch === vault.branch ? c : null;
  } catch {
    return null;
  }
}

async function writeCache(vault: Vault, cache: HistoryCache): Promise<void> {
  const file = cacheFile(vault);
  try {
    await writeFileAtomic(file, JSON.stringify(cache), { fsync: false });
  } catch {
    // the cache is only an accelerator; a read-only .git still works, just slower
  }
}

/**
 * After a save, extend the cache in place (the new commit, its note and the new tips) so the next
 * command does not walk anything. Only when the cache was current before the save.
 */
export async function appendSaveToCache(
  vault: Vault,
  prev: { tip: string | null; notesTip: string | null },
  save: { commit: string; tip: string; notesTip: string; summary: string; description: string; timestamp: number; files: { path: string; version: number; sha256: string; blob: string }[]; experiment?: string; note: SaveNote; noteBlob: string },
): Promise<void> {
  const cache = await readCache(vault);
  if (!cache || cache.tip !== prev.tip || cache.notesTip !== prev.notesTip) return;
  const c: CachedCommit = {
    oid: save.commit,
    summary: save.summary,
    description: save.description,
    timestamp: save.timestamp,
    trailers: save.files.map((f) => ({ path: f.path, version: f.version, sha256: f.sha256, blob: f.blob })),
    noteBlob: save.noteBlob,
    note: save.note,
  };
  if (save.experiment) c.experiment = save.experiment;
  cache.commits.push(c);
  cache.tip = save.tip;
  cache.notesTip = save.notesTip;
  await writeCache(vault, cache);
}

/** Read (and incrementally refresh) the full history. */
export async function loadHistory(vault: Vault): Promise<History> {
  const tip = await resolveRef(vault, `refs/heads/${vault.branch}`);
  const notesTip = await resolveRef(vault, NOTES_REF);
  if (tip === null) await assertNoHistoryElsewhere(vault, notesTip);
  let cache = await readCache(vault);
  if (!cache || cache.tip !== tip || cache.notesTip !== notesTip) {
    cache = await refresh(vault, cache, tip, notesTip);
    await writeCache(vault, cache);
  } else {
    // tags move without moving either tip: re-list them (tag objects already seen are not re-read)
    const tags = Object.fromEntries(await listTagTargets(vault, new Map(Object.entries(cache.tags))));
    if (JSON.stringify(tags) !== JSON.stringify(cache.tags)) {
      cache.tags = tags;
      await writeCache(vault, cache);
    }
  }
  const tagMap = new Map<string, string>();
  const tagsByCommit = new Map<string, string[]>();
  for (const [name, t] of Object.entries(cache.tags)) {
    tagMap.set(name, t.commit);
    if (!tagsByCommit.has(t.commit)) tagsByCommit.set(t.commit, []);
    tagsByCommit.get(t.commit)!.push(name);
  }
  const versions: VersionRecord[] = [];
  const commits: History['commits'] = [];
  cache.commits.forEach((c, seq) => {
    commits.push({ oid: c.oid, seq, summary: c.summary, timestamp: c.timestamp, note: c.note });
    for (const t of c.trailers) {
      const entry = c.note?.files[t.path];
      const tags = (tagsByCommit.get(c.oid) ?? []).filter((name) => !name.startsWith('sp/') || name.startsWith(`sp/${t.path}/v`));
      const rec: VersionRecord = {
        path: t.path,
        version: entry?.version ?? t.version,
        commit: c.oid,
        seq,
        blob: t.blob ?? '',
        sha256: entry?.sha256 ?? t.sha256,
        size: entry?.size ?? -1,
        savedAt: entry?.savedAt ?? new Date(c.timestamp * 1000).toISOString(),
        summary: c.summary,
        source: entry?.source ?? 'commit-trailers',
        kind: c.note?.kind ?? 'manual',
        status: c.note?.status ?? 'active',
        tags: tags.sort(),
      };
      if (!entry) rec.noteMissing = true;
      if (entry?.md5) rec.md5 = entry.md5;
      if (c.description) rec.description = c.description;
      const experiment = entry?.experiment ?? c.experiment;
      if (experiment) rec.experiment = experiment;
      if (c.note?.keep) rec.keep = c.note.keep;
      if (c.note?.verifiedAt) rec.verifiedAt = c.note.verifiedAt;
      if (c.note?.verifiedBy) rec.verifiedBy = c.note.verifiedBy;
      if (entry?.sqlite) rec.sqlite = entry.sqlite;
      if (c.note?.restoredFrom !== undefined) rec.restoredFrom = c.note.restoredFrom;
      versions.push(rec);
    }
  });
  const merged = await withArchived(vault, versions);
  // history order, not clock order: clocks of different machines disagree, the branch does not
  merged.sort((a, b) => a.seq - b.seq); // stable: files of one save stay in their trailer order
  return { tip, notesTip, versions: merged, commits, tags: tagMap };
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
  const cacheDir = path.join(vault.gitdir, 'savepoint');
  for (const f of await fsp.readdir(cacheDir).catch(() => [] as string[])) {
    if (!/^history-.*\.json$/.test(f)) continue;
    try {
      const c = JSON.parse(await fsp.readFile(path.join(cacheDir, f), 'utf8')) as HistoryCache;
      if (c.branch !== vault.branch && Array.isArray(c.commits) && c.commits.some((x) => x.trailers.length) && (await resolveRef(vault, `refs/heads/${c.branch}`))) holders.add(c.branch);
    } catch {
      // not ours, or half-written: ignore
    }
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

async function refresh(vault: Vault, old: HistoryCache | null, tip: string | null, notesTip: string | null): Promise<HistoryCache> {
  const known = new Map<string, number>();
  old?.commits.forEach((c, i) => known.set(c.oid, i));
  const fresh: CachedCommit[] = [];
  let stopAt: string | null = null;
  for await (const { oid, commit } of firstParentWalk(vault, tip, (o) => {
    if (known.has(o)) {
      stopAt = o;
      return true;
    }
    return false;
  })) {
    const parsed = parseTrailers(commit.message);
    const trailers: CachedCommit['trailers'] = [];
    for (const [p, version] of parsed.versions) {
      trailers.push({ path: p, version, sha256: parsed.sha256.get(p) ?? '', blob: await blobAtPath(vault, commit.tree, p) });
    }
    const c: CachedCommit = {
      oid,
      summary: summaryOf(commit.message),
      description: descriptionOf(commit.message),
      timestamp: commit.committer.timestamp,
      trailers,
      noteBlob: null,
      note: null,
    };
    if (parsed.experiment) c.experiment = parsed.experiment;
    fresh.push(c);
  }
  fresh.reverse();
  const base = stopAt !== null && old ? old.commits.slice(0, known.get(stopAt)! + 1) : [];
  const commits = [...base, ...fresh];
  if (!old || old.notesTip !== notesTip || fresh.length) {
    const notes = await readNotesMap(vault, notesTip);
    for (const c of commits) {
      const blob = notes.get(c.oid) ?? null;
      if (blob === c.noteBlob) continue;
      c.noteBlob = blob;
      c.note = null;
      if (blob) {
        try {
          c.note = await parseNote(await readBlobText(vault, blob), c.oid);
        } catch {
          c.note = null; // a broken note falls back to the commit trailers; verify reports it
        }
      }
    }
  }
  const oldTags = new Map(Object.entries(old?.tags ?? {}));
  const tags = Object.fromEntries(await listTagTargets(vault, oldTags));
  return { v: CACHE_VERSION, branch: vault.branch, tip, notesTip, commits, tags };
}

/** The commit object and note of one save, read directly (used by show). */
export async function readSave(vault: Vault, oid: string) {
  return readCommit(vault, oid);
}
