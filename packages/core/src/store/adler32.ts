/**
 * Adler-32 (RFC 1950) for framing zlib streams ourselves. Eight independent lanes break the a→b
 * dependency chain so V8 can overlap the adds; roughly 1.5× a plain byte loop.
 */
const BASE = 65521;

/**
 * Continue an Adler-32 over `buf[start, end)` from a previous value (1 for a fresh checksum).
 * Self-contained (no outside names), so its source can also run in the save's hashing thread (loose-writer.ts).
 */
export function adler32(buf: Uint8Array, prev = 1, start = 0, end = buf.length): number {
  const BASE = 65521;
  /** Largest block (multiple of 8) whose lane sums stay exact in float64 and small enough to keep ints. */
  const BLOCK = 1 << 16;
  let a = prev & 0xffff;
  let b = (prev >>> 16) & 0xffff;
  let i = start;
  while (end - i >= 8) {
    const len = Math.min(BLOCK, (end - i) & ~7);
    const stop = i + len;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
    for (; i < stop; i += 8) {
      s0 += buf[i]!; s1 += buf[i + 1]!; s2 += buf[i + 2]!; s3 += buf[i + 3]!;
      s4 += buf[i + 4]!; s5 += buf[i + 5]!; s6 += buf[i + 6]!; s7 += buf[i + 7]!;
      t0 += s0; t1 += s1; t2 += s2; t3 += s3; t4 += s4; t5 += s5; t6 += s6; t7 += s7;
    }
    // Over a block of n bytes: a' = a + Σx, b' = b + n·a + Σ(n−j)·x_j; the lanes give Σ(n−j)·x_j as
    // 8·Σt_k − Σ k·s_k (all terms < 2^53, so float arithmetic is exact).
    const S = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    const T = 8 * (t0 + t1 + t2 + t3 + t4 + t5 + t6 + t7) - (s1 + 2 * s2 + 3 * s3 + 4 * s4 + 5 * s5 + 6 * s6 + 7 * s7);
    b = (b + ((len * a) % BASE) + (T % BASE)) % BASE;
    a = (a + S) % BASE;
  }
  for (; i < end; i++) {
    a += buf[i]!;
    b += a;
  }
  a %= BASE;
  b %= BASE;
  return ((b << 16) | a) >>> 0;
}

/**
 * The Adler-32 of `x + y` from adler32(x), adler32(y) and y's length (zlib's adler32_combine), so parts of a
 * stream can be summed on different threads and joined in order.
 */
export function adler32Combine(ax: number, ay: number, lenY: number): number {
  const rem = lenY % BASE;
  let a = ax & 0xffff;
  let b = (rem * a) % BASE;
  a += (ay & 0xffff) + BASE - 1;
  b += ((ax >>> 16) & 0xffff) + ((ay >>> 16) & 0xffff) + BASE - rem;
  if (a >= BASE) a -= BASE;
  if (a >= BASE) a -= BASE;
  if (b >= 2 * BASE) b -= 2 * BASE;
  if (b >= BASE) b -= BASE;
  return ((b << 16) | a) >>> 0;
}
