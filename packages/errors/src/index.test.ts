import { describe, expect, it } from 'vitest';
import { CodedError, isCodedError } from './index.js';

class PkgError extends CodedError<'E_ONE' | 'E_TWO'> {
  constructor(code: 'E_ONE' | 'E_TWO', message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'PkgError';
  }
}

describe('CodedError', () => {
  it('keeps code, details, cause and name, and serialises to {code, message, details}', () => {
    const cause = new Error('low level');
    const e = new PkgError('E_TWO', 'Do this instead.', { path: 'a.csv' }, { cause });
    expect(e).toBeInstanceOf(Error);
    expect(isCodedError(e)).toBe(true);
    expect(e.name).toBe('PkgError');
    expect(e.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'E_TWO', message: 'Do this instead.', details: { path: 'a.csv' } });
    expect(isCodedError(new Error('plain'))).toBe(false);
  });
});
