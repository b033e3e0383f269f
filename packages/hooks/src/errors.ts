/**
 * Errors thrown by @savepoint/hooks. Same shape as @savepoint/core's errors: a stable `code`
 * (never match on message text), a message that says what to do, `details`, and `toJSON`.
 *
 * A blocked commit is NOT an error: `checkFiles` returns the problems as data (see ProblemCode).
 */
export type HooksErrorCode =
  | 'E_NOT_A_GIT_REPO'
  | 'E_CONFIG_INVALID'
  | 'E_HOOKS_CONFLICT'
  | 'E_GIT_FAILED'
  | 'E_INVALID_ARGUMENT'
  | 'E_LOCKED';

export class HooksError extends Error {
  readonly code: HooksErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: HooksErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HooksError';
    this.code = code;
    this.details = details;
  }
  toJSON(): { code: HooksErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isHooksError(e: unknown): e is HooksError {
  return e instanceof HooksError;
}
