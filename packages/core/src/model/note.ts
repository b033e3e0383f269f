/** The JSON checksum note attached to every save commit on refs/notes/savepoint. Pure. */
import type { z as Z } from 'zod';
import { SavepointError } from '../errors.js';

export const NOTES_REF = 'refs/notes/savepoint';

/** `restore`: an in-place restore recorded as a save of the restored content (note.restoredFrom names the version) */
export const saveKinds = ['manual', 'pre-change', 'pre-restore', 'auto', 'hook', 'restore'] as const;
export type SaveKind = (typeof saveKinds)[number];

function buildNoteSchema(z: typeof Z) {
  const fileEntrySchema = z.object({
    version: z.number().int().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    md5: z.string().regex(/^[0-9a-f]{32}$/).optional(),
    size: z.number().int().min(0),
    savedAt: z.string(),
    experiment: z.string().optional(),
    description: z.string().optional(),
    source: z.string(),
    /** set when the file is an SQLite database saved through a backup-API snapshot */
    sqlite: z
      .object({ pageSize: z.number().int().min(1), pages: z.number().int().min(0), journalMode: z.string(), integrity: z.literal('ok') })
      .optional(),
    /** set when the file is a pg_dump custom-format archive saved with `save --pg` (never a password) */
    pg: z
      .object({ serverVersion: z.string(), dumpVersion: z.string(), database: z.string(), host: z.string(), port: z.number().int(), user: z.string().optional(), format: z.literal('custom'), dumpedAt: z.string() })
      .optional(),
  });

  const noteSchema = z.object({
    schema: z.literal(1),
    files: z.record(z.string(), fileEntrySchema),
    status: z.enum(['active', 'verified', 'archived']),
    verifiedAt: z.string().optional(),
    verifiedBy: z.string().optional(),
    kind: z.enum(saveKinds).optional(),
    /** retention hint: permanent, days:N, pre-change */
    keep: z.string().optional(),
    archive: z.string().optional(),
    /** kind `restore`: the version number whose content was restored (and is saved by this commit) */
    restoredFrom: z.number().int().min(1).optional(),
  });

  return noteSchema;
}

type NoteSchema = ReturnType<typeof buildNoteSchema>;
let notePromise: Promise<NoteSchema> | null = null;
function loadNoteSchema(): Promise<NoteSchema> {
  notePromise ??= import('zod').then((m) => buildNoteSchema(m.z));
  return notePromise;
}

export type SaveNote = Z.infer<NoteSchema>;
export type NoteFileEntry = SaveNote['files'][string];

export async function parseNote(text: string, commit: string): Promise<SaveNote> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SavepointError('E_OBJECT_CORRUPT', `The checksum note on commit ${commit} is not JSON. Inspect it with \`git notes --ref=savepoint show ${commit}\`.`, { commit });
  }
  const r = (await loadNoteSchema()).safeParse(raw);
  if (!r.success) {
    throw new SavepointError('E_OBJECT_CORRUPT', `The checksum note on commit ${commit} does not match schema 1 (${r.error.issues[0]?.message}). Inspect it with \`git notes --ref=savepoint show ${commit}\`.`, { commit });
  }
  return r.data;
}

export function serializeNote(note: SaveNote): string {
  return JSON.stringify(note, null, 2) + '\n';
}

/** One saved file as the note of its save records it. */
export interface SaveNoteFile {
  path: string;
  version: number;
  sha256: string;
  md5?: string;
  size: number;
  sqlite?: NoteFileEntry['sqlite'];
  pg?: NoteFileEntry['pg'];
}

export interface SaveNoteInput {
  files: SaveNoteFile[];
  /** ISO time of the save (the same for every file) */
  savedAt: string;
  /** where the save came from: `cli`, `api`, `watch`, `browser`, … */
  source: string;
  kind?: SaveKind;
  keep?: string;
  restoredFrom?: number;
  experiment?: string;
  /** the save's message as typed (recorded per file as `description`) */
  message?: string;
}

/** The checksum note of one save. The one builder: the Node save and the browser save both call it. */
export function buildSaveNote(input: SaveNoteInput): SaveNote {
  const note: SaveNote = { schema: 1, files: {}, status: 'active', kind: input.kind ?? 'manual' };
  if (input.keep) note.keep = input.keep;
  if (input.restoredFrom !== undefined) note.restoredFrom = input.restoredFrom;
  for (const f of input.files) {
    note.files[f.path] = {
      version: f.version,
      sha256: f.sha256,
      ...(f.md5 ? { md5: f.md5 } : {}),
      size: f.size,
      savedAt: input.savedAt,
      ...(input.experiment ? { experiment: input.experiment } : {}),
      ...(input.message ? { description: input.message } : {}),
      source: input.source,
      ...(f.sqlite ? { sqlite: f.sqlite } : {}),
      ...(f.pg ? { pg: f.pg } : {}),
    };
  }
  return note;
}
