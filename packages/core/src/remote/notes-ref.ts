/**
 * Merging a remote's checksum notes into refs/notes/savepoint (fetch, pull, clone, S3): fast-forward when
 * possible, else a merge commit whose tree is the union of both, same-commit notes merged by note-merge.ts.
 */
import { NOTES_REF } from '../model/note.js';
import { readBlobText, resolveRef, updateRef, writeBlobText, writeCommit } from '../history/git.js';
import { readNotesMap, writeNotesTree } from '../history/notes.js';
import { withLock } from '../util/lock.js';
import type { Vault } from '../vault.js';
import { personAt } from '../vault.js';
import { isAncestor } from './graph.js';
import { unionNotes } from './note-merge.js';

export type NotesMergeAction = 'none' | 'fast-forward' | 'merged';

/**
 * Bring `theirs` (a notes commit we have the objects of) into refs/notes/savepoint: fast-forward when
 * possible, otherwise a merge commit whose tree is the union by commit, same-commit notes merged
 * (verified beats active, newest verifiedAt, …).
 */
export async function mergeNotesRef(vault: Vault, theirs: string | null, from: string): Promise<{ action: NotesMergeAction; tip: string | null; merged: number }> {
  return withLock(vault.gitdir, 'notes merge', async () => {
    const ours = await resolveRef(vault, NOTES_REF);
    if (!theirs || theirs === ours) return { action: 'none', tip: ours, merged: 0 };
    if (!ours) {
      await updateRef(vault, NOTES_REF, theirs, null);
      return { action: 'fast-forward', tip: theirs, merged: 0 };
    }
    if (await isAncestor(vault, theirs, ours)) return { action: 'none', tip: ours, merged: 0 };
    if (await isAncestor(vault, ours, theirs)) {
      await updateRef(vault, NOTES_REF, theirs, ours);
      return { action: 'fast-forward', tip: theirs, merged: 0 };
    }
    const a = await readNotesMap(vault, ours);
    const b = await readNotesMap(vault, theirs);
    const { union, merged } = await unionNotes(a, b, { readText: (oid) => readBlobText(vault, oid), writeText: (text) => writeBlobText(vault, text) });
    const tree = await writeNotesTree(vault, union);
    const commit = await writeCommit(vault, { tree, parents: [ours, theirs], message: `Notes merged from ${from} by 'savepoint'\n`, author: personAt(vault.author, vault.clock()) });
    await updateRef(vault, NOTES_REF, commit, ours);
    return { action: 'merged', tip: commit, merged };
  });
}
