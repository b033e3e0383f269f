/**
 * repair: rebuild checksum notes that are missing (e.g. refs/notes/savepoint was deleted) from what the save
 * commits still hold. Version and sha256 come from the commit trailers, size (and md5 when configured) from
 * the stored blob, savedAt from the commit date. Every sha256 is re-checked against the blob before a note is
 * written; a save whose content does not check out is reported, never written. Existing notes are never
 * replaced: new notes are merged into the notes tree beside them.
 */
import type { ErrorCode } from '../errors.js';
import { SavepointError } from '../errors.js';
import { parseTrailers } from '../model/commit-message.js';
import { NOTES_REF, parseNote, serializeNote } from '../model/note.js';
import type { SaveNote } from '../model/note.js';
import { blobAtPath, firstParentWalk, readBlobText, resolveRef } from '../history/git.js';
import { readNotesMap, writeNotes } from '../history/notes.js';
import { loadHistory } from '../history/versions.js';
import { digestBlob } from '../store/object-store.js';
import { withLock } from '../util/lock.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import { personAt } from '../vault.js';

export interface RepairOptions {
  /** report what would be rebuilt, write nothing */
  dryRun?: boolean;
  onProgress?: ProgressCallback;
}

export interface RebuiltNote {
  commit: string;
  files: { path: string; version: number; sha256: string; size: number }[];
}

export interface RepairProblem {
  commit: string;
  path?: string;
  version?: number;
  code: ErrorCode;
  message: string;
}

export interface RepairResult {
  dryRun: boolean;
  /** save commits on the history branch (commits with Savepoint trailers) */
  saves: number;
  /** saves that already had a readable note (left untouched) */
  noted: number;
  /** notes written (or, with dryRun, that would be written) */
  rebuilt: RebuiltNote[];
  /** saves whose note could not be rebuilt, and why; nothing was written for them */
  problems: RepairProblem[];
  /** the new tip of refs/notes/savepoint, when notes were written */
  notesCommit: string | null;
  ok: boolean;
}

/** Rebuild the checksum notes of save commits that have none. */
export async function rebuildNotes(vault: Vault, opts: RepairOptions = {}): Promise<RepairResult> {
  return withLock(vault.gitdir, 'repair', async () => {
    const history = await loadHistory(vault); // refuses a missing history branch (E_HISTORY_BRANCH_MISSING)
    const notesTip = await resolveRef(vault, NOTES_REF);
    const notes = await readNotesMap(vault, notesTip);
    const md5 = vault.config.checksum.md5;
    const result: RepairResult = { dryRun: !!opts.dryRun, saves: 0, noted: 0, rebuilt: [], problems: [], notesCommit: null, ok: true };
    const writes = new Map<string, string>();
    const commits: { oid: string; message: string; tree: string; timestamp: number }[] = [];
    for await (const { oid, commit } of firstParentWalk(vault, history.tip, () => false)) {
      commits.push({ oid, message: commit.message, tree: commit.tree, timestamp: commit.committer.timestamp });
    }
    commits.reverse();
    const total = commits.length;
    let done = 0;
    for (const c of commits) {
      opts.onProgress?.({ phase: 'repair', loaded: done++, total, item: c.oid.slice(0, 10) });
      const trailers = parseTrailers(c.message);
      if (trailers.versions.size === 0) continue; // not a save (e.g. the vault's first commit)
      result.saves++;
      const existing = notes.get(c.oid);
      if (existing) {
        try {
          await parseNote(await readBlobText(vault, existing), c.oid);
          result.noted++;
        } catch (e) {
          const why = e instanceof SavepointError ? e.message : String(e);
          result.problems.push({ commit: c.oid, code: 'E_OBJECT_CORRUPT', message: `The note on ${c.oid.slice(0, 12)} exists but cannot be read (${why}); it was left as it is. Inspect it with \`git notes --ref=savepoint show ${c.oid}\`.` });
        }
        continue;
      }
      const note: SaveNote = { schema: 1, files: {}, status: 'active' };
      const rebuilt: RebuiltNote = { commit: c.oid, files: [] };
      const problems: RepairProblem[] = [];
      const savedAt = new Date(c.timestamp * 1000).toISOString();
      for (const [p, version] of trailers.versions) {
        const where = { commit: c.oid, path: p, version };
        const expected = trailers.sha256.get(p);
        if (!expected || !/^[0-9a-f]{64}$/.test(expected) || !Number.isInteger(version) || version < 1) {
          problems.push({ ...where, code: 'E_OBJECT_CORRUPT', message: `The commit's trailers for ${p} lack a valid version or sha256, so its note cannot be rebuilt.` });
          continue;
        }
        const blob = await blobAtPath(vault, c.tree, p);
        if (!blob) {
          problems.push({ ...where, code: 'E_OBJECT_MISSING', message: `${p}@${version} is not in the commit's tree (archived or removed), so its size cannot be re-checked; no note was written.` });
          continue;
        }
        let digest;
        try {
          digest = await digestBlob(vault.gitdir, blob, { md5 });
        } catch (e) {
          if (!(e instanceof SavepointError)) throw e;
          problems.push({ ...where, code: e.code, message: `${p}@${version} cannot be read (${e.message}); no note was written.` });
          continue;
        }
        if (digest.sha256 !== expected) {
          problems.push({ ...where, code: 'E_CHECKSUM_MISMATCH', message: `${p}@${version} hashes to ${digest.sha256}, its commit says ${expected}: the stored content is damaged, so no note was written. Restore it from a remote or archive.` });
          continue;
        }
        note.files[p] = { version, sha256: digest.sha256, ...(digest.md5 ? { md5: digest.md5 } : {}), size: digest.size, savedAt, ...(trailers.experiment ? { experiment: trailers.experiment } : {}), source: 'repair' };
        rebuilt.files.push({ path: p, version, sha256: digest.sha256, size: digest.size });
      }
      if (problems.length) {
        result.problems.push(...problems);
        continue;
      }
      writes.set(c.oid, serializeNote(note));
      result.rebuilt.push(rebuilt);
    }
    opts.onProgress?.({ phase: 'repair', loaded: total, total });
    result.ok = result.problems.length === 0;
    if (!opts.dryRun && writes.size) {
      // writeNotes adds to the notes tree next to the notes already there; none of these commits has one
      result.notesCommit = await writeNotes(vault, writes, personAt(vault.author, vault.clock()), "Notes rebuilt from commit trailers by 'savepoint repair'");
    }
    return result;
  });
}

/** `savepoint repair`: today, rebuilding missing checksum notes. */
export async function repair(vault: Vault, opts: RepairOptions = {}): Promise<RepairResult> {
  return rebuildNotes(vault, opts);
}
