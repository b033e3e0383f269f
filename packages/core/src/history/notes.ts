/**
 * Checksum notes on refs/notes/savepoint. We write a 2/38 fanout (`ab/cdef…`) so each save rewrites two
 * small trees, and read any fanout native git may have produced (flat, ab/cdef…, ab/cd/ef…).
 */
import type { TreeEntry } from './objects.js';
import { NOTES_REF } from '../model/note.js';
import type { GitCtx, GitPerson } from './git.js';
import { readCommit, readTreeEntries, resolveRef, updateRef, writeBlobText, writeCommit, writeTree } from './git.js';

/** commit oid → note blob oid, for the whole notes tree at `notesCommit`. */
export async function readNotesMap(ctx: GitCtx, notesCommit: string | null): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!notesCommit) return out;
  const { tree } = await readCommit(ctx, notesCommit);
  const walk = async (treeOid: string, prefix: string): Promise<void> => {
    for (const e of await readTreeEntries(ctx, treeOid)) {
      const name = prefix + e.path;
      if (e.type === 'tree' && /^[0-9a-f]+$/.test(e.path) && name.length < 40) await walk(e.oid, name);
      else if (e.type === 'blob' && /^[0-9a-f]{40}$/.test(name)) out.set(name, e.oid);
    }
  };
  await walk(tree, '');
  return out;
}

/**
 * Add or replace notes (commit oid → note text) in one notes commit; returns the new notes commit.
 * The ref moves only after every object is written.
 */
export async function writeNotes(ctx: GitCtx, notes: Map<string, string>, author: GitPerson, message = "Notes added by 'savepoint'"): Promise<string> {
  return (await writeNotesDetailed(ctx, notes, author, message)).commit;
}

/** As writeNotes, also returning the previous notes tip and each note's blob id. */
export async function writeNotesDetailed(ctx: GitCtx, notes: Map<string, string>, author: GitPerson, message = "Notes added by 'savepoint'"): Promise<{ commit: string; parent: string | null; blobs: Map<string, string> }> {
  const parent = await resolveRef(ctx, NOTES_REF);
  const blobs = new Map<string, string>();
  for (const [commit, text] of notes) blobs.set(commit, await writeBlobText(ctx, text));
  const rootOld = parent ? (await readCommit(ctx, parent)).tree : null;
  const rootEntries = rootOld ? await readTreeEntries(ctx, rootOld) : [];
  const simpleFanout = rootEntries.every((e) => e.type === 'tree' && /^[0-9a-f]{2}$/.test(e.path));
  let newRoot: string;
  if (simpleFanout) {
    newRoot = await mergeIntoFanout(ctx, rootEntries, blobs);
  } else {
    // Flat or deeper fanout (native git): rebuild the whole tree in our 2/38 layout.
    const all = await readNotesMap(ctx, parent);
    for (const [c, b] of blobs) all.set(c, b);
    newRoot = await writeNotesTree(ctx, all);
  }
  const commit = await writeCommit(ctx, { tree: newRoot, parents: parent ? [parent] : [], message: message + '\n', author });
  await updateRef(ctx, NOTES_REF, commit, parent);
  return { commit, parent, blobs };
}

/** A whole notes tree in our 2/38 fanout from a full map (commit oid → note blob oid); writes objects only. */
export async function writeNotesTree(ctx: GitCtx, notes: Map<string, string>): Promise<string> {
  return mergeIntoFanout(ctx, [], notes);
}

async function mergeIntoFanout(ctx: GitCtx, rootEntries: TreeEntry[], blobs: Map<string, string>): Promise<string> {
  const root = new Map(rootEntries.map((e) => [e.path, e]));
  const byDir = new Map<string, Map<string, string>>();
  for (const [commit, blob] of blobs) {
    const d = commit.slice(0, 2);
    if (!byDir.has(d)) byDir.set(d, new Map());
    byDir.get(d)!.set(commit.slice(2), blob);
  }
  for (const [d, files] of byDir) {
    const existing = root.get(d);
    const entries = new Map<string, TreeEntry>();
    if (existing) {
      for (const e of await readTreeEntries(ctx, existing.oid)) {
        if (e.type === 'tree') {
          // a deeper fanout under this dir: flatten it into 38-char names
          const stack: [string, string][] = [[e.oid, e.path]];
          while (stack.length) {
            const [oid, prefix] = stack.pop()!;
            for (const sub of await readTreeEntries(ctx, oid)) {
              if (sub.type === 'tree') stack.push([sub.oid, prefix + sub.path]);
              else entries.set(prefix + sub.path, { ...sub, path: prefix + sub.path });
            }
          }
        } else entries.set(e.path, e);
      }
    }
    for (const [name, blob] of files) entries.set(name, { mode: '100644', path: name, oid: blob, type: 'blob' });
    const oid = await writeTree(ctx, [...entries.values()]);
    root.set(d, { mode: '040000', path: d, oid, type: 'tree' });
  }
  return writeTree(ctx, [...root.values()]);
}
