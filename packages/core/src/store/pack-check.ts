/**
 * Whole-pack integrity, what `git verify-pack` checks short of inflating every object (verify re-reads each
 * version's content separately): the index's own SHA-1 trailer, the pack header, the pack's SHA-1 trailer,
 * that index and pack belong together (object count, pack checksum recorded in the index), every offset
 * inside the pack, and for v2 indexes the CRC-32 of every entry's raw bytes. One sequential read of the
 * pack computes the SHA-1 and all CRCs; memory is the index plus O(objects) numbers, never the pack.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ProgressCallback } from '../util/progress.js';
import { crc32 } from './crc32.js';
import { parsePackIndex, type PackIndex } from './pack-index.js';

export type PackProblemKind =
  | 'missing-pack'
  | 'index-checksum'
  | 'index-format'
  | 'pack-header'
  | 'pack-truncated'
  | 'pack-checksum'
  | 'index-pack-mismatch'
  | 'object-count'
  | 'offset-out-of-range'
  | 'crc-mismatch';

export interface PackProblem {
  kind: PackProblemKind;
  message: string;
  oid?: string;
  offset?: number;
}

export interface PackCheck {
  /** file name of the pack, e.g. `pack-1a2b….pack` */
  pack: string;
  ok: boolean;
  /** `E_PACK_CORRUPT` when any problem was found */
  code?: 'E_PACK_CORRUPT';
  objects: number;
  bytes: number;
  /** the first MAX_PROBLEMS problems; `problemCount` has them all */
  problems: PackProblem[];
  problemCount: number;
}

const MAX_PROBLEMS = 20;

export interface CheckPacksOptions {
  onProgress?: ProgressCallback;
}

/** Check every pack of `gitdir` (those with an index: git ignores a pack without one). */
export async function checkPacks(gitdir: string, opts: CheckPacksOptions = {}): Promise<PackCheck[]> {
  const dir = path.join(gitdir, 'objects', 'pack');
  const names = (await fsp.readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith('pack-') && n.endsWith('.idx')).sort();
  const sizes = await Promise.all(names.map((n) => fsp.stat(path.join(dir, n.slice(0, -4) + '.pack')).then((s) => s.size, () => 0)));
  const total = sizes.reduce((a, b) => a + b, 0);
  let before = 0;
  const out: PackCheck[] = [];
  for (const [i, name] of names.entries()) {
    const base = before;
    out.push(await checkPack(path.join(dir, name), opts.onProgress && ((loaded) => opts.onProgress!({ phase: 'verify-packs', loaded: base + loaded, total, item: name }))));
    before += sizes[i]!;
  }
  return out;
}

/** Check one pack given its `.idx` path. */
export async function checkPack(idxPath: string, onRead?: (loaded: number) => void): Promise<PackCheck> {
  const packPath = idxPath.slice(0, -4) + '.pack';
  const res: PackCheck = { pack: path.basename(packPath), ok: true, objects: 0, bytes: 0, problems: [], problemCount: 0 };
  const problem = (p: PackProblem): void => {
    res.problemCount++;
    if (res.problems.length < MAX_PROBLEMS) res.problems.push(p);
  };
  const finish = (): PackCheck => {
    res.ok = res.problemCount === 0;
    if (!res.ok) res.code = 'E_PACK_CORRUPT';
    return res;
  };

  // the index: its trailer is the SHA-1 of everything before it
  const idxBuf = await fsp.readFile(idxPath);
  let idx: PackIndex | null = null;
  if (idxBuf.length < 40 || !createHash('sha1').update(idxBuf.subarray(0, idxBuf.length - 20)).digest().equals(idxBuf.subarray(idxBuf.length - 20))) {
    problem({ kind: 'index-checksum', message: `the index ${path.basename(idxPath)} does not match its own checksum` });
  }
  try {
    idx = parsePackIndex(idxBuf);
    res.objects = idx.count;
  } catch (e) {
    problem({ kind: 'index-format', message: `the index ${path.basename(idxPath)} cannot be read (${(e as Error).message})` });
  }

  let size: number;
  try {
    size = (await fsp.stat(packPath)).size;
  } catch {
    problem({ kind: 'missing-pack', message: `the index ${path.basename(idxPath)} has no pack beside it; the ${idx?.count ?? '?'} objects it lists are gone` });
    return finish();
  }
  res.bytes = size;
  if (size < 32) {
    problem({ kind: 'pack-truncated', message: `the pack is ${size} bytes, too short for a header and a checksum` });
    return finish();
  }
  const fh = await fsp.open(packPath, 'r');
  const head = Buffer.alloc(12);
  const trailer = Buffer.alloc(20);
  try {
    await fh.read(head, 0, 12, 0);
    await fh.read(trailer, 0, 20, size - 20);
  } finally {
    await fh.close();
  }
  const version = head.readUInt32BE(4);
  const count = head.readUInt32BE(8);
  if (head.toString('latin1', 0, 4) !== 'PACK' || (version !== 2 && version !== 3)) {
    problem({ kind: 'pack-header', message: 'the pack does not start with a git pack header (PACK, version 2 or 3)' });
  } else if (idx && count !== idx.count) {
    problem({ kind: 'object-count', message: `the pack says it holds ${count} objects, its index lists ${idx.count}` });
  }

  // entries in pack order (typed arrays: 12 bytes per object), with the CRC the index recorded for each
  let order = new Uint32Array(0);
  let offs = new Float64Array(0);
  if (idx) {
    const n = idx.count;
    offs = new Float64Array(n);
    const valid: number[] = [];
    let pastEnd = 0;
    const outside: PackProblem[] = [];
    let outsideCount = 0;
    for (let i = 0; i < n; i++) {
      let o: number;
      try {
        o = idx.offsetAt(i);
      } catch {
        o = -1; // a 64-bit offset slot outside the index
      }
      offs[i] = o;
      if (o < 12 || o >= size - 20) {
        if (o >= size - 20) pastEnd++;
        outsideCount++;
        if (outside.length < MAX_PROBLEMS) outside.push({ kind: 'offset-out-of-range', message: `object ${idx.oidAt(i)} is listed at offset ${o}, outside the pack's ${size} bytes`, oid: idx.oidAt(i), offset: o });
        continue;
      }
      valid.push(i);
    }
    order = Uint32Array.from(valid).sort((a, b) => offs[a]! - offs[b]!);
    // the summary first: a truncated pack lists every object past its end
    if (pastEnd) problem({ kind: 'pack-truncated', message: `the pack ends at ${size} bytes, before ${pastEnd} of the objects its index lists (truncated)` });
    outside.forEach(problem);
    res.problemCount += outsideCount - outside.length; // counted, not described
    for (let k = 1; k < order.length; k++) {
      if (offs[order[k]!] === offs[order[k - 1]!]) problem({ kind: 'offset-out-of-range', message: `object ${idx.oidAt(order[k]!)} shares offset ${offs[order[k]!]} with another object`, oid: idx.oidAt(order[k]!), offset: offs[order[k]!]! });
    }
  }

  // one pass: SHA-1 over everything but the trailer, and the CRC-32 of each entry's bytes
  const sha1 = createHash('sha1');
  const end = size - 20;
  let pos = 0;
  let j = 0;
  let crc = 0;
  const startOf = (k: number): number => offs[order[k]!]!;
  const entryEnd = (k: number): number => {
    let m = k + 1;
    while (m < order.length && startOf(m) === startOf(k)) m++; // a duplicate offset (reported above)
    return m < order.length ? startOf(m) : end;
  };
  const closeEntry = (): void => {
    const i = order[j]!;
    const want = idx!.crcAtIndex(i);
    if (want !== undefined && want !== crc >>> 0) {
      const oid = idx!.oidAt(i);
      problem({ kind: 'crc-mismatch', message: `the bytes of object ${oid} at offset ${offs[i]} do not match the CRC-32 in the index`, oid, offset: offs[i]! });
    }
    j++;
    crc = 0;
  };
  if (end > 0) {
    for await (const chunk of createReadStream(packPath, { start: 0, end: end - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      sha1.update(chunk);
      const cEnd = pos + chunk.length;
      let p = pos;
      while (j < order.length && p < cEnd) {
        const s0 = startOf(j);
        if (p < s0) {
          p = Math.min(s0, cEnd);
          continue;
        }
        const e0 = entryEnd(j);
        const stop = Math.min(e0, cEnd);
        crc = crc32(chunk.subarray(p - pos, stop - pos), crc);
        p = stop;
        if (stop === e0) closeEntry();
      }
      pos = cEnd;
      onRead?.(pos);
    }
  }
  while (j < order.length) closeEntry(); // the file ended early (it shrank while we read)
  const sum = sha1.digest();
  if (!sum.equals(trailer)) {
    problem({ kind: 'pack-checksum', message: `the pack does not match its SHA-1 checksum (damaged or truncated)` });
  } else if (idx && idx.packChecksum !== sum.toString('hex')) {
    problem({ kind: 'index-pack-mismatch', message: `the index belongs to another pack (pack checksum ${idx.packChecksum.slice(0, 12)}…, this pack ${sum.toString('hex').slice(0, 12)}…)` });
  }
  return finish();
}
