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
import type { TransportOptions } from '../remote/transport.js';
import { repairObjects } from './repair-objects.js';
import type { ObjectRepair, RepairSourceReport } from './repair-objects.js';
import type { Vault } from '../vault.js';
import { personAt } from '../vault.js';

export interface RepairOptions extends TransportOptions {
  /** report what would be rebuilt, write nothing */
  dryRun?: boolean;
  onProgress?: ProgressCallback;
}

export interface RebuiltNote {
  commit: string;
  /** `missing`: the save had no note; `damaged`: its note could not be read (it is replaced) */
  reason: 'missing' | 'damaged';
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
  /** damaged stored versions and whether a good copy was found (repair of data: remotes and archives) */
  objects: ObjectRepair[];
  /** the remotes and archives looked in for good copies (and damaged archives, which cannot be fixed here) */
  sources: RepairSourceReport[];
  ok: boolean;
}

/** Rebuild the checksum notes of save commits that have none, or whose note cannot be read. */
export async function rebuildNotes(vault: Vault, opts: RepairOptions = {}): Promise<RepairResult> {
  return withLock(vault.gitdir, 'repair', () => rebuildNotesLocked(vault, opts));
}

async function rebuildNotesLocked(vault: Vault, opts: RepairOptions): Promise<RepairResult> {
  {
    const history = await loadHistory(vault); // refuses a missing history branch (E_HISTORY_BRANCH_MISSING)
    const notesTip = await resolveRef(vault, NOTES_REF);
    const notes = await readNotesMap(vault, notesTip);
    const md5 = vault.config.checksum.md5;
    const result: RepairResult = { dryRun: !!opts.dryRun, saves: 0, noted: 0, rebuilt: [], problems: [], notesCommit: null, objects: [], sources: [], ok: true };
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
      let damagedNote: string | null = null;
      if (existing) {
        try {
          await parseNote(await readBlobText(vault, existing), c.oid);
          result.noted++;
          continue;
        } catch (e) {
          // a damaged note (bytes flipped, not JSON, wrong shape): rebuilt from the trailers like a missing one
          if (!(e instanceof SavepointError) && !(e instanceof Error)) throw e;
          damagedNote = e.message;
        }
      }
      const note: SaveNote = { schema: 1, files: {}, status: 'active' };
      const rebuilt: RebuiltNote = { commit: c.oid, reason: damagedNote === null ? 'missing' : 'damaged', files: [] };
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
        if (damagedNote !== null) problems.push({ commit: c.oid, code: 'E_OBJECT_CORRUPT', message: `The note on ${c.oid.slice(0, 12)} cannot be read (${damagedNote}) and could not be rebuilt; it was left as it is.` });
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
  }
}

/**
 * `savepoint repair`: first damaged stored versions (good copies fetched from remotes and archives, see
 * repair-objects.ts), then checksum notes that are missing or damaged (rebuilt from the commit trailers,
 * re-checked against the now intact content).
 */
export async function repair(vault: Vault, opts: RepairOptions = {}): Promise<RepairResult> {
  return withLock(vault.gitdir, 'repair', async () => {
    const history = await loadHistory(vault);
    // note blobs that no longer read (flipped bytes): fetched back like data when a remote has them
    const damagedNotes = new Map<string, { commit: string; damage: string; code: ErrorCode }>();
    for (const [commit, blob] of await readNotesMap(vault, await resolveRef(vault, NOTES_REF))) {
      try {
        await readBlobText(vault, blob);
      } catch (e) {
        if (e instanceof SavepointError && (e.code === 'E_OBJECT_CORRUPT' || e.code === 'E_OBJECT_MISSING')) damagedNotes.set(blob, { commit, damage: e.message, code: e.code });
        else if (!(e instanceof SavepointError)) throw e;
      }
    }
    const fixed = await repairObjects(vault, history.versions, opts, damagedNotes);
    const result = await rebuildNotesLocked(vault, opts);
    result.objects = fixed.objects;
    result.sources = fixed.sources;
    for (const o of fixed.objects) {
      if (o.status !== 'unfixed' || o.note) continue; // an unfixed note blob is rebuilt from the trailers instead
      const tried = o.tried.length ? o.tried.map((t) => `${t.source}: ${t.result}`).join('; ') : 'no remote or archive is configured';
      for (const v of o.versions) {
        result.problems.push({ commit: v.commit, path: v.path, version: v.version, code: o.code, message: `${v.path}@${v.version} is damaged (${o.damage}) and no good copy was found (${tried}). Restore it from another backup, or save the file again if you still have it.` });
      }
    }
    for (const s of fixed.sources) {
      if (s.ok || !s.source.startsWith('archive ')) continue;
      result.problems.push({ commit: '', code: 'E_ARCHIVE_CORRUPT', message: `The ${s.source} cannot be read (${s.error}); repair cannot rebuild an archive. Put it back from a backup copy.` });
    }
    result.ok = result.problems.length === 0;
    return result;
  });
}
