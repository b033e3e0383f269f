/**
 * Git delta format (pack object types OFS_DELTA / REF_DELTA): a varint base size, a varint result
 * size, then copy (`1xxxxxxx` + offset/size bytes) and insert (`0nnnnnnn` + n bytes) instructions.
 *
 * - `applyDelta` / `DeltaInterpreter` decode (the interpreter streams: instructions arrive in chunks,
 *   copies read the base by position, so neither the delta nor the base needs to be in memory).
 * - `DeltaEncoder` produces deltas with rolling-hash block matching in the spirit of git's diff-delta:
 *   the base is indexed at 16-byte block boundaries, the target is scanned with a rolling hash, matches are
 *   verified and extended forwards and backwards. The base is held only as a sliding window, so memory is
 *   bounded whatever the object size.
 */

export class DeltaError extends Error {}

/** Random access to delta base content. */
export interface BaseReader {
  readonly size: number;
  /** Return exactly `length` bytes at `offset` (may be a view valid until the next call). */
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
}

export function memoryBase(buf: Uint8Array): BaseReader {
  return { size: buf.length, read: (o, l) => buf.subarray(o, o + l) };
}

/** Read one delta header varint at `pos.p`, advancing it. */
export function readDeltaVarint(buf: Uint8Array, pos: { p: number }): number {
  let result = 0;
  let shift = 1;
  for (;;) {
    if (pos.p >= buf.length) throw new DeltaError('delta header is truncated');
    const c = buf[pos.p++]!;
    result += (c & 0x7f) * shift;
    shift *= 128;
    if (!(c & 0x80)) return result;
    if (shift > 2 ** 56) throw new DeltaError('delta header size is too large');
  }
}

/** A delta's header: the base size, the result size, and the offset of its first instruction. */
export interface DeltaHeader {
  baseSize: number;
  resultSize: number;
  start: number;
}

/** Parse the two size varints at the start of a delta (throws DeltaError when truncated or oversized). */
export function readDeltaHeader(delta: Uint8Array): DeltaHeader {
  const pos = { p: 0 };
  const baseSize = readDeltaVarint(delta, pos);
  const resultSize = readDeltaVarint(delta, pos);
  return { baseSize, resultSize, start: pos.p };
}

/** A decoded copy instruction: base offset, length, and the offset just past its argument bytes. */
export interface DeltaCopy {
  off: number;
  size: number;
  next: number;
}

/**
 * Decode the argument bytes of copy instruction `op` (high bit set) that start at `p` into `out` (reused by
 * callers on hot paths, so no allocation per instruction). Throws when the arguments run past `delta`.
 */
export function readDeltaCopy(delta: Uint8Array, p: number, op: number, out: DeltaCopy): DeltaCopy {
  let off = 0;
  let size = 0;
  if (op & 0x01) off |= delta[p++]!;
  if (op & 0x02) off |= delta[p++]! << 8;
  if (op & 0x04) off |= delta[p++]! << 16;
  if (op & 0x08) off = (off >>> 0) + delta[p++]! * 2 ** 24;
  if (op & 0x10) size |= delta[p++]!;
  if (op & 0x20) size |= delta[p++]! << 8;
  if (op & 0x40) size |= delta[p++]! << 16;
  if (p > delta.length) throw new DeltaError('delta copy instruction is truncated');
  if (size === 0) size = 0x10000;
  out.off = off >>> 0;
  out.size = size;
  out.next = p;
  return out;
}

/**
 * Walk the instructions of a delta held whole (after its header `h`), checking each against the base and
 * result sizes: `copy(off, n, o)` for n base bytes at `off`, `insert(at, n, o)` for n literal bytes at
 * `delta[at]`, each landing at result offset `o`. Throws DeltaError on a malformed delta.
 */
export function walkDelta(
  delta: Uint8Array,
  h: DeltaHeader,
  copy: (off: number, n: number, o: number) => void,
  insert: (at: number, n: number, o: number) => void,
): void {
  const { baseSize, resultSize } = h;
  const c: DeltaCopy = { off: 0, size: 0, next: 0 };
  let o = 0;
  let p = h.start;
  while (p < delta.length) {
    const op = delta[p++]!;
    if (op & 0x80) {
      const { off, size } = readDeltaCopy(delta, p, op, c);
      p = c.next;
      if (off + size > baseSize || o + size > resultSize) throw new DeltaError('delta copy is out of range');
      copy(off, size, o);
      o += size;
    } else if (op !== 0) {
      if (p + op > delta.length || o + op > resultSize) throw new DeltaError('delta insert is out of range');
      insert(p, op, o);
      p += op;
      o += op;
    } else {
      throw new DeltaError('delta contains the reserved opcode 0');
    }
  }
  if (o !== resultSize) throw new DeltaError(`delta produced ${o} bytes, expected ${resultSize}`);
}

/** Decode a whole in-memory delta against an in-memory base. */
export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  const h = readDeltaHeader(delta);
  if (h.baseSize !== base.length) throw new DeltaError(`delta expects a base of ${h.baseSize} bytes, got ${base.length}`);
  const out = new Uint8Array(h.resultSize);
  walkDelta(
    delta,
    h,
    (off, n, o) => out.set(base.subarray(off, off + n), o),
    (at, n, o) => out.set(delta.subarray(at, at + n), o),
  );
  return out;
}

/**
 * Streaming delta decoder: feed the (inflated) delta in arbitrary chunks; result bytes are passed to
 * `emit` in order. Copy instructions read the base through `BaseReader` in pieces of at most `copyChunk`.
 */
export class DeltaInterpreter {
  baseSize = -1;
  resultSize = -1;
  private produced = 0;
  private pending: Uint8Array = new Uint8Array(0);
  private insertLeft = 0;
  private readonly copy: DeltaCopy = { off: 0, size: 0, next: 0 };
  constructor(
    private readonly base: BaseReader,
    private readonly emit: (chunk: Uint8Array) => void | Promise<void>,
    private readonly copyChunk = 1 << 20,
  ) {}

  async push(chunk: Uint8Array): Promise<void> {
    let buf = chunk;
    let p = 0;
    if (this.pending.length) {
      const merged = new Uint8Array(this.pending.length + chunk.length);
      merged.set(this.pending, 0);
      merged.set(chunk, this.pending.length);
      buf = merged;
      this.pending = new Uint8Array(0);
    }
    const n = buf.length;
    if (this.resultSize < 0) {
      const pos = { p: 0 };
      try {
        this.baseSize = readDeltaVarint(buf, pos);
        this.resultSize = readDeltaVarint(buf, pos);
      } catch {
        if (n > 32) throw new DeltaError('delta header is corrupt');
        this.pending = buf.slice();
        return;
      }
      if (this.baseSize !== this.base.size) throw new DeltaError(`delta expects a base of ${this.baseSize} bytes, got ${this.base.size}`);
      p = pos.p;
    }
    while (p < n) {
      if (this.insertLeft > 0) {
        const take = Math.min(this.insertLeft, n - p);
        await this.out(buf.subarray(p, p + take));
        p += take;
        this.insertLeft -= take;
        continue;
      }
      const op = buf[p]!;
      if (op & 0x80) {
        let need = 1;
        for (let bit = 0; bit < 7; bit++) if (op & (1 << bit)) need++;
        if (p + need > n) break;
        readDeltaCopy(buf, p + 1, op, this.copy);
        p = this.copy.next;
        let { off, size } = this.copy;
        if (off + size > this.base.size) throw new DeltaError('delta copy is out of range of its base');
        while (size > 0) {
          const take = Math.min(size, this.copyChunk);
          await this.out(await this.base.read(off, take));
          off += take;
          size -= take;
        }
      } else if (op !== 0) {
        p++;
        this.insertLeft = op;
      } else {
        throw new DeltaError('delta contains the reserved opcode 0');
      }
    }
    if (p < n) this.pending = buf.slice(p);
  }

  private async out(chunk: Uint8Array): Promise<void> {
    if (this.produced + chunk.length > this.resultSize) throw new DeltaError('delta produces more bytes than it declares');
    this.produced += chunk.length;
    await this.emit(chunk);
  }

  finish(): void {
    if (this.resultSize < 0) throw new DeltaError('delta is empty');
    if (this.pending.length || this.insertLeft) throw new DeltaError('delta ends in the middle of an instruction');
    if (this.produced !== this.resultSize) throw new DeltaError(`delta produced ${this.produced} bytes, expected ${this.resultSize}`);
  }
}

// ---------------------------------------------------------------- encoder

const BLOCK = 16;
export const SLOTS = 4;
/** Copies at least this long move the base window along (shorter ones may be chance matches far away). */
const ANCHOR = 64;
/** Minimum length of a copy far (> FAR bytes) from the expected base position. */
const MIN_FAR_COPY = 48;
const FAR = 1 << 16;
const MULT = 0x01000193; // FNV prime: odd, good bit spread under imul
/** MULT^16 mod 2^32, the weight of the byte leaving the rolling window. */
const MULT_OUT = (() => {
  let m = 1;
  for (let i = 0; i < BLOCK; i++) m = Math.imul(m, MULT);
  return m;
})();
const MAX_COPY = 0x10000;
const MAX_INSERT = 0x7f;
const MAX_BASE = 2 ** 32 - 1;
/** Base windows up to this size index every block; larger ones every other block (see ensureWindow). */
const INDEX_EVERY_BLOCK_UP_TO = 8 << 20;

function blockHash(buf: Uint8Array, at: number): number {
  let h = 0;
  for (let i = 0; i < BLOCK; i++) h = (Math.imul(h, MULT) + buf[at + i]!) | 0;
  return h;
}

function writeVarint(n: number, out: number[]): void {
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** The two size varints that start a delta. */
export function deltaHeader(baseSize: number, resultSize: number): Uint8Array {
  const out: number[] = [];
  writeVarint(baseSize, out);
  writeVarint(resultSize, out);
  return Uint8Array.from(out);
}

export interface DeltaEncoderOptions {
  /** Size of the base window held in memory (bytes; default 128 MiB); the whole base when it is smaller. */
  window?: number;
  /** Give up (return null from finish) once the delta exceeds this many bytes. */
  maxDeltaSize?: number;
  /**
   * A ready index of the whole base (indexBase): no window of its own is read or indexed. Several encoders
   * can share one (delta-parallel.ts: segments of one target on two threads).
   */
  index?: BlockIndex;
  /** Leave out the base/result size header (a segment of a delta whose header is written elsewhere). */
  headerless?: boolean;
}

/** A base held whole in memory, indexed at block boundaries (see DeltaEncoder.ensureWindow). */
export interface BlockIndex {
  win: Buffer;
  table: Int32Array;
  tableShift: number;
  /**
   * A table entry is `(tag << posBits) | (block + 1)`: the tag (hash bits below the bucket's) rejects most
   * candidates of a bucket without reading the base at their position (a cache miss each on a large base).
   */
  posBits: number;
  tagShift: number;
  tagMask: number;
}

/** Entries of the hash table for a window of `length` bytes. */
export function indexTableLength(length: number): number {
  const blocks = Math.floor(length / BLOCK);
  // Large windows index every other block: half the (cache-missing) table writes and half the table for
  // ~3% larger deltas on 100 MB CSV versions (a copy still starts at any 32-byte-aligned base block).
  const stride = length > INDEX_EVERY_BLOCK_UP_TO ? 2 : 1;
  // Large windows get about 4 slots for every 3 indexed blocks (small ones 8): some blocks fall out of full
  // buckets, which made deltas of 100 MB CSV versions 0.6–0.8% larger than with twice the table, for 16 MiB
  // less to hold (a compaction's peak memory is mostly base + table).
  const perBucket = stride === 2 ? 4 : 2;
  let bits = 8;
  while (1 << bits < blocks / perBucket / stride && bits < 26) bits++;
  return SLOTS << bits;
}

/**
 * Index `win` into `table` (indexTableLength(win.length) entries, all zero). With `buckets`, only blocks whose
 * bucket falls in [from, to) are entered: two threads can fill the two halves of one shared table, each bucket
 * getting exactly the entries, in the same order, that one pass would give it.
 */
export function indexBase(win: Buffer, table: Int32Array, buckets?: { from: number; to: number }): BlockIndex {
  const blocks = Math.floor(win.length / BLOCK);
  const stride = win.length > INDEX_EVERY_BLOCK_UP_TO ? 2 : 1;
  const tableShift = 32 - (31 - Math.clz32(table.length / SLOTS));
  const posBits = 32 - Math.clz32(blocks);
  const tagBits = Math.max(0, 32 - posBits);
  const tagMask = tagBits >= 32 ? -1 : (1 << tagBits) - 1;
  const tagShift = Math.max(0, tableShift - tagBits);
  const from = buckets?.from ?? 0;
  const to = buckets?.to ?? table.length / SLOTS;
  // Up to SLOTS positions per bucket; when a bucket is full, later blocks replace slots round-robin.
  for (let b = 0; b < blocks; b += stride) {
    const mixed = Math.imul(blockHash(win, b * BLOCK), 0x9e3779b1);
    const bucket = mixed >>> tableShift;
    if (bucket < from || bucket >= to) continue;
    const at = bucket * SLOTS;
    let k = 0;
    while (k < SLOTS && table[at + k] !== 0) k++;
    table[at + (k < SLOTS ? k : (b / stride) % SLOTS)] = ((((mixed >>> tagShift) & tagMask) << posBits) | (b + 1)) | 0;
  }
  return { win, table, tableShift, posBits, tagShift, tagMask };
}

/**
 * Push-based delta encoder. Call `push(chunk)` with the target's bytes in order, then `finish()`,
 * which returns the delta as a list of buffers (or null when it grew beyond `maxDeltaSize`).
 * The base is read through `BaseReader`, a window at a time.
 */
export class DeltaEncoder {
  private static spareTable: Int32Array | null = null;
  /** Drop the table kept for the next encoder (call when a run of encoders is over). */
  static releaseSpare(): void {
    DeltaEncoder.spareTable = null;
  }
  private readonly window: number;
  private readonly maxDelta: number;
  private winStart = 0;
  private winBuf: Buffer = Buffer.alloc(0);
  private table: Int32Array = new Int32Array(0);
  private tableShift = 0;
  /** see BlockIndex */
  private posBits = 0;
  private tagShift = 0;
  private tagMask = 0;
  private indexed = false;
  /** the index came from outside (opts.index): neither replaced nor kept as the spare table */
  private readonly sharedIndex: boolean;

  private tbuf: Buffer;
  private tlen = 0;
  private targetSeen = 0;

  private readonly out: Uint8Array[] = [];
  private cur: number[] = [];
  private outBytes = 0;
  private failed = false;

  /** Pending copy op (merged while contiguous). */
  private copyOff = -1;
  private copyLen = 0;

  constructor(
    private readonly base: BaseReader,
    private readonly targetSize: number,
    opts: DeltaEncoderOptions = {},
  ) {
    this.window = Math.max(1 << 16, Math.min(opts.window ?? 128 << 20, base.size || 1));
    this.maxDelta = opts.maxDeltaSize ?? Math.max(1024, Math.floor(targetSize / 2));
    this.tbuf = Buffer.alloc(0); // allocated on the first push (encodeAll reads its target in place)
    const header: number[] = [];
    if (!opts.headerless) {
      writeVarint(base.size, header);
      writeVarint(targetSize, header);
    }
    this.cur = header;
    this.sharedIndex = !!opts.index;
    if (opts.index) {
      if (opts.index.win.length !== base.size) throw new DeltaError('a shared delta index must cover the whole base');
      this.useIndex(opts.index);
      this.window = Math.max(this.window, base.size);
    }
  }

  private useIndex(i: BlockIndex): void {
    this.winBuf = i.win;
    this.table = i.table;
    this.tableShift = i.tableShift;
    this.posBits = i.posBits;
    this.tagShift = i.tagShift;
    this.tagMask = i.tagMask;
    this.indexed = true;
  }

  private async ensureWindow(start: number): Promise<void> {
    const len = Math.min(this.window, this.base.size - start);
    if (this.indexed && start === this.winStart) return;
    this.winStart = start;
    const data = await this.base.read(start, Math.max(0, len));
    // Only read, never written: a large window is used in place (a copy of a 100 MB base would double the
    // memory); a small one is copied, since a file base may reuse its read buffer on the next read.
    const own = data.length > 1 << 20 ? data : new Uint8Array(data);
    const win = Buffer.from(own.buffer, own.byteOffset, own.byteLength);
    const entries = indexTableLength(win.length);
    let table = this.table;
    if (table.length !== entries) {
      // one encoder after another (compact's chains) reuse the last table instead of leaving tens of MB each
      // to the garbage collector
      const spare = DeltaEncoder.spareTable;
      DeltaEncoder.spareTable = null;
      if (spare && spare.length === entries) {
        spare.fill(0);
        table = spare;
      } else table = new Int32Array(entries);
    } else table.fill(0);
    this.useIndex(indexBase(win, table));
  }

  private emitByte(b: number): void {
    this.cur.push(b);
    if (this.cur.length >= 1 << 16) this.flushCur();
  }
  private flushCur(): void {
    if (!this.cur.length) return;
    this.out.push(Uint8Array.from(this.cur));
    this.outBytes += this.cur.length;
    this.cur = [];
    if (this.outBytes > this.maxDelta) this.failed = true;
  }

  private flushCopy(): void {
    let off = this.copyOff;
    let len = this.copyLen;
    this.copyOff = -1;
    this.copyLen = 0;
    while (len > 0) {
      const size = Math.min(len, MAX_COPY);
      let op = 0x80;
      const args: number[] = [];
      const o = off;
      if (o & 0xff) { op |= 0x01; args.push(o & 0xff); }
      if ((o >>> 8) & 0xff) { op |= 0x02; args.push((o >>> 8) & 0xff); }
      if ((o >>> 16) & 0xff) { op |= 0x04; args.push((o >>> 16) & 0xff); }
      if ((o >>> 24) & 0xff) { op |= 0x08; args.push((o >>> 24) & 0xff); }
      const s = size === 0x10000 ? 0 : size;
      if (s & 0xff) { op |= 0x10; args.push(s & 0xff); }
      if ((s >>> 8) & 0xff) { op |= 0x20; args.push((s >>> 8) & 0xff); }
      if ((s >>> 16) & 0xff) { op |= 0x40; args.push((s >>> 16) & 0xff); }
      this.emitByte(op);
      for (const a of args) this.emitByte(a);
      off += size;
      len -= size;
    }
  }

  private addCopy(off: number, len: number): void {
    if (this.copyOff >= 0 && this.copyOff + this.copyLen === off) {
      this.copyLen += len;
      return;
    }
    if (this.copyOff >= 0) this.flushCopy();
    this.copyOff = off;
    this.copyLen = len;
  }

  private addInsert(buf: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    if (this.copyOff >= 0) this.flushCopy();
    let p = start;
    while (p < end) {
      const n = Math.min(MAX_INSERT, end - p);
      this.emitByte(n);
      for (let i = 0; i < n; i++) this.cur.push(buf[p + i]!);
      if (this.cur.length >= 1 << 16) this.flushCur();
      p += n;
    }
  }

  /** Encode a whole target held in memory, read in place (instead of push + finish). */
  async encodeAll(target: Uint8Array): Promise<Uint8Array[] | null> {
    if (this.targetSeen !== 0) throw new DeltaError('encodeAll after push');
    this.targetSeen = target.length;
    this.tbuf = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
    this.tlen = target.length;
    return this.finish();
  }

  async push(chunk: Uint8Array): Promise<void> {
    if (this.tbuf.length === 0) this.tbuf = Buffer.alloc(Math.min(4 << 20, Math.max(this.targetSize, 1)) + 64 * 1024);
    this.targetSeen += chunk.length;
    let c = 0;
    while (c < chunk.length) {
      const take = Math.min(chunk.length - c, this.tbuf.length - this.tlen);
      this.tbuf.set(chunk.subarray(c, c + take), this.tlen);
      this.tlen += take;
      c += take;
      if (this.tlen === this.tbuf.length) await this.scan(false);
    }
  }

  /** Encode tbuf[0, tlen); unless final, keep the last < BLOCK bytes (plus nothing else) for the next round. */
  private async scan(final: boolean): Promise<void> {
    if (this.failed) {
      this.tlen = 0;
      return;
    }
    const t = this.tbuf;
    const tlen = this.tlen;
    if (this.base.size < BLOCK || this.base.size > MAX_BASE) {
      this.addInsert(t, 0, tlen);
      this.tlen = 0;
      this.flushCur();
      return;
    }
    if (!this.indexed) await this.ensureWindow(0);
    let p = 0; // next unencoded target byte
    let ins = 0; // start of pending insert run
    let h = 0;
    let hValid = false;
    const limit = tlen - BLOCK; // last position where a full block fits
    while (p <= limit) {
      // Try to continue the previous copy first (cheap, and keeps matches across chunk boundaries).
      let matchBase = -1;
      let bestLen = 0;
      if (ins === p && this.copyOff >= 0) {
        const cont = this.copyOff + this.copyLen;
        const wo = cont - this.winStart;
        if (wo >= 0 && wo + BLOCK <= this.winBuf.length && equalRange(this.winBuf, wo, t, p, BLOCK)) {
          matchBase = cont;
          bestLen = Number.MAX_SAFE_INTEGER;
        }
      }
      if (matchBase < 0) {
        if (!hValid) {
          h = blockHash(t, p);
          hValid = true;
        }
        // Among the bucket's candidates take the longest match; on ties, the one nearest the expected position.
        const mixed = Math.imul(h, 0x9e3779b1);
        const at = (mixed >>> this.tableShift) * SLOTS;
        const tag = (mixed >>> this.tagShift) & this.tagMask;
        const posBits = this.posBits;
        const posMask = posBits >= 32 ? -1 : (1 << posBits) - 1;
        const expect = this.copyOff >= 0 ? this.copyOff + this.copyLen - this.winStart + (p - ins) : 0;
        let bestDist = Infinity;
        for (let k = 0; k < SLOTS; k++) {
          const cand = this.table[at + k]!;
          if (cand === 0) break;
          if (cand >>> posBits !== tag >>> 0) continue;
          const wo = ((cand & posMask) - 1) * BLOCK;
          if (!equalRange(this.winBuf, wo, t, p, BLOCK)) continue;
          const len = matchLength(this.winBuf, wo, t, p, tlen);
          const dist = Math.abs(wo - expect);
          if (len > bestLen || (len === bestLen && dist < bestDist)) {
            bestLen = len;
            bestDist = dist;
            matchBase = this.winStart + wo;
          }
        }
      }
      // A short match far from where the previous copy ended is usually chance (repeated field values);
      // taking it costs the reader a random access for a few bytes saved, so insert instead.
      if (matchBase >= 0 && this.copyOff >= 0 && bestLen < MIN_FAR_COPY && Math.abs(matchBase - (this.copyOff + this.copyLen + (p - ins))) > FAR) {
        matchBase = -1;
      }
      if (matchBase >= 0) {
        // Extend backwards over the pending insert.
        let wo = matchBase - this.winStart;
        let tp = p;
        while (tp > ins && wo > 0 && t[tp - 1] === this.winBuf[wo - 1]) {
          tp--;
          wo--;
        }
        // Extend forwards (a candidate's length is already known: the same comparison from the same place).
        const fwd = bestLen !== Number.MAX_SAFE_INTEGER ? bestLen : matchLength(this.winBuf, wo + (p - tp), t, p, tlen);
        const len = p - tp + fwd;
        this.addInsert(t, ins, tp);
        this.addCopy(this.winStart + wo, len);
        p = tp + len;
        ins = p;
        hValid = false;
        // Slide the window forward once matches approach its end.
        const end = this.winStart + this.winBuf.length;
        if (len >= ANCHOR && end < this.base.size && this.winStart + wo + len > this.winStart + (this.winBuf.length * 3) / 4) {
          const next = Math.max(0, Math.floor((this.winStart + wo + len - this.window / 4) / BLOCK) * BLOCK);
          if (next > this.winStart) await this.ensureWindow(next);
        }
        if (this.outBytes + this.cur.length > this.maxDelta) {
          this.failed = true;
          this.tlen = 0;
          return;
        }
        continue;
      }
      // No match: roll one byte.
      if (p + BLOCK < tlen) {
        h = (Math.imul(h, MULT) - Math.imul(t[p]!, MULT_OUT) + t[p + BLOCK]!) | 0;
      } else hValid = false;
      p++;
      if (p - ins >= 1 << 16) {
        this.addInsert(t, ins, p);
        ins = p;
      }
    }
    if (final) {
      this.addInsert(t, ins, tlen);
      this.tlen = 0;
    } else {
      // Flush the insert run up to p; carry the unscanned tail (< BLOCK bytes) over.
      this.addInsert(t, ins, p);
      t.copyWithin(0, p, tlen);
      this.tlen = tlen - p;
    }
    this.flushCur();
  }

  /** Finish encoding; returns the delta buffers, or null if it would be larger than `maxDeltaSize`. */
  async finish(): Promise<Uint8Array[] | null> {
    if (this.targetSeen !== this.targetSize) throw new DeltaError(`target had ${this.targetSeen} bytes, expected ${this.targetSize}`);
    await this.scan(true);
    if (this.copyOff >= 0) this.flushCopy();
    this.flushCur();
    if (this.table.length >= 1 << 16 && !this.sharedIndex) DeltaEncoder.spareTable = this.table;
    this.table = new Int32Array(0);
    this.winBuf = Buffer.alloc(0);
    if (this.failed || this.outBytes > this.maxDelta) return null;
    return this.out;
  }
}

function equalRange(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  if (ao < 0 || ao + n > a.length || bo + n > b.length) return false;
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/** Length of the common run a[ao…] vs b[bo, bEnd). Compares large slices with memcmp first. */
function matchLength(a: Buffer, ao: number, b: Buffer, bo: number, bEnd: number): number {
  const max = Math.min(a.length - ao, bEnd - bo);
  let n = 0;
  // memcmp 1 KiB at a time, then bytes: a Buffer.compare call costs about as much as a few hundred bytes of
  // the byte loop (argument checks), and most copies here are a few KiB (measured best of 4096/1024/512/shrinking)
  const STEP = 1024;
  while (n + STEP <= max && a.compare(b, bo + n, bo + n + STEP, ao + n, ao + n + STEP) === 0) n += STEP;
  while (n < max && a[ao + n] === b[bo + n]) n++;
  return n;
}

/** Encode a whole in-memory delta (tests and small objects). */
export async function createDelta(base: Uint8Array, target: Uint8Array, opts: DeltaEncoderOptions = {}): Promise<Uint8Array | null> {
  const enc = new DeltaEncoder(memoryBase(base), target.length, { maxDeltaSize: Number.MAX_SAFE_INTEGER, ...opts });
  await enc.push(target);
  const parts = await enc.finish();
  if (!parts) return null;
  return Buffer.concat(parts);
}
