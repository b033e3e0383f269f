/**
 * Bounded output for huge values. A cell (or JSON value) whose text is longer than `maxCellBytes` is
 * reported as a `ClippedValue`: its first characters, its full length in UTF-8 bytes and the sha256 of
 * its full text, so two huge values can still be told apart (and checked with `sha256sum`) without
 * printing or holding them.
 */
import type { JsonChange } from './json/diff.js';
import type { JsonResultChange } from './types.js';
import { concatBytes, sha256Hasher, utf8Decode, utf8Encode, utf8Length } from './bytes.js';

export interface ClippedValue {
  clipped: true;
  /** Length of the full value in UTF-8 bytes. */
  bytes: number;
  /** sha256 (hex) of the full value's UTF-8 bytes. */
  sha256: string;
  /** The value's first characters (at most CLIP_HEAD_BYTES bytes of UTF-8, cut at a character boundary). */
  head: string;
}

/** Values longer than this many UTF-8 bytes are clipped in diff results (option `maxCellBytes`). */
export const MAX_CELL_BYTES = 4096;
/** How much of a clipped value is kept. */
export const CLIP_HEAD_BYTES = 256;

export function isClipped(v: unknown): v is ClippedValue {
  return typeof v === 'object' && v !== null && (v as ClippedValue).clipped === true && typeof (v as ClippedValue).sha256 === 'string';
}

/** Cut UTF-8 bytes at `max`, backing off to a character boundary, and decode. */
export function utf8Head(buf: Uint8Array, max = CLIP_HEAD_BYTES): string {
  let end = Math.min(max, buf.length);
  if (end < buf.length) while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return utf8Decode(buf, 0, end);
}

/** The string itself when short, else its clipped form. */
export function clipString(s: string, max = MAX_CELL_BYTES): string | ClippedValue {
  if (s.length * 3 <= max) return s; // cheap: cannot exceed max bytes
  const bytes = utf8Length(s);
  if (bytes <= max) return s;
  const buf = utf8Encode(s);
  return { clipped: true, bytes, sha256: sha256Hasher().update(buf).hex(), head: utf8Head(buf) };
}

/**
 * Clip a field straight from its bytes (no string of the whole value is made). `quote` >= 0 means the
 * field was quoted with doubled quotes inside, which stand for one quote each.
 */
export function clipBytes(buf: Uint8Array, start: number, end: number, quote: number): ClippedValue {
  const h = sha256Hasher();
  let bytes = 0;
  const headParts: Uint8Array[] = [];
  let headLen = 0;
  const take = (s: number, e: number) => {
    if (e <= s) return;
    const part = buf.subarray(s, e);
    h.update(part);
    bytes += e - s;
    if (headLen < CLIP_HEAD_BYTES + 4) { const p = part.subarray(0, CLIP_HEAD_BYTES + 4 - headLen); headParts.push(p); headLen += p.length; }
  };
  if (quote < 0) take(start, end);
  else {
    let s = start;
    for (let i = start; i < end; i++) {
      if (buf[i] === quote && buf[i + 1] === quote && i + 1 < end) { take(s, i + 1); i++; s = i + 1; }
    }
    take(s, end);
  }
  return { clipped: true, bytes, sha256: h.hex(), head: utf8Head(concatBytes(headParts)) };
}

/**
 * Write a JSON value as compact JSON text (like JSON.stringify, keys in their order) in chunks, without
 * recursion, so values of any depth can be measured and hashed. `onChunk` returns false to stop early.
 */
export function writeJson(v: unknown, onChunk: (s: string) => void | false): void {
  type Item = [0, string] | [1, unknown];
  const stack: Item[] = [[1, v]];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item[0] === 0) { if (onChunk(item[1]) === false) return; continue; }
    const x = item[1];
    if (x === null || typeof x !== 'object') {
      if (onChunk(x === undefined ? 'null' : JSON.stringify(x)) === false) return;
      continue;
    }
    const items: Item[] = [];
    if (Array.isArray(x)) {
      items.push([0, '[']);
      x.forEach((el, i) => { if (i > 0) items.push([0, ',']); items.push([1, el]); });
      items.push([0, ']']);
    } else {
      const o = x as Record<string, unknown>;
      items.push([0, '{']);
      Object.keys(o).forEach((k, i) => { items.push([0, `${i > 0 ? ',' : ''}${JSON.stringify(k)}:`]); items.push([1, o[k]]); });
      items.push([0, '}']);
    }
    for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]!);
  }
}

/** A JSON value unchanged when its compact text is at most `max` UTF-8 bytes, else its clipped form (over that text). */
export function clipJson(v: unknown, max = MAX_CELL_BYTES): { value: unknown } | { clipped: ClippedValue } {
  if (v === null || typeof v !== 'object') {
    if (typeof v !== 'string') return { value: v };
    const c = clipString(JSON.stringify(v), max);
    return typeof c === 'string' ? { value: v } : { clipped: c };
  }
  // Measure first (stop as soon as it is too long), then hash only when needed.
  let len = 0;
  writeJson(v, (s) => { len += utf8Length(s); return len <= max ? undefined : false; });
  if (len <= max) return { value: v };
  const h = sha256Hasher();
  let bytes = 0;
  let head = '';
  writeJson(v, (s) => {
    const b = utf8Encode(s);
    h.update(b);
    bytes += b.length;
    if (head.length < CLIP_HEAD_BYTES) head += s.slice(0, CLIP_HEAD_BYTES - head.length);
  });
  return { clipped: { clipped: true, bytes, sha256: h.hex(), head: utf8Head(utf8Encode(head)) } };
}

/** A JSON change with its old/new values clipped when too long. */
export function clipJsonChange(c: JsonChange, max: number): JsonResultChange {
  const out: JsonResultChange = { ...c };
  for (const side of ['old', 'new'] as const) {
    if (!(side in c)) continue;
    const r = clipJson(c[side], max);
    if ('clipped' in r) {
      delete out[side];
      out[side === 'old' ? 'oldClipped' : 'newClipped'] = r.clipped;
    }
  }
  return out;
}
