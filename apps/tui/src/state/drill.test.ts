import { expect, test } from 'vitest';
import fc from 'fast-check';
import { clampDrill, drillStep, initialDrill } from './drill.js';
import type { DrillAction } from './drill.js';

test('open an entry, move inside it, back out, back closes', () => {
  const c = { outer: 3, inner: 50, height: 10 };
  let s = drillStep(initialDrill, { type: 'move', delta: 1 }, c)!;
  expect(s).toEqual({ cursor: 1, open: false, inner: 0 });
  s = drillStep(s, { type: 'open' }, c)!;
  expect(s.open).toBe(true);
  s = drillStep(s, { type: 'page', dir: 1 }, c)!;
  expect(s).toEqual({ cursor: 1, open: true, inner: 10 });
  s = drillStep(s, { type: 'end' }, c)!;
  expect(s.inner).toBe(49);
  s = drillStep(s, { type: 'back' }, c)!;
  expect(s).toEqual({ cursor: 1, open: false, inner: 49 });
  expect(drillStep(s, { type: 'back' }, c)).toBeNull();
  expect(drillStep(initialDrill, { type: 'open' }, { outer: 0, inner: 0, height: 5 })).toEqual(initialDrill);
});

test('property: cursors stay inside their lists', () => {
  const action = fc.oneof(
    fc.record({ type: fc.constant('move' as const), delta: fc.integer({ min: -100, max: 100 }) }),
    fc.record({ type: fc.constant('page' as const), dir: fc.constantFrom(1 as const, -1 as const) }),
    fc.constantFrom<DrillAction>({ type: 'home' }, { type: 'end' }, { type: 'open' }, { type: 'back' }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100_000 }), fc.array(action, { maxLength: 30 }), (outer, inner, actions) => {
      let s = initialDrill;
      for (const a of actions) s = drillStep(s, a, { outer, inner, height: 20 }) ?? initialDrill;
      expect(s.cursor).toBeGreaterThanOrEqual(0);
      expect(s.cursor).toBeLessThan(outer);
      expect(s.inner).toBeGreaterThanOrEqual(0);
      expect(s.inner).toBeLessThan(Math.max(1, inner));
    }),
  );
  expect(clampDrill({ cursor: 9, open: true, inner: 40 }, { outer: 3, inner: 5 })).toEqual({ cursor: 2, open: true, inner: 4 });
});
