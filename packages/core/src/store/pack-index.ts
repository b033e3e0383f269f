/**
 * Git pack index (.idx) parsing, v1 and v2 (with the 64-bit offset table). Pure: takes the bytes,
 * returns a lookup structure. The whole index is held in memory (it is ~28 bytes per object).
 */
export interface PackIndex {
  version: 1 | 2;
  count: number;
  /** Offset of the object in the pack, or -1 when absent. */
  find(oid: string): number;
  /** Offset of the entry that follows `offset` in the pack (or the trailer start), for exact entry ranges. */
  entryEnd(offset: number, packSize: number): number;
  /** The stored CRC-32 of the entry (v2 only; undefined on v1). */
  crcAt(offset: number): number | undefined;
  /** Every object id with its offset, in index (sorted) order. */
  entries(): IterableIterator<{ oid: string; offset: number }>;
  /** The i-th object (index order, 0 ≤ i < count): its id, offset and stored CRC-32 (v2 only). */
  oidAt(i: number): string;
  offsetAt(i: number): number;
  crcAtIndex(i: number): number | undefined;
  packChecksum: string;
}

export class PackIndexError extends Error {}

export function parsePackIndex(buf: Buffer): PackIndex {
  if (buf.length < 8 + 256 * 4 + 40) throw new PackIndexError('pack index is too short');
  const v2 = buf.readUInt32BE(0) === 0xff744f63;
  if (v2 && buf.readUInt32BE(4) !== 2) throw new PackIndexError(`unsupported pack index version ${buf.readUInt32BE(4)}`);
  const fanoutAt = v2 ? 8 : 0;
  const count = buf.readUInt32BE(fanoutAt + 255 * 4);
  let prev = 0;
  for (let i = 0; i < 256; i++) {
    const f = buf.readUInt32BE(fanoutAt + i * 4);
    if (f < prev) throw new PackIndexError('pack index fanout is not monotonic');
    prev = f;
  }
  const namesAt = fanoutAt + 1024;
  let namesStride: number;
  let nameOff: number; // offset of the 20-byte name inside a record
  let crcAt = 0;
  let off32At = 0;
  let off64At = 0;
  if (v2) {
    namesStride = 20;
    nameOff = 0;
    crcAt = namesAt + count * 20;
    off32At = crcAt + count * 4;
    off64At = off32At + count * 4;
    if (buf.length < off64At + 40) throw new PackIndexError('pack index is truncated');
  } else {
    namesStride = 24;
    nameOff = 4;
    if (buf.length < namesAt + count * 24 + 40) throw new PackIndexError('pack index is truncated');
  }
  const packChecksum = buf.subarray(buf.length - 40, buf.length - 20).toString('hex');

  const offsetOf = (i: number): number => {
    if (!v2) return buf.readUInt32BE(namesAt + i * 24);
    const o = buf.readUInt32BE(off32At + i * 4);
    if (o & 0x80000000) {
      const j = o & 0x7fffffff;
      const at = off64At + j * 8;
      if (at + 8 > buf.length - 40) throw new PackIndexError('pack index 64-bit offset out of range');
      return buf.readUInt32BE(at) * 2 ** 32 + buf.readUInt32BE(at + 4);
    }
    return o;
  };

  const find = (oid: string): number => {
    if (!/^[0-9a-f]{40}$/.test(oid)) return -1;
    const key = Buffer.from(oid, 'hex');
    const first = key[0]!;
    let lo = first === 0 ? 0 : buf.readUInt32BE(fanoutAt + (first - 1) * 4);
    let hi = buf.readUInt32BE(fanoutAt + first * 4);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = namesAt + mid * namesStride + nameOff;
      const c = buf.compare(key, 0, 20, at, at + 20) * -1;
      if (c === 0) return offsetOf(mid);
      if (c < 0) hi = mid;
      else lo = mid + 1;
    }
    return -1;
  };

  let sortedOffsets: Float64Array | null = null;
  let crcByOffset: Map<number, number> | null = null;
  const sorted = (): Float64Array => {
    if (!sortedOffsets) {
      const arr = new Float64Array(count);
      for (let i = 0; i < count; i++) arr[i] = offsetOf(i);
      arr.sort();
      sortedOffsets = arr;
    }
    return sortedOffsets;
  };
  const entryEnd = (offset: number, packSize: number): number => {
    const arr = sorted();
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < arr.length ? arr[lo]! : packSize - 20;
  };
  const crcOf = (offset: number): number | undefined => {
    if (!v2) return undefined;
    if (!crcByOffset) {
      crcByOffset = new Map();
      for (let i = 0; i < count; i++) crcByOffset.set(offsetOf(i), buf.readUInt32BE(crcAt + i * 4));
    }
    return crcByOffset.get(offset);
  };
  function* entries(): IterableIterator<{ oid: string; offset: number }> {
    for (let i = 0; i < count; i++) {
      const at = namesAt + i * namesStride + nameOff;
      yield { oid: buf.subarray(at, at + 20).toString('hex'), offset: offsetOf(i) };
    }
  }
  const oidAt = (i: number): string => {
    const at = namesAt + i * namesStride + nameOff;
    return buf.subarray(at, at + 20).toString('hex');
  };
  const crcAtIndex = (i: number): number | undefined => (v2 ? buf.readUInt32BE(crcAt + i * 4) : undefined);
  return { version: v2 ? 2 : 1, count, find, entryEnd, crcAt: crcOf, entries, oidAt, offsetAt: offsetOf, crcAtIndex, packChecksum };
}
