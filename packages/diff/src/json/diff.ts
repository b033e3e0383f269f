import { myersDiff } from '../text/myers.js';
import type { JsonValue } from './parse.js';

export type JsonPrimitive = string | number | boolean | null;

/**
 * One step of a path: an object key, an array index (index in a for remove/change/nested changes,
 * index in b for add), or an array element matched by a key field (`{ field: 'id', value: 3 }`).
 */
export type JsonPathSegment = string | number | { field: string; value: JsonPrimitive };

export interface JsonChange {
  op: 'add' | 'remove' | 'change' | 'reorder';
  /** Display path, e.g. `$.runs[3].loss` or `$.runs[id=7].loss`. */
  path: string;
  segments: JsonPathSegment[];
  old?: JsonValue;
  new?: JsonValue;
  /** add into an array: position of the new element in b's array. */
  index?: number;
  /** reorder of a keyed array: key values of the elements both versions share, in b's order. */
  order?: JsonPrimitive[];
  /** reorder: the key field the array's elements are matched by. */
  field?: string;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatJsonPath(segments: readonly JsonPathSegment[]): string {
  let s = '$';
  for (const seg of segments) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (typeof seg === 'string') s += IDENT.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
    else s += `[${IDENT.test(seg.field) ? seg.field : JSON.stringify(seg.field)}=${typeof seg.value === 'string' && /^[A-Za-z0-9_.-]+$/.test(seg.value) ? seg.value : JSON.stringify(seg.value)}]`;
  }
  return s;
}

function isObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Canonical text of a value (object keys sorted), for equality and hashing. */
export function canonical(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`).join(',')}}`;
  return JSON.stringify(v);
}

function leafEqual(a: JsonValue, b: JsonValue, tolerance: number | undefined): boolean {
  if (a === b) return true;
  if (tolerance !== undefined && typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= tolerance;
  return false;
}

const KEY_FIELDS = ['id', 'key', 'name'];

/** A field every element of both arrays has, with primitive values unique within each array; or null. */
export function findKeyField(a: JsonValue[], b: JsonValue[]): string | null {
  if (a.length === 0 || b.length === 0) return null;
  if (!a.every(isObject) || !b.every(isObject)) return null;
  const first = a[0] as { [k: string]: JsonValue };
  const candidates = [...KEY_FIELDS.filter((f) => f in first), ...Object.keys(first).filter((f) => !KEY_FIELDS.includes(f))];
  const uniqueIn = (arr: JsonValue[], f: string) => {
    const seen = new Set<string>();
    for (const el of arr) {
      const v = (el as { [k: string]: JsonValue })[f];
      if (v === undefined || (typeof v === 'object' && v !== null)) return false;
      const k = JSON.stringify(v);
      if (seen.has(k)) return false;
      seen.add(k);
    }
    return true;
  };
  // Other fields qualify only with string/integer values (a measurement is not an identity) that the
  // two versions mostly share.
  const idLike = (f: string) => [...a, ...b].every((el) => {
    const v = (el as { [k: string]: JsonValue })[f];
    return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  });
  const shared = (f: string) => {
    const inA = new Set(a.map((el) => JSON.stringify((el as { [k: string]: JsonValue })[f])));
    const n = b.filter((el) => inA.has(JSON.stringify((el as { [k: string]: JsonValue })[f]))).length;
    return n * 2 >= Math.min(a.length, b.length);
  };
  for (const f of candidates) {
    if (!uniqueIn(a, f) || !uniqueIn(b, f)) continue;
    if (KEY_FIELDS.includes(f) || (idLike(f) && shared(f))) return f;
  }
  return null;
}

export interface JsonDiffOptions {
  tolerance?: number;
}

/** Structural diff of two JSON values. Changes come out in document order; counts are their number. */
export function diffJson(a: JsonValue, b: JsonValue, opts: JsonDiffOptions = {}): JsonChange[] {
  const out: JsonChange[] = [];
  const emit = (c: Omit<JsonChange, 'path'>) => out.push({ ...c, path: formatJsonPath(c.segments) } as JsonChange);
  const walk = (x: JsonValue, y: JsonValue, segs: JsonPathSegment[]): void => {
    if (isObject(x) && isObject(y)) {
      for (const k of Object.keys(x)) {
        if (!(k in y)) emit({ op: 'remove', segments: [...segs, k], old: x[k]! });
        else walk(x[k]!, y[k]!, [...segs, k]);
      }
      for (const k of Object.keys(y)) if (!(k in x)) emit({ op: 'add', segments: [...segs, k], new: y[k]! });
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      const field = findKeyField(x, y);
      if (field !== null) return keyedArray(x, y, field, segs);
      return positionalArray(x, y, segs);
    }
    if (!leafEqual(x, y, opts.tolerance) && canonical(x) !== canonical(y)) emit({ op: 'change', segments: segs, old: x, new: y });
  };
  const keyedArray = (x: JsonValue[], y: JsonValue[], field: string, segs: JsonPathSegment[]) => {
    const kv = (el: JsonValue) => (el as { [k: string]: JsonValue })[field] as JsonPrimitive;
    const inA = new Map<string, number>();
    x.forEach((el, i) => inA.set(JSON.stringify(kv(el)), i));
    const inB = new Set(y.map((el) => JSON.stringify(kv(el))));
    x.forEach((el) => { if (!inB.has(JSON.stringify(kv(el)))) emit({ op: 'remove', segments: [...segs, { field, value: kv(el) }], old: el }); });
    const sharedA = x.filter((el) => inB.has(JSON.stringify(kv(el)))).map(kv);
    const sharedB: JsonPrimitive[] = [];
    y.forEach((el, j) => {
      const i = inA.get(JSON.stringify(kv(el)));
      if (i === undefined) emit({ op: 'add', segments: [...segs, { field, value: kv(el) }], new: el, index: j });
      else { sharedB.push(kv(el)); walk(x[i]!, el, [...segs, { field, value: kv(el) }]); }
    });
    if (sharedA.some((v, i) => v !== sharedB[i])) emit({ op: 'reorder', segments: segs, order: sharedB, field });
  };
  const positionalArray = (x: JsonValue[], y: JsonValue[], segs: JsonPathSegment[]) => {
    const cx = x.map(canonical);
    const cy = y.map(canonical);
    const { runs } = myersDiff(x.length, y.length, (i, j) => cx[i] === cy[j]);
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      if (run.op === 'equal') continue;
      let dels: number[] = [];
      let ins: number[] = [];
      if (run.op === 'delete') {
        dels = Array.from({ length: run.n }, (_, k) => run.a + k);
        const next = runs[r + 1];
        if (next && next.op === 'insert') { ins = Array.from({ length: next.n }, (_, k) => next.b + k); r++; }
      } else ins = Array.from({ length: run.n }, (_, k) => run.b + k);
      const pairs = Math.min(dels.length, ins.length);
      for (let k = 0; k < pairs; k++) {
        const i = dels[k]!;
        const j = ins[k]!;
        const xi = x[i]!;
        const yj = y[j]!;
        const sameKind = (isObject(xi) && isObject(yj)) || (Array.isArray(xi) && Array.isArray(yj));
        if (sameKind) walk(xi, yj, [...segs, i]);
        else if (!leafEqual(xi, yj, opts.tolerance)) emit({ op: 'change', segments: [...segs, i], old: xi, new: yj });
      }
      for (let k = pairs; k < dels.length; k++) emit({ op: 'remove', segments: [...segs, dels[k]!], old: x[dels[k]!]! });
      for (let k = pairs; k < ins.length; k++) emit({ op: 'add', segments: [...segs, ins[k]!], new: y[ins[k]!]!, index: ins[k]! });
    }
  };
  walk(a, b, []);
  return out;
}
