import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activeConditions, markUndelivered, planAlerts } from './alerts.js';
import type { AlertEvent, AlertObservations } from './alerts.js';
import type { AlertState } from './state.js';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const err = { code: 'E_INTERNAL', message: 'boom' };

/** One moment: which conditions hold, drawn independently. */
const stepArb = fc.record({
  failing: fc.subarray(['a.csv', 'b.csv']),
  bad: fc.boolean(),
  hoursSinceSave: fc.integer({ min: 0, max: 60 }),
  free: fc.constantFrom(10, 10_000),
  remotes: fc.subarray(['nas', 'cloud']),
  /** which channels fail to deliver this time */
  deliveryFails: fc.boolean(),
});

function observe(step: fc.RecordValue<typeof stepArb extends fc.Arbitrary<infer T> ? T : never> | any, i: number): AlertObservations {
  const now = T0 + i * HOUR * 100;
  return {
    now: iso(now),
    failingFiles: step.failing.map((p: string) => ({ path: p, since: iso(now - HOUR), attempts: 1, error: err })),
    badVersions: step.bad ? [{ path: 'a.csv', version: 1, status: 'corrupted', foundAt: iso(now), by: 'verify' }] : [],
    stale: { lastSaveAt: iso(now - step.hoursSinceSave * HOUR), staleAfter: '24h', staleAfterMs: 24 * HOUR },
    disk: { freeBytes: step.free, minFreeBytes: 100 },
    failingRemotes: step.remotes.map((r: string) => ({ remote: r, since: iso(now), error: err, queued: true })),
  };
}

describe('alert incidents (pure)', () => {
  it('each condition fires once per incident and resolves once when it clears (all deliveries succeed)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), (steps) => {
        let state: AlertState = { incidents: {} };
        const lastByKey = new Map<string, 'firing' | 'resolved'>();
        steps.forEach((step, i) => {
          const conds = activeConditions(observe(step, i));
          const active = new Set(conds.map((c) => c.key));
          const { events, next } = planAlerts(state, conds, iso(T0 + i));
          for (const e of events) {
            const prev = lastByKey.get(e.key);
            if (e.status === 'firing') {
              expect(prev).not.toBe('firing'); // never twice for one incident
              expect(active.has(e.key)).toBe(true);
              expect(e.event).toBe(e.alert);
            } else {
              expect(prev).toBe('firing'); // only what was announced is resolved
              expect(active.has(e.key)).toBe(false);
              expect(e.event).toBe('resolved');
            }
            lastByKey.set(e.key, e.status);
          }
          // every open incident is exactly a condition holding now
          expect(Object.keys(next.incidents).sort()).toEqual([...active].sort());
          // and every key that holds has been announced
          for (const k of active) expect(lastByKey.get(k)).toBe('firing');
          // evaluating again with nothing changed sends nothing
          expect(planAlerts(next, conds, iso(T0 + i)).events).toEqual([]);
          state = next;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('an event that reached no channel is sent again until delivered; the receiver sees firing and resolved alternate', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), (steps) => {
        let state: AlertState = { incidents: {} };
        const delivered = new Map<string, 'firing' | 'resolved'>();
        steps.forEach((step, i) => {
          const conds = activeConditions(observe(step, i));
          const { events, next } = planAlerts(state, conds, iso(T0 + i));
          const failed: AlertEvent[] = step.deliveryFails ? events : [];
          for (const e of events) {
            if (failed.includes(e)) continue;
            // what the receiver sees alternates: firing, resolved, firing, …
            if (e.status === 'firing') expect(delivered.get(e.key)).not.toBe('firing');
            else expect(delivered.get(e.key)).toBe('firing');
            delivered.set(e.key, e.status);
          }
          state = markUndelivered(next, failed);
          // an incident is marked notified exactly when the receiver last heard it firing
          for (const [k, inc] of Object.entries(state.incidents)) expect(inc.notified).toBe(delivered.get(k) === 'firing');
          for (const [k, last] of delivered) if (last === 'firing') expect(state.incidents[k]?.notified).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('stale holds exactly when the last save is older than staleAfter, and not before any save', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 * HOUR }), fc.integer({ min: 1, max: 72 }), (age, hours) => {
        const now = T0 + 200 * HOUR;
        const obs: AlertObservations = { now: iso(now), failingFiles: [], badVersions: [], failingRemotes: [], stale: { lastSaveAt: iso(now - age), staleAfter: `${hours}h`, staleAfterMs: hours * HOUR } };
        expect(activeConditions(obs).some((c) => c.key === 'stale')).toBe(age > hours * HOUR);
        expect(activeConditions({ ...obs, stale: { ...obs.stale!, lastSaveAt: null } })).toEqual([]);
      }),
    );
  });

  it('keeps the first `since` of an incident while its details change', () => {
    const first = activeConditions(observe({ failing: ['a.csv'], bad: false, hoursSinceSave: 0, free: 10_000, remotes: [], deliveryFails: false }, 0));
    const a = planAlerts({ incidents: {} }, first, iso(T0));
    const later = activeConditions(observe({ failing: ['a.csv', 'b.csv'], bad: false, hoursSinceSave: 0, free: 10_000, remotes: [], deliveryFails: false }, 3));
    const b = planAlerts(a.next, later, iso(T0 + 1));
    expect(b.events).toEqual([]);
    expect(b.next.incidents.save_failed!.since).toBe(a.next.incidents.save_failed!.since);
    expect(b.next.incidents.save_failed!.message).toMatch(/2 files could not be saved/);
  });
});

describe('alerts in savepoint.json', () => {
  it('accepts command, webhook, staleAfter and minFreeBytes, and names unknown or malformed keys', async () => {
    const { parseConfig } = await import('../model/config.js');
    const ok = await parseConfig(JSON.stringify({ alerts: { command: 'notify-send backup', webhook: 'https://hooks.example/x', staleAfter: '24h', minFreeBytes: 1_000_000 } }));
    expect(ok.alerts).toEqual({ command: 'notify-send backup', webhook: 'https://hooks.example/x', staleAfter: '24h', minFreeBytes: 1_000_000 });
    expect((await parseConfig('{}')).alerts).toBeUndefined();
    await expect(parseConfig(JSON.stringify({ alerts: { email: 'a@b' } }))).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringContaining('"alerts.email"') });
    await expect(parseConfig(JSON.stringify({ alerts: { webhook: 'ftp://x' } }))).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringContaining('alerts.webhook') });
    await expect(parseConfig(JSON.stringify({ alerts: { staleAfter: '1 day' } }))).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringContaining('alerts.staleAfter') });
    await expect(parseConfig(JSON.stringify({ alerts: { minFreeBytes: -1 } }))).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
  });
});
