/**
 * One error module for core. Every error has a stable `code` (never match on message text),
 * a message that says what to do, optional structured `details`, and `toJSON` for `--json` output
 * (the shared base, CodedError of @savepoint/errors).
 */
import { CodedError } from '@savepoint/errors';

export type ErrorCode =
  | 'E_NOT_A_VAULT'
  | 'E_VAULT_EXISTS'
  | 'E_CONFIG_INVALID'
  | 'E_FILE_NOT_FOUND'
  | 'E_NOT_A_FILE'
  | 'E_PATH_OUTSIDE_VAULT'
  | 'E_NOT_TRACKED'
  | 'E_UNKNOWN_VERSION'
  | 'E_BAD_ADDRESS'
  | 'E_UNKNOWN_EXPERIMENT'
  | 'E_CHECKSUM_MISMATCH'
  | 'E_OBJECT_MISSING'
  | 'E_OBJECT_CORRUPT'
  | 'E_TAG_EXISTS'
  | 'E_BAD_TAG_NAME'
  | 'E_INVALID_ARGUMENT'
  | 'E_VALIDATION_FAILED'
  | 'E_LOCKED'
  | 'E_VERIFY_FAILED'
  | 'E_NO_SPACE'
  | 'E_REMOTE_EXISTS'
  | 'E_REMOTE_NOT_FOUND'
  | 'E_REMOTE_UNREACHABLE'
  // a local-path remote whose disk is not mounted (its parent folder is missing; issue 12)
  | 'E_REMOTE_NOT_MOUNTED'
  | 'E_AUTH_FAILED'
  | 'E_PUSH_REJECTED'
  | 'E_HISTORY_DIVERGED'
  | 'E_ARCHIVE_CORRUPT'
  | 'E_ARCHIVE_MISSING'
  | 'E_HISTORY_BRANCH_MISSING'
  | 'E_NOTE_MISSING'
  | 'E_SCHEDULER_UNAVAILABLE'
  | 'E_INTERRUPTED'
  | 'E_READ_ONLY'
  // SQLite databases (util/sqlite.ts)
  | 'E_DB_BUSY'
  | 'E_DB_INTEGRITY'
  | 'E_DB_SIDECAR'
  // --- issue 12 items 3-4: S3 remotes and encryption at rest
  | 'E_DECRYPT'
  | 'E_BUCKET_NOT_FOUND'
  | 'E_REMOTE_CORRUPT'
  // ---
  // issue 14: manual archive, whole-vault time travel, Postgres dumps
  | 'E_VERSION_PROTECTED'
  | 'E_PG_UNREACHABLE'
  | 'E_PG_AUTH_FAILED'
  | 'E_PG_TOOL_MISSING'
  | 'E_PG_FAILED'
  | 'E_PG_NOT_EMPTY'
  | 'E_INTERNAL';

export class SavepointError extends CodedError<ErrorCode> {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'SavepointError';
  }
}

export function isSavepointError(e: unknown): e is SavepointError {
  return e instanceof SavepointError;
}

/** Map low-level Node errors (ENOSPC, EACCES, …) onto our codes so the CLI can explain them. */
export function fromNodeError(e: unknown, what: string): SavepointError {
  const err = e as NodeJS.ErrnoException;
  if (err && err.code === 'ENOSPC') {
    return new SavepointError('E_NO_SPACE', `Not enough disk space while ${what}. Free some space and try again; nothing was changed.`, {}, { cause: e });
  }
  if (err && err.code === 'EROFS') return readOnlyError(err.path ?? '', what, e);
  if (err && err.code === 'ENOENT') {
    return new SavepointError('E_FILE_NOT_FOUND', `No such file while ${what}: ${err.path ?? ''}`.trim(), { path: err.path }, { cause: e });
  }
  // --- issue 13 item 6 (fuzzing): a name longer than the filesystem allows is the user's input, not a bug
  if (err && err.code === 'ENAMETOOLONG') {
    return new SavepointError('E_INVALID_ARGUMENT', `A file name is too long for this filesystem while ${what}: ${err.path ?? ''}. Use a shorter name.`.trim(), { path: err.path }, { cause: e });
  }
  // ---
  if (e instanceof SavepointError) return e;
  return new SavepointError('E_INTERNAL', `Unexpected error while ${what}: ${(err && err.message) || String(e)}`, {}, { cause: e });
}

// --- read-only media (issue 19 item 4)
/** Errors that mean "this place cannot be written" rather than "something broke". */
export function isReadOnlyErrno(e: unknown): boolean {
  const c = (e as NodeJS.ErrnoException | undefined)?.code;
  return c === 'EROFS' || c === 'EACCES' || c === 'EPERM';
}

/** A write command on a vault this process cannot write (read-only mount, immutable files, no permission). */
export function readOnlyError(where: string, what: string, cause?: unknown): SavepointError {
  const why = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'not writable';
  return new SavepointError(
    'E_READ_ONLY',
    `Cannot write to ${where || 'the vault'} (${why}) while ${what}: the vault is read-only here. Read-only commands (log, show, status, diff, cat, verify, export -o <folder elsewhere>) still work; to change the vault, remount it read-write or work in a writable copy (\`git clone\`).`,
    { path: where, errno: why },
    cause === undefined ? undefined : { cause },
  );
}
// ---
