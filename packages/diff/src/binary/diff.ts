import { createHash } from 'node:crypto';
import type { ByteRange } from '../types.js';
import { openFile } from '../csv/file.js';
import { ByteRanges } from '../per-format.js';

const CHUNK = 1 << 20;

/**
 * Compare two files byte by byte in chunks (constant memory): sha256 of each, number of differing bytes
 * and the differing ranges (nearby ranges coalesced, at most `limit` kept; counts stay exact).
 */
export async function diffBytes(pathA: string, pathB: string, limit: number): Promise<{
  sizeA: number; sizeB: number; shaA: string; shaB: string; bytesDiffering: number; rangeCount: number; ranges: ByteRange[];
}> {
  const [fa, fb] = [await openFile(pathA), await openFile(pathB)];
  try {
    const ha = createHash('sha256');
    const hb = createHash('sha256');
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    let pos = 0;
    let sizeA = 0, sizeB = 0;
    const found = new ByteRanges(limit);
    const mark = (off: number, len: number) => found.mark(off, len);
    for (;;) {
      const [ra, rb] = await Promise.all([readFull(fa, ba, pos), readFull(fb, bb, pos)]);
      if (ra === 0 && rb === 0) break;
      ha.update(ba.subarray(0, ra));
      hb.update(bb.subarray(0, rb));
      sizeA += ra; sizeB += rb;
      const common = Math.min(ra, rb);
      if (!ba.subarray(0, common).equals(bb.subarray(0, common))) {
        // Find differing bytes, skipping equal 4 KiB blocks quickly.
        for (let blk = 0; blk < common; blk += 4096) {
          const end = Math.min(common, blk + 4096);
          if (ba.subarray(blk, end).equals(bb.subarray(blk, end))) continue;
          let i = blk;
          while (i < end) {
            if (ba[i] === bb[i]) { i++; continue; }
            const s = i;
            while (i < end && ba[i] !== bb[i]) i++;
            mark(pos + s, i - s);
          }
        }
      }
      if (ra !== rb) mark(pos + common, Math.max(ra, rb) - common);
      pos += Math.max(ra, rb);
    }
    found.close();
    return { sizeA, sizeB, shaA: ha.digest('hex'), shaB: hb.digest('hex'), bytesDiffering: found.bytesDiffering, rangeCount: found.rangeCount, ranges: found.ranges };
  } finally {
    await fa.close();
    await fb.close();
  }
}

/** Offset of the first byte where two files differ (a shorter file differs where it ends), or -1 when equal. Constant memory. */
export async function firstDifference(pathA: string, pathB: string): Promise<number> {
  const [fa, fb] = [await openFile(pathA), await openFile(pathB)];
  try {
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; ; pos += CHUNK) {
      const [ra, rb] = await Promise.all([readFull(fa, ba, pos), readFull(fb, bb, pos)]);
      const common = Math.min(ra, rb);
      if (!ba.subarray(0, common).equals(bb.subarray(0, common))) {
        let i = 0;
        while (ba[i] === bb[i]) i++;
        return pos + i;
      }
      if (ra !== rb) return pos + common;
      if (ra < CHUNK) return -1;
    }
  } finally {
    await fa.close();
    await fb.close();
  }
}

async function readFull(fh: import('node:fs/promises').FileHandle, buf: Buffer, pos: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
