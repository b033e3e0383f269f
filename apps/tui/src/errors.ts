/** Errors of the TUI itself, shaped like core's (stable code, message that says what to do, details, toJSON). */
export type TuiErrorCode = 'E_NOT_A_TERMINAL';

export class TuiError extends Error {
  readonly code: TuiErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: TuiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'TuiError';
    this.code = code;
    this.details = details;
  }
  toJSON(): { code: TuiErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export interface ErrorInfo {
  code: string;
  message: string;
}

/** Any thrown value as `{code, message}` for the message line; unknown failures become E_INTERNAL. */
export function toErrorInfo(e: unknown): ErrorInfo {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' && err.code.startsWith('E_') ? err.code : 'E_INTERNAL';
  const message = typeof err?.message === 'string' && err.message ? err.message : String(e);
  return { code, message };
}
