/**
 * Writes a git pack (v2) and its index (v2, with 64-bit offsets when needed). Entries are appended in
 * order (an OFS_DELTA's base must already be written); content is streamed through zlib so large objects
 * never sit in memory. The pack goes to a temp file, is fsynced, and only `commit()` renames pack then
 * index into place, so readers never see a half-written pack.
 */
import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import zlib from 'node:zlib';
import { crc32 } from './crc32.js';
import { streamObject, type StreamObjectOptions } from './reader.js';
import { CODE_BY_TYPE, OFS_DELTA, type ObjectType } from './object-types.js';
import { tempPath } from './base-file.js';

const BUF = 4 << 20;

export interface PackEntryRecord {
  oid: string;
  offset: number;
  crc: number;
}

export function encodeEntryHeader(typeCode: number, size: number): Buffer {
  const bytes: number[] = [];
  let s = size;
  let c = (typeCode << 4) | (s & 15);
  s = Math.floor(s / 16);
  while (s > 0) {
    bytes.push(c | 0x80);
    c = s & 0x7f;
    s = Math.floor(s / 128);
  }
  bytes.push(c);
  return Buffer.from(bytes);
}

export function encodeOfsDelta(rel: number): Buffer {
  const bytes: number[] = [rel & 0x7f];
  let r = Math.floor(rel / 128);
  while (r > 0) {
    r -= 1;
    bytes.unshift(0x80 | (r & 0x7f));
    r = Math.floor(r / 128);
  }
  return Buffer.from(bytes);
}

export class PackWriter {
  private fh!: FileHandle;
  private readonly sha1: Hash = createHash('sha1');
  private buf = Buffer.allocUnsafe(BUF);
  private bufLen = 0;
  private writing: Promise<void> = Promise.resolve();
  private queued = 0;
  private offset = 0;
  private written = 0;
  readonly entries: PackEntryRecord[] = [];
  private readonly offsets = new Map<string, number>();
  readonly tmpPack: string;
  private curCrc = 0;

  private constructor(readonly packDir: string, readonly count: number, readonly level: number) {
    this.tmpPack = tempPath(packDir, 'tmp_pack');
  }

  static async create(packDir: string, count: number, level = 6): Promise<PackWriter> {
    await fsp.mkdir(packDir, { recursive: true });
    const w = new PackWriter(packDir, count, level);
    w.fh = await fsp.open(w.tmpPack, 'wx', 0o444);
    const head = Buffer.alloc(12);
    head.write('PACK', 0, 'latin1');
    head.writeUInt32BE(2, 4);
    head.writeUInt32BE(count, 8);
    w.append(head);
    return w;
  }

  get bytesWritten(): number {
    return this.offset;
  }

  offsetOf(oid: string): number | undefined {
    return this.offsets.get(oid);
  }

  private append(data: Uint8Array): void {
    this.sha1.update(data);
    this.curCrc = crc32(data, this.curCrc);
    this.offset += data.length;
    let p = 0;
    while (p < data.length) {
      const n = Math.min(data.length - p, BUF - this.bufLen);
      this.buf.set(data.subarray(p, p + n), this.bufLen);
      this.bufLen += n;
      p += n;
      if (this.bufLen === BUF) this.flushBuf();
    }
  }

  private flushBuf(): void {
    if (!this.bufLen) return;
    const b = this.buf;
    const len = this.bufLen;
    this.buf = Buffer.allocUnsafe(BUF);
    this.bufLen = 0;
    this.queued++;
    this.writing = this.writing.then(async () => {
      let w = 0;
      while (w < len) w += (await this.fh.write(b, w, len - w)).bytesWritten;
      this.written += len;
      this.queued--;
    });
  }

  /** Keep at most a few buffers queued: producers call this between chunks. */
  private async backpressure(): Promise<void> {
    if (this.queued > 4) await this.writing;
  }

  private begin(oid: string): number {
    if (this.offsets.has(oid)) throw new Error(`object ${oid} is already in this pack`);
    if (this.entries.length >= this.count) throw new Error('more entries than declared');
    this.curCrc = 0;
    return this.offset;
  }

  private end(oid: string, start: number): void {
    this.entries.push({ oid, offset: start, crc: this.curCrc >>> 0 });
    this.offsets.set(oid, start);
  }

  /** Append a whole object held in memory. */
  async addBuffer(oid: string, type: ObjectType, data: Uint8Array): Promise<void> {
    const start = this.begin(oid);
    this.append(encodeEntryHeader(CODE_BY_TYPE[type], data.length));
    this.append(zlib.deflateSync(data, { level: this.level }));
    this.end(oid, start);
    await this.backpressure();
  }

  /**
   * Append an object whose content is produced in chunks by `produce(push)`; it is deflated as a stream.
   * The content must be exactly `size` bytes.
   */
  async addStream(oid: string, type: ObjectType, size: number, produce: (push: (chunk: Uint8Array) => Promise<void>) => Promise<void>): Promise<void> {
    const start = this.begin(oid);
    this.append(encodeEntryHeader(CODE_BY_TYPE[type], size));
    const deflate = zlib.createDeflate({ level: this.level, chunkSize: 1 << 20 });
    let failed: Error | null = null;
    deflate.on('data', (d: Buffer) => this.append(d));
    deflate.on('error', (e) => {
      failed = e;
    });
    let seen = 0;
    await produce(async (chunk) => {
      if (failed) throw failed;
      seen += chunk.length;
      if (!deflate.write(Buffer.from(chunk))) await once(deflate, 'drain');
      await this.backpressure();
    });
    deflate.end();
    if (!deflate.readableEnded) await once(deflate, 'end');
    if (failed) throw failed;
    if (seen !== size) throw new Error(`object ${oid} produced ${seen} bytes, expected ${size}`);
    this.end(oid, start);
  }

  /**
   * Append an object read from any repository's store (loose or packed, deltas resolved), deflated as it
   * streams: memory stays bounded whatever the object's size (remote transfers, issue 12).
   */
  async addFromStore(gitdir: string, oid: string, opts: StreamObjectOptions = {}): Promise<void> {
    let start = -1;
    let deflate: zlib.Deflate | null = null;
    let failed: Error | null = null;
    await streamObject(gitdir, oid, {
      header: (type, size) => {
        start = this.begin(oid);
        this.append(encodeEntryHeader(CODE_BY_TYPE[type], size));
        deflate = zlib.createDeflate({ level: this.level, chunkSize: 1 << 20 });
        deflate.on('data', (d: Buffer) => this.append(d));
        deflate.on('error', (e) => {
          failed = e;
        });
      },
      chunk: async (c) => {
        if (failed) throw failed;
        if (!deflate!.write(Buffer.from(c))) await once(deflate!, 'drain');
        await this.backpressure();
      },
    }, opts);
    const d = deflate as zlib.Deflate | null;
    if (!d) throw new Error(`object ${oid} produced no header`);
    d.end();
    if (!d.readableEnded) await once(d, 'end');
    if (failed) throw failed;
    this.end(oid, start);
  }

  /** Append a delta against an object already in this pack. */
  async addOfsDelta(oid: string, baseOid: string, delta: Uint8Array[]): Promise<void> {
    const baseOffset = this.offsets.get(baseOid);
    if (baseOffset === undefined) throw new Error(`delta base ${baseOid} is not in this pack yet`);
    const start = this.begin(oid);
    const data = Buffer.concat(delta);
    this.append(encodeEntryHeader(OFS_DELTA, data.length));
    this.append(encodeOfsDelta(start - baseOffset));
    this.append(zlib.deflateSync(data, { level: this.level }));
    this.end(oid, start);
    await this.backpressure();
  }

  /** Write the trailer, fsync and close. Returns the pack checksum (hex). */
  async finish(): Promise<string> {
    if (this.entries.length !== this.count) throw new Error(`pack declares ${this.count} entries but has ${this.entries.length}`);
    const sum = this.sha1.digest();
    this.flushBuf();
    await this.writing;
    let w = 0;
    while (w < sum.length) w += (await this.fh.write(sum, w, sum.length - w)).bytesWritten;
    this.offset += 20;
    await this.fh.sync();
    await this.fh.close();
    return sum.toString('hex');
  }

  async abort(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await fsp.rm(this.tmpPack, { force: true }).catch(() => undefined);
  }
}

/** Serialise an index v2 for the given entries and pack checksum. */
export function buildIndexV2(entries: PackEntryRecord[], packChecksum: string): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= 0x80000000);
  const size = 8 + 1024 + n * 28 + large.length * 8 + 40;
  const buf = Buffer.alloc(size);
  buf.writeUInt32BE(0xff744f63, 0);
  buf.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const e of sorted) fanout[parseInt(e.oid.slice(0, 2), 16)]!++;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += fanout[i]!;
    buf.writeUInt32BE(acc, 8 + i * 4);
  }
  let p = 8 + 1024;
  for (const e of sorted) {
    buf.write(e.oid, p, 'hex');
    p += 20;
  }
  for (const e of sorted) {
    buf.writeUInt32BE(e.crc >>> 0, p);
    p += 4;
  }
  let li = 0;
  const largeAt = p + n * 4;
  for (const e of sorted) {
    if (e.offset >= 0x80000000) {
      buf.writeUInt32BE((0x80000000 | li) >>> 0, p);
      buf.writeUInt32BE(Math.floor(e.offset / 2 ** 32), largeAt + li * 8);
      buf.writeUInt32BE(e.offset >>> 0, largeAt + li * 8 + 4);
      li++;
    } else buf.writeUInt32BE(e.offset, p);
    p += 4;
  }
  p = largeAt + large.length * 8;
  buf.write(packChecksum, p, 'hex');
  p += 20;
  createHash('sha1').update(buf.subarray(0, p)).digest().copy(buf, p);
  return buf;
}

/** Write the index next to the temp pack, then rename pack and index into place (pack first). */
export async function installPack(packDir: string, tmpPack: string, packChecksum: string, idx: Buffer): Promise<{ packPath: string; idxPath: string }> {
  const tmpIdx = tempPath(packDir, 'tmp_idx');
  const fh = await fsp.open(tmpIdx, 'wx', 0o444);
  try {
    await fh.writeFile(idx);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const packPath = path.join(packDir, `pack-${packChecksum}.pack`);
  const idxPath = path.join(packDir, `pack-${packChecksum}.idx`);
  await fsp.rename(tmpPack, packPath);
  await fsp.rename(tmpIdx, idxPath);
  await fsyncDir(packDir);
  return { packPath, idxPath };
}

export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms cannot fsync a directory; the renames are still atomic.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
