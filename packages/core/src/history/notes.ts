/**
 * Checksum notes on refs/notes/savepoint. We write a 2/38 fanout (`ab/cdef…`) so each save rewrites two
 * small trees, and read any fanout native git may have produced (flat, ab/cdef…, ab/cd/ef…).
 */
import { addNotesToTree, readNotesTree, writeNotesFanout } from '../model/git-trees.js';
import type { TreeIO } from '../model/git-trees.js';
import { NOTES_REF } from '../model/note.js';
import type { GitCtx, GitPerson } from './git.js';
import { readCommit, readTreeEntries, resolveRef, updateRef, writeBlobText, writeCommit, writeTree } from './git.js';

/** The shared tree algorithms (model/git-trees.ts) over this object store. */
export function treeIO(ctx: GitCtx): TreeIO {
  return { readTree: (oid) => readTreeEntries(ctx, oid), writeTree: (entries) => writeTree(ctx, entries) };
}

/** commit oid → note blob oid, for the whole notes tree at `notesCommit`. */
export async function readNotesMap(ctx: GitCtx, notesCommit: string | null): Promise<Map<string, string>> {
  if (!notesCommit) return new Map();
  return readNotesTree(treeIO(ctx), (await readCommit(ctx, notesCommit)).tree);
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
  const newRoot = await addNotesToTree(treeIO(ctx), parent ? (await readCommit(ctx, parent)).tree : null, blobs);
  const commit = await writeCommit(ctx, { tree: newRoot, parents: parent ? [parent] : [], message: message + '\n', author });
  await updateRef(ctx, NOTES_REF, commit, parent);
  return { commit, parent, blobs };
}

/** A whole notes tree in our 2/38 fanout from a full map (commit oid → note blob oid); writes objects only. */
export async function writeNotesTree(ctx: GitCtx, notes: Map<string, string>): Promise<string> {
  return writeNotesFanout(treeIO(ctx), notes);
}
