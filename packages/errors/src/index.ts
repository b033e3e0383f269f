/**
 * The one error base of Savepoint's packages (core, diff, hooks): a stable `code` (never match on message
 * text), a message that says what to do, structured `details`, and `toJSON` for `--json` output. Each package
 * subclasses it with its own code union and name; nothing else lives here, so diff and hooks stay free of core.
 */
export interface ErrorJson<C extends string = string> {
  code: C;
  message: string;
  details: Record<string, unknown>;
}

export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Record<string, unknown>;
  constructor(code: C, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodedError';
    this.code = code;
    this.details = details;
  }
  toJSON(): ErrorJson<C> {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Any of the packages' errors (SavepointError, DiffError, HooksError). */
export function isCodedError(e: unknown): e is CodedError {
  return e instanceof CodedError;
}
