import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, backoffMs, isDue, recordFailure, recordSuccess } from './queue.js';
import type { PushQueue } from './queue.js';

const empty: PushQueue = { version: 1, entries: [] };
const err = { code: 'E_REMOTE_UNREACHABLE', message: 'down' };

describe('push queue', () => {
  it('backs off exponentially and caps at one hour', () => {
    expect(backoffMs(1)).toBe(BACKOFF_BASE_MS);
    expect(backoffMs(2)).toBe(2 * BACKOFF_BASE_MS);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (n) => {
        expect(backoffMs(n + 1)).toBeGreaterThanOrEqual(backoffMs(n));
        expect(backoffMs(n)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
      }),
    );
  });

  it('failures accumulate per remote, keep the first failure time, and success clears only that remote', () => {
    const t0 = new Date('2026-05-01T00:00:00Z');
    let q = recordFailure(empty, 'nas', t0, err);
    expect(isDue(q, 'nas', t0)).toBe(false);
    expect(isDue(q, 'nas', new Date(t0.getTime() + BACKOFF_BASE_MS))).toBe(true);
    expect(isDue(q, 'cloud', t0)).toBe(true);
    const t1 = new Date(t0.getTime() + 10 * 60_000);
    q = recordFailure(recordFailure(q, 'nas', t1, err), 'cloud', t1, err);
    const nas = q.entries.find((e) => e.remote === 'nas')!;
    expect(nas).toMatchObject({ attempts: 2, since: t0.toISOString(), lastAttempt: t1.toISOString() });
    expect(Date.parse(nas.nextAttempt) - t1.getTime()).toBe(2 * BACKOFF_BASE_MS);
    q = recordSuccess(q, 'nas');
    expect(q.entries.map((e) => e.remote)).toEqual(['cloud']);
  });
});
