/**
 * Byte helpers that run in Node and in browsers (no node: modules, no reliance on a global Buffer there).
 * In Node, Buffer's native decoders are used (they are faster for the many small slices a CSV scan decodes);
 * elsewhere TextDecoder. sha256 here is synchronous (for clipped values): node:crypto in Node (reached
 * through process.getBuiltinModule, so nothing imports it), @noble/hashes elsewhere (about 9x slower).
 */
import { sha256 } from '@noble/hashes/sha2';

type NodeBufferLike = { from(b: ArrayBufferLike, off: number, len: number): { toString(enc: string): string }; byteLength(s: string, enc: string): number };
const nodeBuffer: NodeBufferLike | null = (() => {
  const g = globalThis as { Buffer?: NodeBufferLike; process?: { versions?: { node?: string } } };
  return g.process?.versions?.node && g.Buffer ? g.Buffer : null;
})();
const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** UTF-8 text of bytes [start, end) (invalid sequences become U+FFFD). */
export function utf8Decode(b: Uint8Array, start = 0, end = b.length): string {
  if (nodeBuffer) return nodeBuffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
  return utf8.decode(b.subarray(start, end));
}

/** Latin-1 text of bytes [start, end): one character per byte. */
export function latin1Decode(b: Uint8Array, start = 0, end = b.length): string {
  if (nodeBuffer) return nodeBuffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  let s = '';
  for (let i = start; i < end; i += 8192) s += String.fromCharCode(...b.subarray(i, Math.min(end, i + 8192)));
  return s;
}

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Length of `s` in UTF-8 bytes. */
export function utf8Length(s: string): number {
  if (nodeBuffer) return nodeBuffer.byteLength(s, 'utf8');
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of `needle` (ASCII) in `hay`, or -1. */
export function indexOfAscii(hay: Uint8Array, needle: string): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}

export interface Sha256Hasher {
  update(b: Uint8Array): Sha256Hasher;
  hex(): string;
}

type NodeHash = { update(b: Uint8Array): NodeHash; digest(enc: 'hex'): string };
const nodeCreateHash: ((alg: 'sha256') => NodeHash) | null = (() => {
  const p = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (!p?.versions?.node || typeof p.getBuiltinModule !== 'function') return null;
  return (p.getBuiltinModule('node:crypto') as { createHash?: (alg: 'sha256') => NodeHash } | undefined)?.createHash ?? null;
})();

/** An incremental, synchronous sha256. */
export function sha256Hasher(): Sha256Hasher {
  if (nodeCreateHash) {
    const n = nodeCreateHash('sha256');
    const native: Sha256Hasher = { update(b) { n.update(b); return native; }, hex: () => n.digest('hex') };
    return native;
  }
  return nobleHasher();
}

/** sha256 in plain JavaScript (browsers; Node without process.getBuiltinModule). */
export function nobleHasher(): Sha256Hasher {
  const h = sha256.create();
  const self: Sha256Hasher = {
    update(b) { h.update(b); return self; },
    hex() { let s = ''; for (const x of h.digest()) s += x.toString(16).padStart(2, '0'); return s; },
  };
  return self;
}
