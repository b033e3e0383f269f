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

  // issue 19, item 11: newlines in file names or texts must never forge a trailer
  it('quotes paths a plain trailer cannot carry, and reads them back', () => {
    const evil = 'evil.csv\nSavepoint-Version: x=99';
    const m = buildSaveMessage({ summary: 'S', files: [{ path: evil, version: 1, sha256: 'a'.repeat(64) }] });
    expect(m).toContain('Savepoint-Version: "evil.csv\\nSavepoint-Version: x=99"=1\n');
    const t = parseTrailers(m);
    expect([...t.versions]).toEqual([[evil, 1]]);
    expect(t.sha256.get(evil)).toBe('a'.repeat(64));
    for (const p of ['a\\b.csv', '"q".csv', ' lead.csv', 'tab\there.csv', 'del\x7f.csv', 'a=b.csv', 'é.csv']) {
      expect([...parseTrailers(buildSaveMessage({ summary: 'S', files: [{ path: p, version: 3, sha256: 'b'.repeat(64) }] })).versions]).toEqual([[p, 3]]);
    }
  });

  it('reads trailers only from the last paragraph, so a description cannot forge one', () => {
    const m = buildSaveMessage({ summary: 'Savepoint-Version: x=7', description: 'Savepoint-Version: y=99\nSavepoint-Sha256: y=' + 'c'.repeat(64), files: [{ path: 'a.csv', version: 2, sha256: 'd'.repeat(64) }] });
    const t = parseTrailers(m);
    expect([...t.versions]).toEqual([['a.csv', 2]]);
    expect([...t.sha256.keys()]).toEqual(['a.csv']);
    expect(descriptionOf(m)).toBe('Savepoint-Version: y=99\nSavepoint-Sha256: y=' + 'c'.repeat(64));
    // a one-paragraph message holds no trailers at all
    expect(parseTrailers('Savepoint-Version: x=1\n').versions.size).toBe(0);
    // messages written before quoting still read the same
    expect([...parseTrailers('Save a v1\n\nSavepoint-Version: a=b.csv=4\nSavepoint-Sha256: a=b.csv=' + 'e'.repeat(64) + '\n').versions]).toEqual([['a=b.csv', 4]]);
  });

  it('no path, description or experiment id makes parsing disagree with what was written (property)', () => {
    const anyText = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(fc.uniqueArray(anyText.filter((s) => s.length > 0), { minLength: 1, maxLength: 4 }), anyText, fc.option(anyText.filter((s) => !/[\x00-\x1f\x7f]/.test(s) && s.length > 0), { nil: undefined }), (paths, desc, experiment) => {
        const files = paths.map((p, i) => ({ path: p, version: i + 1, sha256: String(i % 10).repeat(64) }));
        const t = parseTrailers(buildSaveMessage({ summary: 'S', description: desc, files, ...(experiment ? { experiment } : {}) }));
        expect([...t.versions]).toEqual(files.map((f) => [f.path, f.version]));
        expect([...t.sha256]).toEqual(files.map((f) => [f.path, f.sha256]));
        expect(t.experiment).toBe(experiment);
      }),
      { numRuns: 500 },
    );
  });
});
