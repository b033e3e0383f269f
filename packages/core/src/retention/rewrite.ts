/**
 * Retention's history rewrite (step 2 of apply.ts), objects only: new trees and commits without the archived
 * blobs, notes re-attached to the new commits, tags moved. No ref moves here: the journal makes those.
 */
import { readBlobText, readCommit, readTreeEntries, writeTree } from '../history/git.js';
import { parseTag, readObject, serializeCommit, serializeTag, writeObject } from '../history/objects.js';
import type { Commit, TreeEntry } from '../history/objects.js';
import { readNotesMap } from '../history/notes.js';
import { listRefs } from '../history/refs.js';
import { parseNote, serializeNote } from '../model/note.js';
import type { VersionRecord } from '../model/version.js';
import type { Vault } from '../vault.js';
import type { RefMove } from './journal.js';

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

/**
 * Rewrite the history branch from `tip` without the blobs of `toArchive`; returns old commit → new commit for
 * every commit that changed. A file leaves a commit's tree only where the version current at that commit is
 * archived: a kept version may hold the same content as an archived one (a restore re-saved it, or save
 * --force), and its commit, and the commits after it, keep the file (found by the crash harness, issue 13).
 * Saves on the history branch are linear, so "current" is the newest version saved at or before the commit,
 * walking parents first.
 */
export async function rewriteHistory(vault: Vault, tip: string, versions: readonly VersionRecord[], toArchive: readonly VersionRecord[]): Promise<Map<string, string>> {
  const drop = new Map<string, Set<string>>();
  const dirs = new Set<string>();
  for (const v of toArchive) {
    if (!drop.has(v.path)) drop.set(v.path, new Set());
    drop.get(v.path)!.add(v.blob);
    const parts = v.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const archivedKeys = new Set(toArchive.map((v) => `${v.path}\0${v.version}`));
  const savedAt = new Map<string, VersionRecord[]>();
  for (const v of versions) if (!v.archive) (savedAt.get(v.commit) ?? savedAt.set(v.commit, []).get(v.commit)!).push(v);
  const current = new Map<string, VersionRecord>();
  const map = new Map<string, string>();
  const memos = new Map<string, Map<string, string>>();
  for (const { oid, commit } of await commitsParentsFirst(vault, tip)) {
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
  return map;
}

/**
 * The notes of rewritten saves, re-attached to the new commits (marked archived, with their archive, when every
 * file of the save went into one; `archiveOf`: "path\0version" → archive file). Returns the notes map with the
 * new commits added and the one with the old commits removed as well, and how many notes moved.
 */
export async function reattachNotes(vault: Vault, notesTip: string | null, map: Map<string, string>, archiveOf: Map<string, string>): Promise<{ added: Map<string, string>; cleaned: Map<string, string>; moved: number }> {
  const notes = await readNotesMap(vault, notesTip);
  const added = new Map(notes);
  const cleaned = new Map(notes);
  let moved = 0;
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
    moved++;
  }
  return { added, cleaned, moved };
}

/** Tags on rewritten saves, moved to the new commits (annotated tags get a new tag object): the moves and tag names. */
export async function tagMoves(vault: Vault, map: Map<string, string>): Promise<{ moves: RefMove[]; tags: string[] }> {
  const moves: RefMove[] = [];
  const tags: string[] = [];
  for (const [ref, target] of await listRefs(vault.gitdir, 'refs/tags/')) {
    const direct = map.get(target);
    if (direct) {
      moves.push({ ref, from: target, to: direct });
      tags.push(ref.slice('refs/tags/'.length));
      continue;
    }
    const obj = await readObject(vault.gitdir, target).catch(() => null);
    if (!obj || obj.type !== 'tag') continue;
    const tag = parseTag(obj.data);
    const to = map.get(tag.object);
    if (!to) continue;
    const oid = await writeObject(vault.gitdir, 'tag', serializeTag({ ...tag, object: to }));
    moves.push({ ref, from: target, to: oid });
    tags.push(ref.slice('refs/tags/'.length));
  }
  return { moves, tags };
}
