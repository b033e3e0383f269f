/**
 * A two-level list (archives → the versions inside one; experiments → their versions): an outer cursor, an
 * opened entry with its own cursor. Pure; `back` from the outer level returns null (the caller closes the screen).
 */

export interface Drill {
  cursor: number;
  /** the outer entry is open: `inner` moves over its items */
  open: boolean;
  inner: number;
}

export const initialDrill: Drill = { cursor: 0, open: false, inner: 0 };

export type DrillAction = { type: 'move'; delta: number } | { type: 'page'; dir: 1 | -1 } | { type: 'home' } | { type: 'end' } | { type: 'open' } | { type: 'back' };

export interface DrillCounts {
  outer: number;
  /** items of the open entry (or of the entry under the cursor) */
  inner: number;
  height: number;
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

export function drillStep(s: Drill, a: DrillAction, c: DrillCounts): Drill | null {
  const n = s.open ? c.inner : c.outer;
  const at = s.open ? s.inner : s.cursor;
  const to = (i: number): Drill => {
    const v = clamp(i, 0, Math.max(0, n - 1));
    return s.open ? { ...s, inner: v } : { ...s, cursor: v, inner: 0 };
  };
  switch (a.type) {
    case 'move':
      return to(at + a.delta);
    case 'page':
      return to(at + a.dir * Math.max(1, c.height));
    case 'home':
      return to(0);
    case 'end':
      return to(n - 1);
    case 'open':
      return s.open || c.outer === 0 ? s : { ...s, open: true, inner: 0 };
    case 'back':
      return s.open ? { ...s, open: false } : null;
  }
}

/** Keep cursors inside the lists after they changed (a reload after restore). */
export function clampDrill(s: Drill, c: Pick<DrillCounts, 'outer' | 'inner'>): Drill {
  const cursor = clamp(s.cursor, 0, Math.max(0, c.outer - 1));
  const inner = clamp(s.inner, 0, Math.max(0, c.inner - 1));
  const open = s.open && c.outer > 0;
  return cursor === s.cursor && inner === s.inner && open === s.open ? s : { cursor, inner, open };
}
