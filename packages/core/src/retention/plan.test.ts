import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planRetention } from './plan.js';
import type { PlanVersion } from './plan.js';
import { parseDuration, policyFromConfig } from './policy.js';
import type { RetentionPolicy } from './policy.js';
import { defaultConfig } from '../model/config.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

const versionArb = fc.record({
  path: fc.constantFrom('a.csv', 'b.json', 'dir/c.csv'),
  ageMs: fc.integer({ min: 0, max: 800 * DAY }),
  size: fc.integer({ min: -1, max: 5000 }),
  tagged: fc.boolean(),
  kind: fc.constantFrom('manual', 'pre-change', 'pre-restore', 'auto', 'hook' as const),
  keep: fc.option(fc.constantFrom('permanent', 'pre-change', 'days:3', 'days:400'), { nil: undefined }),
  status: fc.constantFrom('active', 'verified' as const),
  blob: fc.integer({ min: 0, max: 40 }),
});

/** Random histories: versions numbered per file in save order, savedAt non-decreasing per file. */
const historyArb = fc.array(versionArb, { maxLength: 60 }).map((raw) => {
  const sorted = [...raw].sort((a, b) => b.ageMs - a.ageMs);
  const counters = new Map<string, number>();
  return sorted.map((r): PlanVersion => {
    const n = (counters.get(r.path) ?? 0) + 1;
    counters.set(r.path, n);
    const v: PlanVersion = {
      path: r.path,
      version: n,
      savedAt: new Date(NOW - r.ageMs).toISOString(),
      size: r.size,
      tags: r.tagged ? [`sp/${r.path}/v${n}`] : [],
      kind: r.kind,
      status: r.status,
      blob: `blob${r.blob}`,
      commit: `c${n}`,
    };
    if (r.keep) v.keep = r.keep;
    return v;
  });
});

const policyArb = fc.record(
  {
    keepLast: fc.integer({ min: 1, max: 12 }),
    keepWithin: fc.constantFrom('12h', '7d', '30d', '1y'),
    daily: fc.integer({ min: 0, max: 10 }),
    weekly: fc.integer({ min: 0, max: 6 }),
    monthly: fc.integer({ min: 0, max: 14 }),
    yearly: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: ['keepLast'] },
) as fc.Arbitrary<RetentionPolicy>;

describe('planRetention (properties)', () => {
  it('decides every version exactly once, with a reason, deterministically', () => {
    fc.assert(
      fc.property(historyArb, policyArb, (versions, policy) => {
        const plan = planRetention(versions, policy, new Date(NOW));
        expect(plan.decisions).toHaveLength(versions.length);
        const keys = new Set(plan.decisions.map((d) => `${d.path}@${d.version}`));
        expect(keys.size).toBe(versions.length);
        for (const v of versions) expect(keys.has(`${v.path}@${v.version}`)).toBe(true);
        for (const d of plan.decisions) {
          expect(d.reason.length).toBeGreaterThan(0);
          expect(['keep', 'archive', 'delete']).toContain(d.action);
          if (d.action === 'keep') expect(d.rules[0]).toBe(d.rule);
        }
        expect(plan.counts.keep + plan.counts.archive + plan.counts.delete).toBe(versions.length);
        // same input (also shuffled) → same plan
        const again = planRetention([...versions].reverse(), policy, new Date(NOW));
        expect(again).toEqual(plan);
      }),
      { numRuns: 300 },
    );
  });

  it('always keeps the latest version of every file, tagged and permanent versions, and the newest keepLast', () => {
    fc.assert(
      fc.property(historyArb, policyArb, (versions, policy) => {
        const plan = planRetention(versions, policy, new Date(NOW));
        const byKey = new Map(plan.decisions.map((d) => [`${d.path}@${d.version}`, d]));
        const maxByPath = new Map<string, number>();
        for (const v of versions) maxByPath.set(v.path, Math.max(maxByPath.get(v.path) ?? 0, v.version));
        for (const v of versions) {
          const d = byKey.get(`${v.path}@${v.version}`)!;
          if (v.version === maxByPath.get(v.path)) expect(d).toMatchObject({ action: 'keep', rule: 'latest' });
          if (v.tags.length) expect(d.action).toBe('keep');
          if (v.keep === 'permanent') expect(d.action).toBe('keep');
          if (v.version > maxByPath.get(v.path)! - policy.keepLast) expect(d.action).toBe('keep');
          if ((v.kind === 'pre-change' || v.kind === 'pre-restore' || v.keep === 'pre-change') && v.status !== 'verified') expect(d.action).toBe('keep');
          // live versions are never deleted
          expect(d.action).not.toBe('delete');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps everything within keepWithin and the newest version of each of the last N days', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 1, max: 5 }), (versions, daily) => {
        const plan = planRetention(versions, { keepLast: 1, keepWithin: '30d', daily }, new Date(NOW));
        for (const v of versions) {
          const d = plan.decisions.find((x) => x.path === v.path && x.version === v.version)!;
          if (NOW - Date.parse(v.savedAt) <= 30 * DAY) expect(d.action).toBe('keep');
        }
        for (const path of new Set(versions.map((v) => v.path))) {
          const mine = versions.filter((v) => v.path === path).sort((a, b) => b.version - a.version);
          const days = [...new Set(mine.map((v) => v.savedAt.slice(0, 10)))].slice(0, daily);
          for (const day of days) {
            const newest = mine.find((v) => v.savedAt.slice(0, 10) === day)!;
            expect(plan.decisions.find((x) => x.path === path && x.version === newest.version)!.action).toBe('keep');
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('counts freed bytes once per blob and never for blobs a kept version shares', () => {
    fc.assert(
      fc.property(historyArb, policyArb, (versions, policy) => {
        const plan = planRetention(versions, policy, new Date(NOW));
        const kept = new Set(plan.decisions.filter((d) => d.action === 'keep').map((d) => d.blob));
        const gone = new Map<string, number>();
        for (const d of plan.decisions) if (d.action !== 'keep' && !kept.has(d.blob)) gone.set(d.blob!, Math.max(0, d.size));
        // sizes per blob are random here, so compare against what the plan picked per blob
        const picked = plan.decisions.filter((d) => d.bytesFreed > 0);
        expect(new Set(picked.map((d) => d.blob)).size).toBe(picked.length);
        for (const d of picked) expect(kept.has(d.blob)).toBe(false);
        expect(plan.bytesFreed).toBe(picked.reduce((n, d) => n + d.bytesFreed, 0));
        expect(picked.length).toBeLessThanOrEqual(gone.size);
      }),
      { numRuns: 200 },
    );
  });
});

describe('planRetention (examples)', () => {
  const mk = (n: number, extra: Partial<PlanVersion> = {}): PlanVersion => ({
    path: 'data.csv',
    version: n,
    savedAt: new Date(NOW - (20 - n) * DAY).toISOString(),
    size: 100,
    tags: [],
    kind: 'manual',
    status: 'active',
    blob: `b${n}`,
    ...extra,
  });

  it('keep-last 10 of 15 archives the 5 oldest with bytes', () => {
    const versions = Array.from({ length: 15 }, (_, i) => mk(i + 1));
    const plan = planRetention(versions, { keepLast: 10 }, new Date(NOW));
    expect(plan.decisions.filter((d) => d.action === 'archive').map((d) => d.version)).toEqual([1, 2, 3, 4, 5]);
    expect(plan.counts).toEqual({ keep: 10, archive: 5, delete: 0 });
    expect(plan.bytesFreed).toBe(500);
    expect(plan.decisions[14]).toMatchObject({ rule: 'latest', rules: ['latest', 'keep-last'] });
    expect(plan.decisions[5]).toMatchObject({ rule: 'keep-last' });
  });

  it('reports why: tag, permanent, days:N with its end, unverified snapshot, verified snapshot goes', () => {
    const versions = [
      mk(1, { tags: ['release'] }),
      mk(2, { keep: 'permanent' }),
      mk(3, { keep: 'days:30' }),
      mk(4, { kind: 'pre-change' }),
      mk(5, { kind: 'pre-restore', status: 'verified' }),
      mk(6),
    ];
    const plan = planRetention(versions, { keepLast: 1 }, new Date(NOW));
    expect(plan.decisions.map((d) => [d.version, d.action, d.rule])).toEqual([
      [1, 'keep', 'tagged'],
      [2, 'keep', 'permanent'],
      [3, 'keep', 'keep-days'],
      [4, 'keep', 'unverified'],
      [5, 'archive', 'unprotected'],
      [6, 'keep', 'latest'],
    ]);
    expect(plan.decisions[2]!.keptUntil).toBe(new Date(Date.parse(versions[2]!.savedAt) + 30 * DAY).toISOString());
  });

  it('leaves archived versions archived, deletes them only past expireArchivesAfter', () => {
    const old = new Date(NOW - 400 * DAY).toISOString();
    const versions = [mk(1, { archive: 'daily/x.tar.gz', archivedAt: old }), mk(2, { archive: 'daily/y.tar.gz', archivedAt: new Date(NOW - DAY).toISOString() }), mk(3)];
    expect(planRetention(versions, { keepLast: 1 }, new Date(NOW)).decisions.map((d) => d.rule)).toEqual(['archived', 'archived', 'latest']);
    const plan = planRetention(versions, { keepLast: 1, expireArchivesAfter: '1y' }, new Date(NOW));
    expect(plan.decisions.map((d) => d.action)).toEqual(['delete', 'keep', 'keep']);
  });

  it('weekly keeps the newest version of each ISO week', () => {
    // Mon 2026-05-04 .. Sun 2026-05-17: two ISO weeks
    const days = ['2026-05-04', '2026-05-06', '2026-05-10', '2026-05-11', '2026-05-17'];
    const versions = days.map((d, i) => mk(i + 1, { savedAt: `${d}T10:00:00.000Z` }));
    const plan = planRetention(versions, { keepLast: 1, weekly: 2 }, new Date(NOW));
    expect(plan.decisions.filter((d) => d.action === 'keep').map((d) => d.version)).toEqual([3, 5]);
  });

  it('takes keepLast from maxVersions unless retention.keepLast is set; flags override', async () => {
    expect(policyFromConfig(await defaultConfig({ maxVersions: 4 })).keepLast).toBe(4);
    expect(policyFromConfig(await defaultConfig({ maxVersions: 4, retention: { keepLast: 7, daily: 3 } }))).toEqual({ keepLast: 7, daily: 3 });
    expect(policyFromConfig(await defaultConfig({ retention: { keepWithin: '30d' } }), { keepLast: 2, keepWithin: '7d' })).toEqual({ keepLast: 2, keepWithin: '7d' });
    expect(() => parseDuration('forever')).toThrowError(/not a duration/);
    expect(parseDuration('2w')).toBe(14 * DAY);
  });
});

describe('planExpiring', () => {
  it('lists versions that only time-bound rules keep and that run out inside the window', async () => {
    const { planExpiring } = await import('./plan.js');
    const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
    const versions: PlanVersion[] = [
      { path: 'd.csv', version: 1, savedAt: at(40), size: 1, tags: [], kind: 'manual', status: 'active' },
      { path: 'd.csv', version: 2, savedAt: at(27), size: 1, tags: [], kind: 'manual', status: 'active' },
      { path: 'd.csv', version: 3, savedAt: at(26), size: 1, tags: [], kind: 'manual', status: 'active', keep: 'days:30' },
      { path: 'd.csv', version: 4, savedAt: at(1), size: 1, tags: [], kind: 'manual', status: 'active' },
    ];
    const r = planExpiring(versions, { keepLast: 1, keepWithin: '30d' }, new Date(NOW), '7d');
    expect(r.versions.map((v) => [v.version, v.keptBy, v.then])).toEqual([
      [2, 'keep-within', 'archive'],
      [3, 'keep-days', 'archive'],
    ]);
    expect(r.versions[0]!.keptUntil).toBe(new Date(NOW + 3 * DAY).toISOString());
    expect(r.until).toBe(new Date(NOW + 7 * DAY).toISOString());
  });
});
