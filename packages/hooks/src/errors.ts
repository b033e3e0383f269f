/**
 * Errors thrown by @savepoint/hooks. Same shape as @savepoint/core's errors: a stable `code`
 * (never match on message text), a message that says what to do, `details`, and `toJSON`.
 *
 * A blocked commit is NOT an error: `checkFiles` returns the problems as data (see ProblemCode).
 */
import { CodedError } from '@savepoint/errors';

export type HooksErrorCode =
  | 'E_NOT_A_GIT_REPO'
  | 'E_CONFIG_INVALID'
  | 'E_HOOKS_CONFLICT'
  | 'E_GIT_FAILED'
  | 'E_INVALID_ARGUMENT'
  | 'E_LOCKED';

export class HooksError extends CodedError<HooksErrorCode> {
  constructor(code: HooksErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'HooksError';
  }
}

export function isHooksError(e: unknown): e is HooksError {
  return e instanceof HooksError;
}
