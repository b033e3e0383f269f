/** Stable exit codes per error code, so scripts can tell failures apart without parsing text. */
import type { ErrorCode } from '@savepoint/core';
import type { DiffErrorCode } from '@savepoint/diff';
import type { HooksErrorCode } from '@savepoint/hooks';

export const EXIT = {
  ok: 0,
  problems: 1,
  usage: 2,
  internal: 70,
  interrupted: 130,
} as const;

/**
 * Every error code core, diff and hooks can throw (a missing one does not compile); `savepoint-hooks` uses the
 * same numbers (packages/hooks/src/exit-codes.ts, checked by exit-codes.test.ts).
 */
export const byCode: Record<ErrorCode | DiffErrorCode | HooksErrorCode, number> = {
  E_INVALID_ARGUMENT: 2,
  E_NOT_A_VAULT: 3,
  E_VAULT_EXISTS: 3,
  E_CONFIG_INVALID: 4,
  E_HISTORY_BRANCH_MISSING: 4,
  E_FILE_NOT_FOUND: 5,
  E_NOT_A_FILE: 6,
  E_PATH_OUTSIDE_VAULT: 7,
  E_NOT_TRACKED: 8,
  E_UNKNOWN_VERSION: 8,
  E_BAD_ADDRESS: 8,
  E_UNKNOWN_EXPERIMENT: 8,
  E_CHECKSUM_MISMATCH: 9,
  E_OBJECT_CORRUPT: 9,
  E_OBJECT_MISSING: 9,
  E_ARCHIVE_CORRUPT: 9,
  E_ARCHIVE_MISSING: 9,
  E_VERIFY_FAILED: 10,
  E_NOTE_MISSING: 10,
  E_LOCKED: 11,
  E_TAG_EXISTS: 12,
  E_BAD_TAG_NAME: 12,
  E_VALIDATION_FAILED: 13,
  E_NO_SPACE: 14,
  E_REMOTE_EXISTS: 15,
  E_REMOTE_NOT_FOUND: 15,
  E_REMOTE_UNREACHABLE: 16,
  E_REMOTE_NOT_MOUNTED: 16,
  E_AUTH_FAILED: 17,
  E_PUSH_REJECTED: 18,
  E_HISTORY_DIVERGED: 19,
  E_SCHEDULER_UNAVAILABLE: 21,
  // SQLite databases
  E_DB_BUSY: 11,
  E_DB_INTEGRITY: 13,
  E_DB_SIDECAR: 6,
  E_READ_ONLY: 20,
  // issue 14: a protected version (latest, tagged, permanent) asked to be archived; Postgres dumps and restores
  E_VERSION_PROTECTED: 12,
  E_PG_UNREACHABLE: 16,
  E_PG_AUTH_FAILED: 17,
  E_PG_TOOL_MISSING: 23,
  E_PG_FAILED: 23,
  E_PG_NOT_EMPTY: 23,
  // diff (@savepoint/diff): a --key that names no column or is not unique is a usage error; data that cannot be
  // parsed as its format is a validation failure. Never 1, which `diff --exit-code` uses for "differences found".
  E_CSV_KEY_NOT_FOUND: 2,
  E_CSV_DUPLICATE_KEY: 2,
  E_CSV_MALFORMED: 13,
  E_JSON_MALFORMED: 13,
  E_XLSX_MALFORMED: 13,
  E_SQLITE_MALFORMED: 13,
  // issue 12 items 3-4: S3 remotes and encryption at rest
  E_BUCKET_NOT_FOUND: 16,
  E_REMOTE_CORRUPT: 9,
  E_DECRYPT: 22,
  // @savepoint/hooks (`savepoint hooks`, `savepoint-hooks`): packages/hooks/src/exit-codes.ts holds the same numbers
  E_NOT_A_GIT_REPO: 3,
  E_HOOKS_CONFLICT: 4,
  E_GIT_FAILED: 24,
  E_INTERRUPTED: 130,
  E_INTERNAL: 70,
};

export function exitCodeFor(code: string): number {
  return (byCode as Record<string, number | undefined>)[code] ?? (code.startsWith('E_') ? 1 : EXIT.internal);
}
