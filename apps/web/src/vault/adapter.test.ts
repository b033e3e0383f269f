import { describe, expect, it } from 'vitest';
import type { BrowserVerifyReport } from '@savepoint/core/browser';
import { verifyReportOf } from './adapter.js';

describe('adapter', () => {
  it("maps core's verify report: verified and unnoted are good, corrupted and missing are problems with their code", () => {
    const item = (path: string, version: number, status: BrowserVerifyReport['items'][number]['status'], extra = {}) => ({ path, version, commit: 'c'.repeat(40), status, expected: 'e'.repeat(64), ...extra });
    const r = verifyReportOf({
      ok: false,
      verified: 1,
      corrupted: 1,
      missing: 1,
      unnoted: 1,
      bytes: 10,
      items: [item('a.csv', 1, 'verified'), item('a.csv', 2, 'unnoted'), item('a.csv', 3, 'corrupted', { code: 'E_CHECKSUM_MISMATCH', message: 'bad bytes' }), item('b.json', 1, 'missing')],
    });
    expect(r.ok).toBe(false);
    expect(r.verified).toEqual([{ path: 'a.csv', version: 1 }, { path: 'a.csv', version: 2 }]);
    expect(r.problems).toEqual([
      { path: 'a.csv', version: 3, code: 'E_CHECKSUM_MISMATCH', message: 'bad bytes' },
      { path: 'b.json', version: 1, code: 'E_OBJECT_MISSING', message: 'b.json@1 is missing' },
    ]);
  });
});
