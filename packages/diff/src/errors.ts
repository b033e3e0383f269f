/**
 * Errors thrown by @savepoint/diff. Every error has a stable `code` (never match on message text),
 * a message that says what to do, structured `details`, and `toJSON` for `--json` output (from the shared
 * base, CodedError of @savepoint/errors).
 */
import { CodedError } from '@savepoint/errors';

export type DiffErrorCode =
  | 'E_CSV_MALFORMED'
  | 'E_CSV_DUPLICATE_KEY'
  | 'E_CSV_KEY_NOT_FOUND'
  | 'E_JSON_MALFORMED'
  | 'E_XLSX_MALFORMED'
  | 'E_SQLITE_MALFORMED'
  | 'E_FILE_NOT_FOUND'
  | 'E_INVALID_ARGUMENT'
  | 'E_INTERNAL';

export class DiffError extends CodedError<DiffErrorCode> {
  constructor(code: DiffErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'DiffError';
  }
}

export function isDiffError(e: unknown): e is DiffError {
  return e instanceof DiffError;
}

/** Map a low-level Node error onto a DiffError so callers only ever see our codes. */
export function fromNodeError(e: unknown, path: string): DiffError {
  if (e instanceof DiffError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err && (err.code === 'ENOENT' || err.code === 'EISDIR')) {
    return new DiffError('E_FILE_NOT_FOUND', `Cannot read ${path}: no such file. Check the path and try again.`, { path }, { cause: e });
  }
  return new DiffError('E_INTERNAL', `Unexpected error while reading ${path}: ${(err && err.message) || String(e)}`, { path }, { cause: e });
}
