/**
 * The two zlib/deflate headers our loose objects are framed with (RFC 1950/1951), checked the way zlib and git
 * check them. Pure: the readers (reader.ts walks them with small reads, stored-copy.ts parses them from the
 * buffers it copies) share these so both accept exactly the same streams.
 */

/** A zlib header zlib accepts: deflate, a window of at most 32 KiB, check bits right, no preset dictionary. */
export function zlibHeaderOk(b0: number, b1: number): boolean {
  return (b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0 && (b1 & 0x20) === 0;
}

/**
 * The 5-byte header of a stored (uncompressed) deflate block at `h[at]`: its content length and whether it is
 * the final block; null for a compressed block or when LEN and NLEN disagree.
 */
export function storedBlockHeader(h: Uint8Array, at = 0): { len: number; final: boolean } | null {
  const b = h[at]!;
  if ((b & 0x06) !== 0) return null;
  const len = h[at + 1]! | (h[at + 2]! << 8);
  if ((len ^ 0xffff) !== (h[at + 3]! | (h[at + 4]! << 8))) return null;
  return { len, final: (b & 1) === 1 };
}
