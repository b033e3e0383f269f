import { DiffError } from '../errors.js';
import type { JsonValue } from './parse.js';
import type { JsonChange, JsonPathSegment, JsonPrimitive } from './diff.js';

function clone<T>(v: T): T {
  return structuredClone(v);
}

function segKey(s: JsonPathSegment): string {
  return typeof s === 'object' ? `k:${JSON.stringify(s.value)}` : typeof s === 'number' ? `i:${s}` : `s:${s}`;
}

function applyAt(value: JsonValue, changes: { c: JsonChange; depth: number }[]): JsonValue {
  const here = changes.filter((x) => x.c.segments.length === x.depth);
  const whole = here.find((x) => x.c.op === 'change');
  if (whole) return clone(whole.c.new!);
  const below = changes.filter((x) => x.c.segments.length > x.depth);
  if (Array.isArray(value)) {
    const removed = new Set<string>();
    const adds: { index: number; value: JsonValue }[] = [];
    const nested = new Map<string, { c: JsonChange; depth: number }[]>();
    let field: string | null = null;
    for (const x of below) {
      const seg = x.c.segments[x.depth]!;
      if (typeof seg === 'object') field = seg.field;
      const last = x.c.segments.length === x.depth + 1;
      if (last && x.c.op === 'remove') removed.add(segKey(seg));
      else if (last && x.c.op === 'add') adds.push({ index: x.c.index ?? value.length, value: clone(x.c.new!) });
      else {
        const k = segKey(seg);
        const l = nested.get(k) ?? [];
        l.push({ c: x.c, depth: x.depth + 1 });
        nested.set(k, l);
      }
    }
    const keyOf = (el: JsonValue, i: number) => (field !== null ? `k:${JSON.stringify((el as Record<string, JsonValue>)[field])}` : `i:${i}`);
    let kept: JsonValue[] = [];
    const keptKeys: string[] = [];
    value.forEach((el, i) => {
      const k = keyOf(el, i);
      if (removed.has(k)) return;
      const n = nested.get(k);
      kept.push(n ? applyAt(el, n) : el);
      keptKeys.push(k);
    });
    const reorder = here.find((x) => x.c.op === 'reorder');
    if (reorder) {
      field = reorder.c.field ?? field;
      const byKey = new Map(kept.map((el, i) => [keptKeys[i]!.startsWith('k:') ? keptKeys[i]! : `k:${JSON.stringify((el as Record<string, JsonValue>)[field!])}`, el] as const));
      kept = reorder.c.order!.map((v) => byKey.get(`k:${JSON.stringify(v)}`)!);
    }
    adds.sort((p, q) => p.index - q.index);
    for (const a of adds) kept.splice(a.index, 0, a.value);
    return kept;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, JsonValue> = { ...value };
    const groups = new Map<string, { c: JsonChange; depth: number }[]>();
    for (const x of below) {
      const seg = x.c.segments[x.depth]!;
      if (typeof seg !== 'string') throw new DiffError('E_INVALID_ARGUMENT', `Cannot apply ${x.c.path}: expected an object key at step ${x.depth + 1}.`, { path: x.c.path });
      const last = x.c.segments.length === x.depth + 1;
      if (last && x.c.op === 'remove') delete out[seg];
      else if (last && x.c.op === 'add') out[seg] = clone(x.c.new!);
      else {
        const l = groups.get(seg) ?? [];
        l.push({ c: x.c, depth: x.depth + 1 });
        groups.set(seg, l);
      }
    }
    for (const [k, l] of groups) out[k] = applyAt(out[k]!, l);
    return out;
  }
  if (below.length > 0) throw new DiffError('E_INVALID_ARGUMENT', `Cannot apply ${below[0]!.c.path}: the value there is not a container.`, { path: below[0]!.c.path });
  return value;
}

/**
 * Apply a complete list of changes (as returned by diffJson, not truncated) to version a, giving version b.
 * Array semantics follow diffJson: removes and nested changes address a's indices or key values, adds
 * carry b's index.
 */
export function applyJsonDiff(a: JsonValue, changes: readonly JsonChange[]): JsonValue {
  return applyAt(clone(a), changes.map((c) => ({ c, depth: 0 })));
}
