import { describe, expect, it } from 'vitest';
import type { VersionRecord } from '@savepoint/core/browser';
import { defaultDiffPair, filesOf, fileRows, versionDetails, versionRows } from './history.js';
import type { VerifyReport } from '../vault/types.js';

function rec(path: string, version: number, extra: Partial<VersionRecord> = {}): VersionRecord {
  return { path, version, commit: `${version}`.padStart(40, 'c'), seq: version, blob: 'b'.repeat(40), sha256: 'a'.repeat(64), size: 100 * version, savedAt: `2026-05-0${version}T10:00:00.000Z`, summary: `save ${version}`, source: 'cli', kind: 'manual', status: 'active', tags: [], ...extra };
}

const versions = [rec('m.csv', 1), rec('m.csv', 2, { tags: ['baseline', 'sp/m.csv/v2'], experiment: 'EXP-1', description: 'second run' }), rec('m.csv', 3), rec('r.json', 1)];

describe('files and history rows', () => {
  it('one file row per path with its newest version and every tag', () => {
    const files = filesOf(versions);
    expect(files.map((f) => [f.path, f.latestVersion, f.versions, f.size])).toEqual([
      ['m.csv', 3, 3, 300],
      ['r.json', 1, 1, 100],
    ]);
    expect(files[0]!.tags).toEqual(['baseline', 'sp/m.csv/v2']);
    const rows = fileRows(files, null, new Set());
    expect(rows[0]).toMatchObject({ path: 'm.csv', status: 'unchecked', latest: 'v3', tags: ['baseline'] });
  });

  it('status: unpushed beats damaged beats verified', () => {
    const files = filesOf(versions);
    const report: VerifyReport = {
      ok: false,
      verified: [{ path: 'm.csv', version: 1 }, { path: 'm.csv', version: 3 }, { path: 'r.json', version: 1 }],
      problems: [{ path: 'm.csv', version: 2, code: 'E_CHECKSUM_MISMATCH', message: 'bad' }],
    };
    expect(fileRows(files, report, new Set()).map((r) => r.status)).toEqual(['damaged', 'verified']);
    expect(fileRows(files, report, new Set(['r.json@2'])).map((r) => r.status)).toEqual(['damaged', 'unpushed']);
    const rows = versionRows(versions.filter((v) => v.path === 'm.csv'), report, new Set(['m.csv@3']));
    expect(rows.map((r) => [r.version, r.verified, r.unpushed])).toEqual([
      [3, 'verified', true],
      [2, 'damaged', false],
      [1, 'verified', false],
    ]);
    expect(rows[1]).toMatchObject({ description: 'second run', experiment: 'EXP-1', tags: ['baseline'], date: '2026-05-02 10:00', size: '200 B' });
    expect(rows[0]!.description).toBe('save 3'); // falls back to the summary line
  });

  it('details and the default diff pair', () => {
    const d = Object.fromEntries(versionDetails(rec('m.csv', 2, { experiment: 'E', noteMissing: true, verifiedAt: '2026-05-03T00:00:00Z', verifiedBy: 'ci' })));
    expect(d['Version']).toBe('m.csv@2');
    expect(d['Size']).toBe('200 B (200 bytes)');
    expect(d['Experiment']).toBe('E');
    expect(d['Last verified']).toBe('2026-05-03 00:00 UTC by ci');
    expect(d['Note']).toMatch(/missing/);
    expect(defaultDiffPair([1, 2, 3], 3)).toEqual({ from: 2, to: 3 });
    expect(defaultDiffPair([1, 5, 3], 5)).toEqual({ from: 3, to: 5 });
    expect(defaultDiffPair([1, 2], 1)).toBeNull();
  });
});
