/**
 * Streaming object reader: loose objects (any zlib level) and packed objects (pack v2/v3, idx v1/v2,
 * ofs-delta and ref-delta chains). Nothing here holds a whole pack or a whole large object in memory:
 * entries are inflated as streams over their exact byte range, and large delta bases are materialised to a
 * temporary file that copy instructions read by position.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, promises as fsp, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { SavepointError, isReadOnlyErrno } from '../errors.js';
import { adler32 } from './adler32.js';
import { createAdler32Simd, type Adler32Simd } from './adler32-simd.js';
import { DeltaError, DeltaInterpreter, applyDelta, memoryBase, readDeltaHeader, type BaseReader } from './delta.js';
import { composePieces, deltaPieces, type Pieces } from './delta-chain.js';
import { PackIndexError, parsePackIndex, type PackIndex } from './pack-index.js';
import { BufferedFileWriter, fileBase, tempPath } from './base-file.js';
// moved to base-file.ts; still exported here for the callers that import them from the reader
export { BufferedFileWriter, fileBase, tempPath };

import { OFS_DELTA, REF_DELTA, TYPE_BY_CODE, type ObjectType } from './object-types.js';
import { storedBlockHeader, zlibHeaderOk } from './zlib-framing.js';
export { OFS_DELTA, REF_DELTA, type ObjectType };

/** Receives an object's type and size once, then its content in order. Chunks are only valid during the call. */
export interface ObjectSink {
  header(type: ObjectType, size: number): void;
  chunk(data: Uint8Array): void | Promise<void>;
  /**
   * Forget everything received so far. When given, a copy found corrupt part-way through can be replaced by
   * another stored copy of the same object (header and chunks then arrive again from the start); without it,
   * other copies are only tried when the damage shows before the first chunk.
   */
  reset?(): void | Promise<void>;
}

/** Bases up to this size are held in memory while a delta is applied; larger ones go to a temp file. */
export const MEMORY_BASE_LIMIT = 32 << 20;
const READ_CHUNK = 1 << 20;

export function looseObjectPath(gitdir: string, oid: string): string {
  return path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
}

export class CorruptObject extends Error {}

function corrupt(oid: string, why: string, cause?: unknown): SavepointError {
  return new SavepointError(
    'E_OBJECT_CORRUPT',
    `Stored object ${oid} is corrupt (${why}). Run \`savepoint verify\` to see which versions are affected; restore them from a remote or archive if one has them.`,
    { oid, reason: why },
    cause === undefined ? undefined : { cause },
  );
}

function missing(oid: string): SavepointError {
  return new SavepointError(
    'E_OBJECT_MISSING',
    `Stored object ${oid} is missing from the vault. Fetch it from a remote (\`savepoint fetch\`) or restore it from an archive.`,
    { oid },
  );
}

// ---------------------------------------------------------------- pack discovery

export interface PackHandle {
  packPath: string;
  idxPath: string;
  idx: PackIndex;
  packSize: number;
  /** the pack file's mtime when the handle was made (part of the delta-base cache key) */
  packMtimeMs?: number;
}

const idxCache = new Map<string, { mtimeMs: number; size: number; pack: PackHandle }>();

/** All packs of a repository (parsed indexes are cached by path, mtime and size). */
export async function listPacks(gitdir: string): Promise<PackHandle[]> {
  const dir = path.join(gitdir, 'objects', 'pack');
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const packs: PackHandle[] = [];
  for (const name of names.sort()) {
    if (!name.startsWith('pack-') || !name.endsWith('.idx')) continue;
    const idxPath = path.join(dir, name);
    const packPath = idxPath.slice(0, -4) + '.pack';
    let st: import('node:fs').Stats;
    let pst: import('node:fs').Stats;
    try {
      st = await fsp.stat(idxPath);
      pst = await fsp.stat(packPath);
    } catch {
      continue; // an idx without its pack (or mid-rename): not usable
    }
    const cached = idxCache.get(idxPath);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size && cached.pack.packSize === pst.size && cached.pack.packMtimeMs === pst.mtimeMs) {
      packs.push(cached.pack);
      continue;
    }
    const buf = await fsp.readFile(idxPath);
    const sum = createHash('sha1').update(buf.subarray(0, buf.length - 20)).digest();
    if (buf.length < 20 || !sum.equals(buf.subarray(buf.length - 20))) {
      throw new SavepointError('E_OBJECT_CORRUPT', `The pack index ${name} is corrupt (checksum mismatch). Run \`savepoint verify\`; \`git index-pack\` can rebuild it from its pack.`, { file: idxPath });
    }
    let idx: PackIndex;
    try {
      idx = parsePackIndex(buf);
    } catch (e) {
      throw new SavepointError('E_OBJECT_CORRUPT', `The pack index ${name} is corrupt (${(e as Error).message}).`, { file: idxPath }, { cause: e });
    }
    const pack: PackHandle = { packPath, idxPath, idx, packSize: pst.size, packMtimeMs: pst.mtimeMs };
    idxCache.set(idxPath, { mtimeMs: st.mtimeMs, size: st.size, pack });
    packs.push(pack);
  }
  return packs;
}

export type ObjectLocation = { kind: 'loose'; path: string } | { kind: 'packed'; pack: PackHandle; offset: number };

async function fileExists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

export async function locateObject(gitdir: string, oid: string): Promise<ObjectLocation | null> {
  const loose = looseObjectPath(gitdir, oid);
  if (await fileExists(loose)) return { kind: 'loose', path: loose };
  for (const pack of await listPacks(gitdir)) {
    const offset = pack.idx.find(oid);
    if (offset >= 0) return { kind: 'packed', pack, offset };
  }
  return null;
}

/**
 * Every stored copy of an object, in the order reads try them: the loose file, then each pack holding it.
 * Copies are duplicated legitimately (a save re-writes a loose object that a pack also holds, compact
 * packs it again), and like git we fall back to the next copy when one is damaged.
 */
export async function locateAll(gitdir: string, oid: string): Promise<ObjectLocation[]> {
  const out: ObjectLocation[] = [];
  const loose = looseObjectPath(gitdir, oid);
  if (await fileExists(loose)) out.push({ kind: 'loose', path: loose });
  for (const pack of await listPacks(gitdir)) {
    const offset = pack.idx.find(oid);
    if (offset >= 0) out.push({ kind: 'packed', pack, offset });
  }
  return out;
}

export async function hasObject(gitdir: string, oid: string): Promise<boolean> {
  return (await locateObject(gitdir, oid)) !== null;
}

// ---------------------------------------------------------------- inflate helpers

/** Inflate a zlib stream from a file range, passing output chunks on. Returns the number of bytes produced. */
export async function inflateRange(file: string, start: number, end: number, onChunk: (c: Uint8Array) => void | Promise<void>, whole = false): Promise<number> {
  if (end <= start) throw new CorruptObject('entry has no compressed data');
  let total = 0;
  const inflate = zlib.createInflate({ chunkSize: READ_CHUNK });
  await pipeline(
    createReadStream(file, { start, end: end - 1, highWaterMark: READ_CHUNK }),
    inflate,
    async (source: AsyncIterable<Buffer>) => {
      for await (const c of source) {
        total += c.length;
        await onChunk(c);
      }
    },
  );
  // whole: the zlib stream must fill the range (zlib stops at its end and ignores what follows)
  if (whole && inflate.bytesWritten !== end - start) throw new CorruptObject(`${end - start - inflate.bytesWritten} bytes after the end of the zlib stream`);
  return total;
}

// ---------------------------------------------------------------- loose

/**
 * If a loose object's zlib stream consists only of stored deflate blocks (what our writer produces), return
 * the [start, end) file ranges of the raw content; otherwise null. Walks the block headers with small
 * positional reads (one per 64 KiB block), so the check costs almost nothing.
 */
function storedBlockRanges(fd: number, fileSize: number): { ranges: Array<[number, number]>; extra: number } | null {
  const hdr = Buffer.alloc(5);
  if (fileSize < 2 + 5 + 4 || readSync(fd, hdr, 0, 2, 0) !== 2) return null;
  if (!zlibHeaderOk(hdr[0]!, hdr[1]!)) return null;
  const ranges: Array<[number, number]> = [];
  let pos = 2;
  for (;;) {
    if (pos + 5 > fileSize - 4 || readSync(fd, hdr, 0, 5, pos) !== 5) return null;
    // null: a compressed block (not ours, zlib handles it) or a damaged header
    const block = storedBlockHeader(hdr);
    if (!block) return null;
    const { len } = block;
    pos += 5;
    if (pos + len > fileSize - 4) return null;
    if (len) ranges.push([pos, pos + len]);
    pos += len;
    if (block.final) break;
  }
  // extra: bytes after the Adler-32 (native inflate ignores them; git fsck and a full verify do not)
  return pos + 4 <= fileSize ? { ranges, extra: fileSize - pos - 4 } : null;
}

/**
 * WebAssembly SIMD Adler-32 instances of this thread that are not in use (adler32-simd.ts; each owns its
 * read buffers, so concurrent reads each take one). `null` once the runtime has shown it lacks SIMD.
 */
let simdIdle: Adler32Simd[] | null = [];
function takeSimd(): Adler32Simd | null {
  if (!simdIdle) return null;
  const s = simdIdle.pop() ?? createAdler32Simd();
  if (!s) simdIdle = null;
  return s;
}

/**
 * Read content ranges of a stored-block loose object in 1 MiB reads, checking Adler-32 unless told not to.
 * The Adler-32 runs in WebAssembly SIMD over the read buffers themselves (callers use the inflate path when
 * `takeSimd` has none); the JS adler32 remains the fallback. Exported for tests.
 */
export async function streamStoredRanges(file: string, fileSize: number, ranges: Array<[number, number]>, checkAdler: boolean, onChunk: (c: Uint8Array) => void | Promise<void>): Promise<void> {
  const simd = checkAdler ? takeSimd() : null;
  const fh = await fsp.open(file, 'r').catch((e: unknown) => {
    if (simd) simdIdle?.push(simd);
    throw e;
  });
  // the next read runs (on the libuv thread pool) while this one is hashed; awaited before the buffers go back
  let ahead: Promise<number> | undefined;
  try {
    const bufs = simd ? [simd.view.subarray(0, READ_CHUNK), simd.view.subarray(READ_CHUNK, 2 * READ_CHUNK)] : [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)];
    // Coalesce neighbouring ranges into reads of up to 1 MiB (headers are skipped when emitting): [first, last] range
    const groups: Array<[number, number]> = [];
    for (let i = 0; i < ranges.length; ) {
      let j = i;
      while (j + 1 < ranges.length && ranges[j + 1]![1] - ranges[i]![0] <= READ_CHUNK) j++;
      groups.push([i, j]);
      i = j + 1;
    }
    // One scatter read per group: the blocks' content lands contiguously in the buffer, the 5-byte block headers
    // between them (already checked by storedBlockRanges) in `gaps`; so each group is hashed in one piece.
    let gapMax = 0;
    for (const [i, j] of groups) gapMax = Math.max(gapMax, ranges[j]![1] - ranges[i]![0] - contentOf(i, j));
    const gaps = Buffer.allocUnsafe(Math.max(gapMax, 1));
    function contentOf(i: number, j: number): number {
      let n = 0;
      for (let k = i; k <= j; k++) n += ranges[k]![1] - ranges[k]![0];
      return n;
    }
    const readGroup = async (g: number): Promise<number> => {
      const buf = bufs[g & 1]!;
      const [i, j] = groups[g]!;
      const iov: Array<{ view: Buffer; at: number }> = [];
      let o = 0;
      let h = 0;
      for (let k = i; k <= j; k++) {
        const [s, e] = ranges[k]!;
        iov.push({ view: buf.subarray(o, o + e - s), at: s });
        o += e - s;
        if (k < j && ranges[k + 1]![0] > e) {
          const gap = ranges[k + 1]![0] - e;
          iov.push({ view: gaps.subarray(h, h + gap), at: e });
          h += gap;
        }
      }
      let { bytesRead } = await fh.readv(iov.map((x) => x.view), ranges[i]![0]);
      // a short read (end of a truncated file, a signal): finish piece by piece
      for (const { view, at } of iov) {
        if (bytesRead >= view.length) {
          bytesRead -= view.length;
          continue;
        }
        let got = bytesRead;
        bytesRead = 0;
        while (got < view.length) {
          const r = await fh.read(view, got, view.length - got, at + got);
          if (r.bytesRead === 0) throw new CorruptObject('object is truncated');
          got += r.bytesRead;
        }
      }
      return o;
    };
    let adler = 1;
    if (groups.length) ahead = readGroup(0);
    for (let g = 0; g < groups.length; g++) {
      const n = await ahead!;
      ahead = g + 1 < groups.length ? readGroup(g + 1) : undefined;
      // a failed read-ahead is thrown by the await above on the next step (or by finally), not left unhandled
      ahead?.catch(() => undefined);
      const bufAt = (g & 1) * READ_CHUNK; // where the buffer starts in simd.view
      const seg = bufs[g & 1]!.subarray(0, n);
      if (simd) adler = simd.adler32(bufAt, bufAt + n, adler);
      else if (checkAdler) adler = adler32(seg, adler);
      await onChunk(seg);
    }
    if (checkAdler) {
      const tail = Buffer.alloc(4);
      const { bytesRead } = await fh.read(tail, 0, 4, fileSize - 4);
      if (bytesRead !== 4) throw new CorruptObject('object is truncated');
      if (tail.readUInt32BE(0) !== adler >>> 0) throw new CorruptObject('Adler-32 checksum mismatch');
    }
  } finally {
    await ahead?.catch(() => undefined);
    if (simd) simdIdle?.push(simd);
    await fh.close();
  }
}

async function streamLoose(file: string, sink: ObjectSink, checkAdler = true): Promise<{ type: ObjectType; size: number }> {
  let head: Buffer | null = Buffer.alloc(0);
  let type: ObjectType | undefined;
  let size = -1;
  let seen = 0;
  let st: import('node:fs').Stats;
  try {
    st = await fsp.stat(file);
  } catch (e) {
    throw e;
  }
  // our stored-block objects are read by range (the Adler-32 in WebAssembly SIMD when wanted); anything else,
  // or no SIMD, goes through native zlib (on the libuv thread pool, beside the hashing here)
  let ranges: Array<[number, number]> | null = null;
  if (!checkAdler || simdIdle) {
    const fh = await fsp.open(file, 'r');
    try {
      const stored = storedBlockRanges(fh.fd, st.size);
      if (stored?.extra && checkAdler) throw new CorruptObject(`${stored.extra} bytes after the end of the zlib stream`);
      ranges = stored?.ranges ?? null;
    } finally {
      await fh.close();
    }
  }
  const feed = async (c: Uint8Array) => {
    let data: Uint8Array = c;
    if (head !== null) {
      const buf: Buffer = Buffer.concat([head, c]);
      const nul = buf.indexOf(0);
      if (nul < 0) {
        if (buf.length > 64) throw new CorruptObject('object header is unreadable');
        head = buf;
        return;
      }
      const m = /^(commit|tree|blob|tag) (\d+)$/.exec(buf.subarray(0, nul).toString('latin1'));
      if (!m) throw new CorruptObject('object header is unreadable');
      type = m[1] as ObjectType;
      size = Number(m[2]);
      head = null;
      sink.header(type, size);
      data = buf.subarray(nul + 1);
    }
    seen += data.length;
    if (seen > size) throw new CorruptObject(`object is longer than its header says (${size} bytes)`);
    if (data.length) await sink.chunk(data);
  };
  if (ranges && checkAdler && !simdIdle) ranges = null;
  if (ranges) await streamStoredRanges(file, st.size, ranges, checkAdler, feed);
  else await inflateRange(file, 0, st.size, feed, checkAdler);
  if (!type || seen !== size) throw new CorruptObject(`object is truncated (${seen} of ${size} bytes)`);
  return { type, size };
}

// ---------------------------------------------------------------- packed

export interface EntryHeader {
  typeCode: number;
  size: number;
  dataStart: number;
  end: number;
  baseOffset?: number;
  baseOid?: string;
}

export async function readEntryHeader(fh: FileHandle, pack: PackHandle, offset: number): Promise<EntryHeader> {
  if (offset < 12 || offset >= pack.packSize - 20) throw new CorruptObject(`entry offset ${offset} is outside the pack`);
  const end = pack.idx.entryEnd(offset, pack.packSize);
  const want = Math.min(64, end - offset);
  const buf = Buffer.alloc(want);
  const { bytesRead } = await fh.read(buf, 0, want, offset);
  if (bytesRead < want) throw new CorruptObject('pack is truncated');
  return parseEntryHeader(buf, offset, end);
}

/** Parse a pack entry header from `buf` (the entry's first bytes, read at pack position `offset`). */
export function parseEntryHeader(buf: Uint8Array, offset: number, end: number): EntryHeader {
  const want = Math.min(buf.length, end - offset);
  let p = 0;
  if (want < 1) throw new CorruptObject('entry header is corrupt');
  let c = buf[p++]!;
  const typeCode = (c >> 4) & 7;
  let size = c & 15;
  let shift = 16;
  while (c & 0x80) {
    if (p >= want) throw new CorruptObject('entry header is corrupt');
    c = buf[p++]!;
    size += (c & 0x7f) * shift;
    shift *= 128;
  }
  const h: EntryHeader = { typeCode, size, dataStart: 0, end };
  if (typeCode === OFS_DELTA) {
    if (p >= want) throw new CorruptObject('entry header is corrupt');
    c = buf[p++]!;
    let rel = c & 0x7f;
    while (c & 0x80) {
      if (p >= want) throw new CorruptObject('entry header is corrupt');
      c = buf[p++]!;
      rel = (rel + 1) * 128 + (c & 0x7f);
    }
    h.baseOffset = offset - rel;
    if (h.baseOffset < 12 || h.baseOffset >= offset) throw new CorruptObject('delta base offset is out of range');
  } else if (typeCode === REF_DELTA) {
    if (p + 20 > want) throw new CorruptObject('entry header is corrupt');
    h.baseOid = Buffer.from(buf.subarray(p, p + 20)).toString('hex');
    p += 20;
  } else if (!TYPE_BY_CODE[typeCode]) {
    throw new CorruptObject(`entry has unknown type ${typeCode}`);
  }
  h.dataStart = offset + p;
  return h;
}

// ---------------------------------------------------------------- small entries and the delta-base cache

/**
 * Entries whose inflated size is at most this (and whose delta result is at most SMALL_RESULT) are read
 * whole with one positional read and a synchronous inflate instead of a zlib stream: trees, commits, notes
 * and small files, which are most objects by count.
 */
export const SMALL_ENTRY = 1 << 20;
const SMALL_RESULT = 8 << 20;

/**
 * Delta-base cache: recently resolved small pack entries by (pack, offset), least recently used dropped
 * first, bounded by bytes (like git's core.deltaBaseCacheLimit). A deep delta chain is then resolved once
 * instead of once per object read from it.
 */
export class DeltaBaseCache {
  private map = new Map<string, { type: ObjectType; data: Buffer }>();
  private bytes = 0;
  hits = 0;
  misses = 0;
  constructor(readonly limitBytes: number) {}
  static key(pack: PackHandle, offset: number): string {
    return `${pack.packPath}\0${pack.packMtimeMs ?? 0}\0${pack.packSize}\0${offset}`;
  }
  get(pack: PackHandle, offset: number): { type: ObjectType; data: Buffer } | undefined {
    const k = DeltaBaseCache.key(pack, offset);
    const v = this.map.get(k);
    if (v) {
      this.map.delete(k);
      this.map.set(k, v);
      this.hits++;
    } else this.misses++;
    return v;
  }
  set(pack: PackHandle, offset: number, v: { type: ObjectType; data: Buffer }): void {
    if (v.data.length > this.limitBytes / 4) return;
    const k = DeltaBaseCache.key(pack, offset);
    const old = this.map.get(k);
    if (old) {
      this.bytes -= old.data.length;
      this.map.delete(k);
    }
    this.map.set(k, v);
    this.bytes += v.data.length;
    for (const [key, e] of this.map) {
      if (this.bytes <= this.limitBytes) break;
      this.map.delete(key);
      this.bytes -= e.data.length;
    }
  }
  get size(): number {
    return this.bytes;
  }
  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}

/** Process-wide cache of small resolved entries (64 MiB). */
export const deltaBaseCache = new DeltaBaseCache(64 << 20);

/** The result size a delta declares in its header (CorruptObject when the header is unreadable). */
export function deltaResultSize(delta: Uint8Array): number {
  try {
    return readDeltaHeader(delta).resultSize;
  } catch (e) {
    if (e instanceof DeltaError) throw new CorruptObject(e.message);
    throw e;
  }
}

/**
 * Resolve a pack entry whole in memory when it (and every delta base down its chain inside this pack) is
 * small: walks the chain down to a cached or whole entry, then applies the deltas upwards, caching each
 * result. Returns null when something on the chain is large or lives outside this pack (the streaming path
 * handles those). Throws CorruptObject/zlib errors on damage.
 */
export function readSmallPacked(pack: PackHandle, offset: number, limit: number, resultLimit = SMALL_RESULT, cache: DeltaBaseCache = deltaBaseCache): { type: ObjectType; data: Buffer } | null {
  const hit = cache.get(pack, offset);
  if (hit) return hit;
  if (offset < 12 || offset >= pack.packSize - 20) throw new CorruptObject(`entry offset ${offset} is outside the pack`);
  const fd = openSync(pack.packPath, 'r');
  try {
    const chain: Array<{ offset: number; delta: Buffer }> = [];
    let at = offset;
    let base: { type: ObjectType; data: Buffer } | undefined;
    for (;;) {
      if (chain.length > 10_000) throw new CorruptObject('delta chain is too deep (cycle?)');
      if (at < 12 || at >= pack.packSize - 20) throw new CorruptObject(`entry offset ${at} is outside the pack`);
      const end = pack.idx.entryEnd(at, pack.packSize);
      const len = end - at;
      // compressed data is at most a little larger than its content (plus the header)
      if (len > limit + (limit >> 4) + 128) return null;
      const raw = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = readSync(fd, raw, got, len - got, at + got);
        if (n === 0) throw new CorruptObject('pack is truncated');
        got += n;
      }
      const h = parseEntryHeader(raw, at, end);
      if (h.size > limit) return null;
      if (h.dataStart >= end) throw new CorruptObject('entry has no compressed data');
      const data = zlib.inflateSync(raw.subarray(h.dataStart - at), { maxOutputLength: Math.max(h.size, 1) });
      if (data.length !== h.size) throw new CorruptObject(`packed object has ${data.length} bytes, its header says ${h.size}`);
      const type = TYPE_BY_CODE[h.typeCode];
      if (type) {
        base = { type, data };
        cache.set(pack, at, base);
        break;
      }
      if (deltaResultSize(data) > resultLimit) return null;
      chain.push({ offset: at, delta: data });
      const next = h.baseOffset ?? pack.idx.find(h.baseOid!);
      if (next < 0) return null; // a ref-delta base in another pack or loose: the streaming path looks it up
      const cached = cache.get(pack, next);
      if (cached) {
        base = cached;
        break;
      }
      at = next;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const out = applyDelta(base.data, chain[i]!.delta);
      base = { type: base.type, data: Buffer.from(out.buffer, out.byteOffset, out.length) };
      cache.set(pack, chain[i]!.offset, base);
    }
    return base;
  } finally {
    closeSync(fd);
  }
}

export interface ReadContext {
  gitdir: string;
  /** directory for temp files holding large delta bases */
  tmpDir: string;
  memoryBaseLimit: number;
}

/** Deltas of one chain composed in memory up to this many inflated bytes, and this many pieces. */
const CHAIN_DELTA_BYTES = 64 << 20;
const CHAIN_MAX_PIECES = 1 << 20;

/**
 * Stream a delta entry whose chain (inside this pack) is at least two deltas deep by composing the chain's
 * deltas (delta-chain.ts) and reading only the bottom object as a base. Returns null, having emitted nothing,
 * when the chain does not qualify (a base outside the pack, deltas too large, too fragmented) or shows damage
 * while being prepared: the level-by-level path then reads it (and falls back to other copies on damage).
 */
async function streamChain(ctx: ReadContext, pack: PackHandle, top: EntryHeader, sink: ObjectSink, depth: number): Promise<{ type: ObjectType; size: number } | null> {
  let base: MaterializedBase;
  let pieces: Pieces;
  let bufs: Buffer[];
  let type: ObjectType;
  try {
    const deltas: EntryHeader[] = [top];
    let total = top.size;
    let bottom = -1;
    let bottomType: ObjectType | undefined;
    const fh = await fsp.open(pack.packPath, 'r');
    try {
      let h = top;
      for (;;) {
        const next = h.baseOffset ?? pack.idx.find(h.baseOid!);
        if (next < 0 || deltas.length > 10_000) return null;
        const nh = await readEntryHeader(fh, pack, next);
        bottomType = TYPE_BY_CODE[nh.typeCode];
        if (bottomType) {
          bottom = next;
          break;
        }
        deltas.push(nh);
        total += nh.size;
        if (total > CHAIN_DELTA_BYTES) return null;
        h = nh;
      }
      if (deltas.length < 2) return null;
      bufs = [];
      for (const d of deltas) {
        const raw = Buffer.allocUnsafe(d.end - d.dataStart);
        let got = 0;
        while (got < raw.length) {
          const { bytesRead } = await fh.read(raw, got, raw.length - got, d.dataStart + got);
          if (bytesRead === 0) throw new CorruptObject('pack is truncated');
          got += bytesRead;
        }
        const inflated = zlib.inflateSync(raw, { maxOutputLength: Math.max(d.size, 1) });
        if (inflated.length !== d.size) throw new CorruptObject(`delta has ${inflated.length} bytes, its header says ${d.size}`);
        bufs.push(inflated);
      }
    } finally {
      await fh.close();
    }
    let composed: Pieces | null = deltaPieces(bufs[0]!, 0);
    for (let i = 1; i < bufs.length && composed; i++) composed = composePieces(composed, deltaPieces(bufs[i]!, i), CHAIN_MAX_PIECES);
    if (!composed) return null;
    pieces = composed;
    type = bottomType!;
    const small = trySmall(ctx, pack, bottom);
    base = small
      ? { type: small.type, reader: memoryBase(small.data), close: async () => undefined }
      : await materialize(ctx, (s) => streamPacked(ctx, pack, bottom, s, depth + 1));
    if (base.reader.size !== pieces.baseSize) {
      await base.close();
      throw new DeltaError(`delta expects a base of ${pieces.baseSize} bytes, got ${base.reader.size}`);
    }
  } catch (e) {
    if (isDamage(e)) return null;
    throw e;
  }
  try {
    sink.header(type, pieces.size);
    const PART = 256 << 10; // served from a file base's read-ahead windows (no fresh buffer per read)
    for (let i = 0; i < pieces.start.length; i++) {
      const len = pieces.len[i]!;
      const off = pieces.off[i]!;
      if (pieces.src[i] === -1) {
        await sink.chunk(bufs[pieces.lit[i]!]!.subarray(off, off + len));
        continue;
      }
      for (let d = 0; d < len; d += PART) {
        const n = Math.min(PART, len - d);
        await sink.chunk(await base.reader.read(off + d, n));
      }
    }
    return { type, size: pieces.size };
  } finally {
    await base.close();
  }
}

/** The small-entry path when it applies; null (the streaming path decides) when not or on any damage. */
function trySmall(ctx: ReadContext, pack: PackHandle, offset: number): { type: ObjectType; data: Buffer } | null {
  const limit = Math.min(SMALL_ENTRY, ctx.memoryBaseLimit);
  if (limit <= 0) return null;
  try {
    return readSmallPacked(pack, offset, limit, Math.min(SMALL_RESULT, ctx.memoryBaseLimit));
  } catch {
    // damage (or an I/O error): the streaming path reads it again and reports it, falling back to other copies
    return null;
  }
}

async function streamPacked(ctx: ReadContext, pack: PackHandle, offset: number, sink: ObjectSink, depth: number): Promise<{ type: ObjectType; size: number }> {
  if (depth > 10_000) throw new CorruptObject('delta chain is too deep (cycle?)');
  const small = trySmall(ctx, pack, offset);
  if (small) {
    sink.header(small.type, small.data.length);
    if (small.data.length) await sink.chunk(small.data);
    return { type: small.type, size: small.data.length };
  }
  const fh = await fsp.open(pack.packPath, 'r');
  let h: EntryHeader;
  try {
    h = await readEntryHeader(fh, pack, offset);
  } finally {
    await fh.close();
  }
  const type = TYPE_BY_CODE[h.typeCode];
  if (type) {
    sink.header(type, h.size);
    const n = await inflateRange(pack.packPath, h.dataStart, h.end, (c) => sink.chunk(c));
    if (n !== h.size) throw new CorruptObject(`packed object has ${n} bytes, its header says ${h.size}`);
    return { type, size: h.size };
  }
  // A chain of deltas over a large object: compose the deltas and materialise only the bottom object.
  const chained = await streamChain(ctx, pack, h, sink, depth);
  if (chained) return chained;
  // Delta: resolve the base first.
  let base: MaterializedBase;
  const baseOffset = h.baseOffset ?? (h.baseOid !== undefined ? pack.idx.find(h.baseOid) : -1);
  const smallBase = baseOffset >= 0 ? trySmall(ctx, pack, baseOffset) : null;
  if (smallBase) {
    base = { type: smallBase.type, reader: memoryBase(smallBase.data), close: async () => undefined };
  } else if (baseOffset >= 0) {
    try {
      base = await materialize(ctx, (s) => streamPacked(ctx, pack, baseOffset, s, depth + 1));
    } catch (e) {
      // Like git: a damaged base in this pack may have a good copy elsewhere (loose, another pack).
      const baseOid = h.baseOid ?? oidAtOffset(pack, baseOffset);
      if (!isDamage(e) || !baseOid) throw e;
      try {
        base = await materializeByOid(ctx, baseOid, depth + 1, { pack, offset: baseOffset });
      } catch {
        throw e;
      }
    }
  } else {
    base = await materializeByOid(ctx, h.baseOid!, depth + 1);
  }
  try {
    let announced = false;
    const interp = new DeltaInterpreter(base.reader, async (c) => {
      if (!announced) {
        sink.header(base.type, interp.resultSize);
        announced = true;
      }
      await sink.chunk(c);
    });
    const n = await inflateRange(pack.packPath, h.dataStart, h.end, (c) => interp.push(c));
    if (n !== h.size) throw new CorruptObject(`delta has ${n} bytes, its header says ${h.size}`);
    interp.finish();
    if (!announced) sink.header(base.type, interp.resultSize);
    return { type: base.type, size: interp.resultSize };
  } finally {
    await base.close();
  }
}

interface MaterializedBase {
  type: ObjectType;
  reader: BaseReader;
  close(): Promise<void>;
}

/** Stream an object into memory (small) or a temp file (large) so a delta can read it by position. */
async function materialize(ctx: ReadContext, produce: (sink: ObjectSink) => Promise<{ type: ObjectType; size: number }>): Promise<MaterializedBase> {
  let mem: Buffer | null = null;
  let memAt = 0;
  let tmp: string | null = null;
  let out: FileHandle | null = null;
  let pendingOpen: Promise<void> | null = null;
  let writer: BufferedFileWriter | null = null;
  try {
    const { type, size } = await produce({
      header(_t, size) {
        if (size <= ctx.memoryBaseLimit) mem = Buffer.allocUnsafe(size);
        else {
          tmp = tempPath(ctx.tmpDir, 'tmp_base');
          pendingOpen = fsp
            .mkdir(ctx.tmpDir, { recursive: true })
            .then(async () => {
              out = await fsp.open(tmp!, 'wx', 0o600);
            })
            .catch(async (e: unknown) => {
              // a vault on read-only media: large delta bases go to the system temp folder instead
              if (!isReadOnlyErrno(e) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
              tmp = tempPath(os.tmpdir(), 'savepoint_tmp_base');
              out = await fsp.open(tmp, 'wx', 0o600);
            });
          // awaited at the first chunk; until then a failure must not count as an unhandled rejection
          pendingOpen.catch(() => undefined);
        }
      },
      async chunk(c) {
        if (mem) {
          if (memAt + c.length > mem.length) throw new CorruptObject('delta base is longer than its header says');
          mem.set(c, memAt);
          memAt += c.length;
        } else {
          if (pendingOpen) {
            await pendingOpen;
            pendingOpen = null;
          }
          if (!writer) writer = new BufferedFileWriter(out!);
          await writer.write(c);
        }
      },
    });
    if (pendingOpen) await pendingOpen;
    await (writer as BufferedFileWriter | null)?.flush();
    if (mem) {
      const buf: Buffer = mem;
      return { type, reader: memoryBase(buf), close: async () => undefined };
    }
    await (out as FileHandle | null)?.close();
    out = null;
    const fb = await fileBase(tmp!, size, true);
    tmp = null;
    return { type, reader: fb, close: () => fb.close() };
  } catch (e) {
    if (pendingOpen) await (pendingOpen as Promise<void>).catch(() => undefined);
    await (out as FileHandle | null)?.close().catch(() => undefined);
    if (tmp) await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

function isDamage(e: unknown): boolean {
  const w = wrapErrors('', e);
  return w instanceof SavepointError && w.code === 'E_OBJECT_CORRUPT';
}

/** The id of the entry at `offset` (a linear scan of the index: only used on the damaged-base path). */
function oidAtOffset(pack: PackHandle, offset: number): string | undefined {
  for (let i = 0; i < pack.idx.count; i++) if (pack.idx.offsetAt(i) === offset) return pack.idx.oidAt(i);
  return undefined;
}

/** A delta base looked up by id: each stored copy in turn (except `skip`), the first readable one wins. */
async function materializeByOid(ctx: ReadContext, oid: string, depth: number, skip?: { pack: PackHandle; offset: number }): Promise<MaterializedBase> {
  const locations = (await locateAll(ctx.gitdir, oid)).filter((l) => !(skip && l.kind === 'packed' && l.pack.packPath === skip.pack.packPath && l.offset === skip.offset));
  if (locations.length === 0) throw missing(oid);
  let firstError: unknown;
  for (const loc of locations) {
    try {
      const sha1 = createHash('sha1');
      const base = await materialize(ctx, async (s) => {
        const r = await (loc.kind === 'loose'
          ? streamLoose(loc.path, { header: (t, n) => (sha1.update(`${t} ${n}\0`), s.header(t, n)), chunk: (c) => (sha1.update(c), s.chunk(c)) })
          : streamPacked(ctx, loc.pack, loc.offset, { header: (t, n) => (sha1.update(`${t} ${n}\0`), s.header(t, n)), chunk: (c) => (sha1.update(c), s.chunk(c)) }, depth));
        if (sha1.digest('hex') !== oid) throw new CorruptObject(`delta base ${oid} does not hash to its id`);
        return r;
      });
      return base;
    } catch (e) {
      firstError ??= e;
      if (!isDamage(e)) throw e;
    }
  }
  throw firstError;
}

export interface StreamObjectOptions {
  /** Check that the content hashes to `oid` (default true). */
  verifyOid?: boolean;
  /**
   * Skip the Adler-32 of stored-block loose objects. Only honoured while verifyOid is on: the SHA-1 over the
   * same content then proves it, and the read is ~30% cheaper. Verify keeps it, to report a damaged file.
   */
  skipZlibChecksum?: boolean;
  /**
   * The caller checks the content against a collision-resistant hash it already knows (verify --quick: the
   * recorded sha256), so skipZlibChecksum is honoured with verifyOid off too.
   */
  contentCheckedByCaller?: boolean;
  /** Where temp files for large delta bases go (default `<gitdir>/objects/tmp-savepoint`). */
  tmpDir?: string;
  /** Read from this location instead of looking the object up. */
  location?: ObjectLocation;
  /** Delta bases up to this size stay in memory, larger ones go to a temp file (default 32 MiB). */
  memoryBaseLimit?: number;
  /** Told about each damaged copy that was skipped for another one (verify reports them: the damage is real). */
  onDamagedCopy?: (copy: DamagedCopy) => void;
}

export interface DamagedCopy {
  oid: string;
  /** the loose object file, or `<pack file>@<offset>` */
  location: string;
  message: string;
}

function describeLocation(loc: ObjectLocation): string {
  return loc.kind === 'loose' ? loc.path : `${loc.pack.packPath}@${loc.offset}`;
}

function wrapErrors(oid: string, e: unknown): unknown {
  if (e instanceof SavepointError) return e;
  if (e instanceof CorruptObject || e instanceof DeltaError || e instanceof PackIndexError) return corrupt(oid, e.message, e);
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && (err.code.startsWith('Z_') || err.code === 'ERR_ZLIB_INITIALIZATION_FAILED')) return corrupt(oid, `zlib: ${err.message}`, e);
  return e;
}

/**
 * Stream one object's content to `sink`, wherever it is stored. Verifies the git object id unless told not to.
 * Throws E_OBJECT_MISSING or E_OBJECT_CORRUPT (SavepointError); I/O errors from the sink pass through.
 */
export async function streamObject(gitdir: string, oid: string, sink: ObjectSink, opts: StreamObjectOptions = {}): Promise<{ type: ObjectType; size: number }> {
  const ctx: ReadContext = {
    gitdir,
    tmpDir: opts.tmpDir ?? path.join(gitdir, 'objects', 'tmp-savepoint'),
    memoryBaseLimit: opts.memoryBaseLimit ?? MEMORY_BASE_LIMIT,
  };
  const verify = opts.verifyOid !== false;
  let locations: ObjectLocation[];
  try {
    locations = opts.location ? [opts.location] : await locateAll(gitdir, oid);
  } catch (e) {
    throw wrapErrors(oid, e);
  }
  if (locations.length === 0) throw missing(oid);
  let firstError: unknown;
  for (let i = 0; i < locations.length; i++) {
    const loc = locations[i]!;
    const sha1 = verify ? createHash('sha1') : null;
    let declared = -1;
    let seen = 0;
    let emitted = false;
    const inner: ObjectSink = {
      header(type, size) {
        declared = size;
        sha1?.update(`${type} ${size}\0`);
        sink.header(type, size);
      },
      chunk(c) {
        seen += c.length;
        emitted = true;
        sha1?.update(c);
        return sink.chunk(c);
      },
    };
    try {
      const res = loc.kind === 'loose' ? await streamLoose(loc.path, inner, !(opts.skipZlibChecksum && (verify || opts.contentCheckedByCaller))) : await streamPacked(ctx, loc.pack, loc.offset, inner, 0);
      if (seen !== declared) throw new CorruptObject(`object has ${seen} bytes, expected ${declared}`);
      if (sha1) {
        const got = sha1.digest('hex');
        if (got !== oid) throw new CorruptObject(`content hashes to ${got}`);
      }
      return res;
    } catch (e) {
      const err = wrapErrors(oid, e);
      firstError ??= err;
      const damaged = err instanceof SavepointError && err.code === 'E_OBJECT_CORRUPT';
      // only a damaged copy is worth replacing by another; I/O errors (disk full, a closed pipe) end the read
      if (!damaged) throw err;
      if (i + 1 >= locations.length || (emitted && !sink.reset)) throw firstError;
      opts.onDamagedCopy?.({ oid, location: describeLocation(loc), message: (err as SavepointError).message });
      if (emitted) await sink.reset!();
    }
  }
  throw firstError;
}

/** Read a small object whole (trees, commits, notes). Do not use for data blobs. */
export async function readObjectBuffer(gitdir: string, oid: string, opts: StreamObjectOptions = {}): Promise<{ type: ObjectType; data: Buffer }> {
  const parts: Buffer[] = [];
  const { type } = await streamObject(gitdir, oid, { header() {}, chunk: (c) => void parts.push(Buffer.from(c)) }, opts);
  return { type, data: Buffer.concat(parts) };
}
