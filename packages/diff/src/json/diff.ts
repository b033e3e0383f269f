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

/** Canonical text of a value (object keys sorted), for equality and hashing. Iterative: any depth. */
export function canonical(v: JsonValue): string {
  const parts: string[] = [];
  // Work items: [0, literal text] or [1, value to write].
  const stack: ([0, string] | [1, JsonValue])[] = [[1, v]];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item[0] === 0) { parts.push(item[1]); continue; }
    const y = item[1];
    const items: ([0, string] | [1, JsonValue])[] = [];
    if (Array.isArray(y)) {
      items.push([0, '[']);
      y.forEach((el, i) => { if (i > 0) items.push([0, ',']); items.push([1, el]); });
      items.push([0, ']']);
    } else if (isObject(y)) {
      items.push([0, '{']);
      Object.keys(y).sort().forEach((k, i) => { items.push([0, `${i > 0 ? ',' : ''}${JSON.stringify(k)}:`]); items.push([1, y[k]!]); });
      items.push([0, '}']);
    } else { parts.push(JSON.stringify(y)); continue; }
    for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]!);
  }
  return parts.join('');
}

function mix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h;
}

function strHash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return mix(h ^ s.length);
}

/**
 * 64-bit structural hashes (two 32-bit lanes) of JSON values, equal for equal values whatever the key order.
 * Computed once per node, bottom-up without recursion, so deep or large documents cost linear time.
 */
export class JsonHasher {
  private memo = new WeakMap<object, [number, number]>();

  hash(v: JsonValue): [number, number] {
    if (v === null || typeof v !== 'object') {
      const t = JSON.stringify(v);
      return [strHash(t, 0x811c9dc5), strHash(t, 0x9747b28c)];
    }
    const done = this.memo.get(v);
    if (done) return done;
    // Post-order: a node is hashed once all its children are.
    const stack: { node: object; expanded: boolean }[] = [{ node: v, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const node = top.node as JsonValue[] | { [k: string]: JsonValue };
      if (this.memo.has(node)) { stack.pop(); continue; }
      const children = Array.isArray(node) ? node : Object.values(node);
      if (!top.expanded) {
        top.expanded = true;
        for (const c of children) if (c !== null && typeof c === 'object' && !this.memo.has(c)) stack.push({ node: c, expanded: false });
        continue;
      }
      stack.pop();
      let h1: number, h2: number;
      if (Array.isArray(node)) {
        h1 = 0x1234567; h2 = 0x7654321;
        for (const c of node) { const [c1, c2] = this.hash(c); h1 = (Math.imul(h1, 31) + c1) | 0; h2 = (Math.imul(h2, 37) + c2) | 0; }
        h1 = mix(h1 ^ node.length); h2 = mix(h2 ^ (node.length * 7));
      } else {
        // Key order must not matter: combine (key, value) pairs with a commutative sum.
        h1 = 0x2468ace; h2 = 0x13579bd;
        for (const k of Object.keys(node)) {
          const [c1, c2] = this.hash(node[k]!);
          h1 = (h1 + mix(strHash(k, 0x3c6ef372) ^ c1)) | 0;
          h2 = (h2 + mix(strHash(k, 0xa54ff53a) ^ c2)) | 0;
        }
        h1 = mix(h1 ^ 0x5bd1e995); h2 = mix(h2 ^ 0x27d4eb2d);
      }
      this.memo.set(node, [h1, h2]);
    }
    return this.memo.get(v)!;
  }

  equal(a: JsonValue, b: JsonValue): boolean {
    if (a === b) return true;
    const [a1, a2] = this.hash(a);
    const [b1, b2] = this.hash(b);
    return a1 === b1 && a2 === b2;
  }
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
  /** Keep at most this many changes in `changes`; `counts` stay exact. Default: all. */
  limit?: number;
}

/** A path as a chain to its parent, so descending one level costs O(1) whatever the depth. */
interface PathNode {
  parent: PathNode | null;
  seg: JsonPathSegment;
}

function segmentsOf(p: PathNode | null): JsonPathSegment[] {
  const out: JsonPathSegment[] = [];
  for (let n = p; n; n = n.parent) out.push(n.seg);
  return out.reverse();
}

const child = (parent: PathNode | null, seg: JsonPathSegment): PathNode => ({ parent, seg });

type Task =
  | { t: 'walk'; x: JsonValue; y: JsonValue; path: PathNode | null }
  | { t: 'emit'; op: JsonChange['op']; path: PathNode | null; old?: JsonValue; new?: JsonValue; index?: number; order?: JsonPrimitive[]; field?: string };

export interface JsonDiffCounts {
  added: number;
  removed: number;
  changed: number;
  reordered: number;
}

/**
 * Structural diff of two JSON values with exact counts and at most `limit` detailed changes, in document
 * order. Iterative (an explicit work stack and parent-linked paths), so nesting depth is only bounded by memory.
 * Objects and keyed arrays are walked member by member; only elements of positional arrays are hashed
 * (once per node), to align them.
 */
export function diffJsonCounted(a: JsonValue, b: JsonValue, opts: JsonDiffOptions = {}): { changes: JsonChange[]; counts: JsonDiffCounts } {
  const limit = opts.limit ?? Infinity;
  const hasher = new JsonHasher();
  const changes: JsonChange[] = [];
  const counts: JsonDiffCounts = { added: 0, removed: 0, changed: 0, reordered: 0 };
  const emit = (op: JsonChange['op'], path: PathNode | null, rest: Partial<JsonChange>): Task => ({ t: 'emit', op, path, ...rest } as Task);
  // One generator per open container: its steps come out lazily and in document order, so memory is
  // O(depth), not O(members), and no step needs the call stack.
  const stack: Iterator<Task>[] = [[{ t: 'walk', x: a, y: b, path: null } as Task][Symbol.iterator]()];

  while (stack.length > 0) {
    const next = stack[stack.length - 1]!.next();
    if (next.done) { stack.pop(); continue; }
    const task = next.value;
    if (task.t === 'emit') {
      if (task.op === 'add') counts.added++;
      else if (task.op === 'remove') counts.removed++;
      else if (task.op === 'change') counts.changed++;
      else counts.reordered++;
      if (changes.length < limit) {
        const { t: _t, path, ...rest } = task;
        const segments = segmentsOf(path);
        changes.push({ ...rest, path: formatJsonPath(segments), segments } as JsonChange);
      }
      continue;
    }
    const { x, y, path } = task;
    if (isObject(x) && isObject(y)) { stack.push(objectSteps(x, y, path)); continue; }
    if (Array.isArray(x) && Array.isArray(y)) {
      const field = findKeyField(x, y);
      stack.push(field !== null ? keyedArray(x, y, field, path) : positionalArray(x, y, path));
      continue;
    }
    // Here at most one side is a container, or they are of different kinds: only two primitives can be equal.
    const bothLeaves = (x === null || typeof x !== 'object') && (y === null || typeof y !== 'object');
    if (!(bothLeaves && (leafEqual(x, y, opts.tolerance) || JSON.stringify(x) === JSON.stringify(y)))) stack.push([emit('change', path, { old: x, new: y })][Symbol.iterator]());
  }
  return { changes, counts };

  function* objectSteps(x: { [k: string]: JsonValue }, y: { [k: string]: JsonValue }, path: PathNode | null): Generator<Task> {
    for (const k of Object.keys(x)) {
      if (!Object.prototype.hasOwnProperty.call(y, k)) yield emit('remove', child(path, k), { old: x[k]! });
      else if (x[k] !== y[k]) yield { t: 'walk', x: x[k]!, y: y[k]!, path: child(path, k) };
    }
    for (const k of Object.keys(y)) if (!Object.prototype.hasOwnProperty.call(x, k)) yield emit('add', child(path, k), { new: y[k]! });
  }

  function* keyedArray(x: JsonValue[], y: JsonValue[], field: string, path: PathNode | null): Generator<Task> {
    const kv = (el: JsonValue) => (el as { [k: string]: JsonValue })[field] as JsonPrimitive;
    const inA = new Map<string, number>();
    x.forEach((el, i) => inA.set(JSON.stringify(kv(el)), i));
    const inB = new Set(y.map((el) => JSON.stringify(kv(el))));
    for (const el of x) if (!inB.has(JSON.stringify(kv(el)))) yield emit('remove', child(path, { field, value: kv(el) }), { old: el });
    let reordered = false;
    let lastA = -1;
    const sharedB: JsonPrimitive[] = [];
    for (let j = 0; j < y.length; j++) {
      const el = y[j]!;
      const i = inA.get(JSON.stringify(kv(el)));
      if (i === undefined) { yield emit('add', child(path, { field, value: kv(el) }), { new: el, index: j }); continue; }
      sharedB.push(kv(el));
      if (i < lastA) reordered = true;
      lastA = i;
      if (x[i] !== el) yield { t: 'walk', x: x[i]!, y: el, path: child(path, { field, value: kv(el) }) };
    }
    if (reordered) yield emit('reorder', path, { order: sharedB, field });
  }

  function* positionalArray(x: JsonValue[], y: JsonValue[], path: PathNode | null): Generator<Task> {
    const hx = x.map((v) => hasher.hash(v));
    const hy = y.map((v) => hasher.hash(v));
    const { runs } = myersDiff(x.length, y.length, (i, j) => hx[i]![0] === hy[j]![0] && hx[i]![1] === hy[j]![1]);
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
        if (sameKind) yield { t: 'walk', x: xi, y: yj, path: child(path, i) };
        else if (!leafEqual(xi, yj, opts.tolerance)) yield emit('change', child(path, i), { old: xi, new: yj });
      }
      for (let k = pairs; k < dels.length; k++) yield emit('remove', child(path, dels[k]!), { old: x[dels[k]!]! });
      for (let k = pairs; k < ins.length; k++) yield emit('add', child(path, ins[k]!), { new: y[ins[k]!]!, index: ins[k]! });
    }
  }
}

/** Structural diff of two JSON values. Changes come out in document order; counts are their number. */
export function diffJson(a: JsonValue, b: JsonValue, opts: JsonDiffOptions = {}): JsonChange[] {
  return diffJsonCounted(a, b, opts).changes;
}

/**
 * For two values with the same data, the first object (in document order) whose keys appear in a different
 * order, as a display path with both orders; null when every object lists its keys alike. Iterative.
 */
export function firstKeyOrderChange(a: JsonValue, b: JsonValue): { path: string; a: string[]; b: string[] } | null {
  const stack: { x: JsonValue; y: JsonValue; path: PathNode | null }[] = [{ x: a, y: b, path: null }];
  while (stack.length > 0) {
    const { x, y, path } = stack.pop()!;
    if (isObject(x) && isObject(y)) {
      const kx = Object.keys(x);
      const ky = Object.keys(y);
      const shared = new Set(ky);
      const ox = kx.filter((k) => shared.has(k));
      const sx = new Set(kx);
      const oy = ky.filter((k) => sx.has(k));
      if (ox.some((k, i) => k !== oy[i])) return { path: formatJsonPath(segmentsOf(path)), a: ox, b: oy };
      for (let i = ox.length - 1; i >= 0; i--) stack.push({ x: x[ox[i]!]!, y: y[ox[i]!]!, path: child(path, ox[i]!) });
    } else if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = Math.min(x.length, y.length) - 1; i >= 0; i--) stack.push({ x: x[i]!, y: y[i]!, path: child(path, i) });
    }
  }
  return null;
}
