import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAddress, parseVersionSpec, selectVersion } from './version.js';
import type { VersionRecord } from './version.js';

function rec(version: number, extra: Partial<VersionRecord> = {}): VersionRecord {
  return {
    path: 'data.csv', version, commit: `c${version}`.padEnd(40, '0'), seq: version, blob: 'b', sha256: 'a'.repeat(64), size: 1,
    savedAt: new Date(Date.UTC(2026, 4, version)).toISOString(), summary: '', source: 'test', kind: 'manual', status: 'active', tags: [], ...extra,
  };
}
const versions = [rec(1), rec(2, { tags: ['good'] }), rec(3)];
const noRefs = () => null;

describe('version addresses', () => {
  it.each([
    ['data.csv', { kind: 'latest' }],
    ['data.csv@latest', { kind: 'latest' }],
    ['data.csv@12', { kind: 'number', n: 12 }],
    ['data.csv@v7', { kind: 'number', n: 7 }],
    ['data.csv@-1', { kind: 'relative', back: 1 }],
    ['data.csv@good', { kind: 'ref', text: 'good' }],
    ['data.csv@abc1234', { kind: 'ref', text: 'abc1234' }],
  ])('%s parses', (input, spec) => {
    expect(parseAddress(input).spec).toMatchObject(spec);
    expect(parseAddress(input).path).toBe('data.csv');
  });

  it('keeps @ inside the path and splits on the last one', () => {
    expect(parseAddress('runs/a@b.csv@2')).toMatchObject({ path: 'runs/a@b.csv', spec: { kind: 'number', n: 2 } });
  });

  it('parses dates, with a day meaning the end of that day', () => {
    const s = parseVersionSpec('2026-05-02');
    expect(s).toMatchObject({ kind: 'date' });
    expect(selectVersion('data.csv', versions, s, noRefs).version).toBe(2);
  });

  it('rejects version 0 with E_BAD_ADDRESS', () => {
    expect(() => parseVersionSpec('0')).toThrowError(expect.objectContaining({ code: 'E_BAD_ADDRESS' }));
  });

  it('selects latest, numbers, relative, tags, commits', () => {
    expect(selectVersion('data.csv', versions, { kind: 'latest' }, noRefs).version).toBe(3);
    expect(selectVersion('data.csv', versions, { kind: 'relative', back: 1 }, noRefs).version).toBe(2);
    expect(selectVersion('data.csv', versions, { kind: 'ref', text: 'good' }, noRefs).version).toBe(2);
    const at = selectVersion('data.csv', versions, { kind: 'ref', text: 'c1' }, (t) => (t === 'c1' ? { seq: 1, commit: versions[0]!.commit } : null));
    expect(at.version).toBe(1);
  });

  it('names the range of existing versions when one is unknown', () => {
    expect(() => selectVersion('data.csv', versions, { kind: 'number', n: 9 }, noRefs)).toThrowError(/versions 1–3 exist/);
    expect(() => selectVersion('data.csv', [], { kind: 'latest' }, noRefs)).toThrowError(expect.objectContaining({ code: 'E_NOT_TRACKED' }));
  });

  it('round-trips any path with a version number (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => !s.startsWith('@')), fc.integer({ min: 1, max: 1e8 }), (path, n) => {
        const a = parseAddress(`${path}@${n}`);
        expect(a.path).toBe(path);
        expect(a.spec).toEqual({ kind: 'number', n });
      }),
    );
  });

  // issue 19: odd addresses get clear messages naming what exists
  it('refuses "path@" with nothing after the @', () => {
    expect(() => parseAddress('a.csv@')).toThrowError(expect.objectContaining({ code: 'E_BAD_ADDRESS', message: expect.stringMatching(/"a\.csv@" has nothing after "@"/) }));
  });

  it('a huge version number is an unknown version, naming the range', () => {
    const a = parseAddress('data.csv@9999999999');
    expect(() => selectVersion('data.csv', versions, a.spec, noRefs)).toThrowError(expect.objectContaining({ code: 'E_UNKNOWN_VERSION', message: expect.stringMatching(/has no version 9999999999 \(versions 1–3 exist\)/) }));
    // a commit whose SHA starts with those digits still wins
    const hit = selectVersion('data.csv', versions, a.spec, () => ({ seq: 2, commit: versions[1]!.commit }));
    expect(hit.version).toBe(2);
  });

  it('a relative address past the first version names how far back one can go, as typed', () => {
    for (const raw of ['-9999999999999999999999', '-3']) {
      const a = parseAddress(`data.csv@${raw}`);
      expect(() => selectVersion('data.csv', versions, a.spec, noRefs)).toThrowError(expect.objectContaining({ code: 'E_UNKNOWN_VERSION', message: expect.stringContaining(`has no version @${raw}: it has 3 versions (versions 1–3), so @-1 … @-2 count back`) }));
    }
  });
});
