import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildSaveMessage, descriptionOf, parseTrailers, summaryOf } from './commit-message.js';

describe('save commit messages', () => {
  it('has summary, blank line, description, trailers', () => {
    const m = buildSaveMessage({ summary: 'Run 4', description: 'more rows', files: [{ path: 'a.csv', version: 2, sha256: 'f'.repeat(64) }], experiment: 'exp-7' });
    expect(m).toBe(`Run 4\n\nmore rows\n\nSavepoint-Version: a.csv=2\nSavepoint-Sha256: a.csv=${'f'.repeat(64)}\nSavepoint-Experiment: exp-7\n`);
  });

  it('round-trips paths, versions and sums (property)', () => {
    const pathArb = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\n\r]/.test(s) && s.trim() === s);
    fc.assert(
      fc.property(fc.uniqueArray(pathArb, { minLength: 1, maxLength: 5 }), fc.string().filter((s) => !s.includes('Savepoint-')), (paths, desc) => {
        const files = paths.map((p, i) => ({ path: p, version: i + 1, sha256: String(i).repeat(64).slice(0, 64) }));
        const m = buildSaveMessage({ summary: 'S', description: desc, files });
        const t = parseTrailers(m);
        for (const f of files) {
          expect(t.versions.get(f.path)).toBe(f.version);
          expect(t.sha256.get(f.path)).toBe(f.sha256);
        }
        expect(summaryOf(m)).toBe('S');
        expect(descriptionOf(m)).toBe(desc.trim());
      }),
    );
  });
});
