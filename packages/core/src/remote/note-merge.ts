/**
 * Merging two checksum notes for the same save commit (local vs remote). Pure.
 *
 * The merge is a join: commutative, associative and idempotent, so vaults that exchange notes in any order
 * converge on byte-identical note blobs. Rules: files are united (for the same path the entry with the later
 * savedAt wins); status ranks archived > verified > active; the newest verifiedAt (with its verifiedBy)
 * wins; a keep hint is never lost (permanent > pre-change > days:N, larger N first); an archive name is kept.
 * A note that is not valid JSON/schema loses against a valid one.
 */
import { parseNote } from '../model/note.js';
import type { NoteFileEntry, SaveNote } from '../model/note.js';

const STATUS_RANK: Record<SaveNote['status'], number> = { active: 0, verified: 1, archived: 2 };


function canonEntry(e: NoteFileEntry): NoteFileEntry {
  const out: NoteFileEntry = { version: e.version, sha256: e.sha256, size: e.size, savedAt: e.savedAt, source: e.source };
  if (e.md5 !== undefined) out.md5 = e.md5;
  if (e.experiment !== undefined) out.experiment = e.experiment;
  if (e.description !== undefined) out.description = e.description;
  return out;
}

function entryKey(e: NoteFileEntry): string {
  return `${e.savedAt}\0${JSON.stringify(canonEntry(e))}`;
}

function keepRank(k: string): [number, number] {
  if (k === 'permanent') return [3, 0];
  if (k === 'pre-change') return [2, 0];
  const m = /^days:(\d+)$/.exec(k);
  if (m) return [1, Number(m[1])];
  return [0, 0];
}

function maxBy<T>(a: T | undefined, b: T | undefined, cmp: (x: T, y: T) => number): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return cmp(a, b) >= 0 ? a : b;
}

const str = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** The join of two parsed notes, in canonical key order. */
export function mergeNotes(a: SaveNote, b: SaveNote): SaveNote {
  const files: Record<string, NoteFileEntry> = {};
  for (const p of [...new Set([...Object.keys(a.files), ...Object.keys(b.files)])].sort()) {
    const best = maxBy(a.files[p], b.files[p], (x, y) => str(entryKey(x), entryKey(y)))!;
    files[p] = canonEntry(best);
  }
  const status = STATUS_RANK[a.status] >= STATUS_RANK[b.status] ? a.status : b.status;
  const out: SaveNote = { schema: 1, files, status };
  const va = a.verifiedAt !== undefined ? `${a.verifiedAt}\0${a.verifiedBy ?? ''}` : undefined;
  const vb = b.verifiedAt !== undefined ? `${b.verifiedAt}\0${b.verifiedBy ?? ''}` : undefined;
  const v = maxBy(va, vb, str);
  if (v !== undefined) {
    const [at, by] = v.split('\0') as [string, string];
    out.verifiedAt = at;
    const src = va === v ? a : b;
    if (src.verifiedBy !== undefined) out.verifiedBy = by;
  }
  const kind = a.kind !== undefined && b.kind !== undefined ? (a.kind <= b.kind ? a.kind : b.kind) : (a.kind ?? b.kind);
  if (kind !== undefined) out.kind = kind;
  const keep = maxBy(a.keep, b.keep, (x, y) => {
    const [rx, nx] = keepRank(x);
    const [ry, ny] = keepRank(y);
    return rx - ry || nx - ny || str(x, y);
  });
  if (keep !== undefined) out.keep = keep;
  const archive = a.archive !== undefined && b.archive !== undefined ? (a.archive <= b.archive ? a.archive : b.archive) : (a.archive ?? b.archive);
  if (archive !== undefined) out.archive = archive;
  return out;
}

/** One side of a merge: the note text and its parsed form (null when it is not a valid note). */
export interface NoteSide {
  text: string;
  note: SaveNote | null;
}

/**
 * Merge two note texts for one commit. Equal texts come back unchanged; otherwise the canonical join is
 * serialised (2-space JSON + newline, like serializeNote). Invalid notes lose against valid ones.
 */
export function mergeNoteSides(sa: NoteSide, sb: NoteSide): string {
  const a = sa.text;
  const b = sb.text;
  if (a === b) return a;
  const na = sa.note;
  const nb = sb.note;
  if (!na && !nb) return a < b ? a : b;
  if (!na) return b;
  if (!nb) return a;
  return JSON.stringify(mergeNotes(na, nb), null, 2) + '\n';
}

export async function noteSide(text: string): Promise<NoteSide> {
  return { text, note: await parseNote(text, '').catch(() => null) };
}

/** mergeNoteSides on raw texts (parses both). */
export async function mergeNoteTexts(a: string, b: string): Promise<string> {
  if (a === b) return a;
  return mergeNoteSides(await noteSide(a), await noteSide(b));
}

/**
 * The union of two notes maps (commit → note blob): a commit only one side notes keeps that note, a commit
 * both note differently gets the merged text (mergeNoteTexts) written as a new blob. Blobs are read and
 * written through `io`, so the Node store and the browser share this step.
 */
export async function unionNotes(
  a: Map<string, string>,
  b: Map<string, string>,
  io: { readText(oid: string): Promise<string>; writeText(text: string): Promise<string> },
): Promise<{ union: Map<string, string>; merged: number }> {
  const union = new Map(a);
  let merged = 0;
  for (const [commit, blob] of b) {
    const mine = union.get(commit);
    if (mine === undefined) union.set(commit, blob);
    else if (mine !== blob) {
      union.set(commit, await io.writeText(await mergeNoteTexts(await io.readText(mine), await io.readText(blob))));
      merged += 1;
    }
  }
  return { union, merged };
}
