/**
 * A minimal zip reader for the few small parts of an .xlsx we read ourselves (workbook.xml and its rels):
 * it reads the central directory from the end of the file and inflates single entries with positioned
 * reads, so memory stays small whatever the size of the workbook. ZIP64 directories are supported.
 */
import { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { Readable } from 'node:stream';

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export class ZipFormatError extends Error {}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;

async function readAt(fh: import('node:fs/promises').FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  if (got < len) throw new ZipFormatError('the file ends early');
  return buf;
}

/** List the entries of a zip file, in central-directory order. */
export async function readZipDirectory(path: string): Promise<ZipEntry[]> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const tailLen = Math.min(size, 22 + 0xffff);
    if (tailLen < 22) throw new ZipFormatError('too small to be a zip file');
    const tail = await readAt(fh, size - tailLen, tailLen);
    let e = -1;
    for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD) { e = i; break; }
    if (e < 0) throw new ZipFormatError('no end of central directory record');
    let count = tail.readUInt16LE(e + 10);
    let cdSize = tail.readUInt32LE(e + 12);
    let cdOffset = tail.readUInt32LE(e + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locAt = size - tailLen + e - 20;
      if (locAt < 0) throw new ZipFormatError('ZIP64 locator missing');
      const loc = await readAt(fh, locAt, 20);
      if (loc.readUInt32LE(0) !== EOCD64_LOCATOR) throw new ZipFormatError('ZIP64 locator missing');
      const rec = await readAt(fh, Number(loc.readBigUInt64LE(8)), 56);
      if (rec.readUInt32LE(0) !== EOCD64) throw new ZipFormatError('bad ZIP64 end record');
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > size) throw new ZipFormatError('central directory outside the file');
    const cd = await readAt(fh, cdOffset, cdSize);
    const out: ZipEntry[] = [];
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN) throw new ZipFormatError('bad central directory entry');
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const entry: ZipEntry = {
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42),
      };
      // ZIP64 extra field: the 0xffffffff values follow in this order.
      let x = p + 46 + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = cd.readUInt16LE(x);
        const len = cd.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let q = x + 4;
          if (entry.size === 0xffffffff) { entry.size = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (entry.compressedSize === 0xffffffff) { entry.compressedSize = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (entry.localOffset === 0xffffffff) { entry.localOffset = Number(cd.readBigUInt64LE(q)); q += 8; }
        }
        x += 4 + len;
      }
      out.push(entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** Read one (small) entry's content. Refuses entries larger than `maxBytes` uncompressed. */
export async function readZipEntry(path: string, entry: ZipEntry, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  if (entry.size > maxBytes) throw new ZipFormatError(`${entry.name} is too large to read (${entry.size} bytes)`);
  const fh = await open(path, 'r');
  try {
    const loc = await readAt(fh, entry.localOffset, 30);
    if (loc.readUInt32LE(0) !== LOC) throw new ZipFormatError(`bad local header for ${entry.name}`);
    const start = entry.localOffset + 30 + loc.readUInt16LE(26) + loc.readUInt16LE(28);
    const raw = await readAt(fh, start, entry.compressedSize);
    if (entry.method === 0) return raw;
    if (entry.method === 8) return inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    throw new ZipFormatError(`${entry.name} uses unsupported compression method ${entry.method}`);
  } finally {
    await fh.close();
  }
}

/**
 * A zip stream of some entries of `path`, in the given order and under the given names, with their compressed
 * bytes copied as they are (no recompression). Lets a sequential zip reader see the parts it needs first.
 */
export function zipStream(path: string, items: { entry: ZipEntry; name: string }[]): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    const fh = await open(path, 'r');
    try {
      const central: Buffer[] = [];
      let offset = 0;
      for (const { entry, name } of items) {
        if (entry.compressedSize > 0xfffffffe || entry.size > 0xfffffffe) throw new ZipFormatError(`${entry.name} is too large`);
        const loc = await readAt(fh, entry.localOffset, 30);
        if (loc.readUInt32LE(0) !== LOC) throw new ZipFormatError(`bad local header for ${entry.name}`);
        const dataStart = entry.localOffset + 30 + loc.readUInt16LE(26) + loc.readUInt16LE(28);
        const nameBuf = Buffer.from(name, 'utf8');
        const head = Buffer.alloc(30);
        head.writeUInt32LE(LOC, 0); head.writeUInt16LE(20, 4); head.writeUInt16LE(0x0800, 6); head.writeUInt16LE(entry.method, 8);
        head.writeUInt32LE(entry.crc32, 14); head.writeUInt32LE(entry.compressedSize, 18); head.writeUInt32LE(entry.size, 22);
        head.writeUInt16LE(nameBuf.length, 26);
        yield Buffer.concat([head, nameBuf]);
        for (let done = 0; done < entry.compressedSize;) {
          const n = Math.min(1 << 20, entry.compressedSize - done);
          yield await readAt(fh, dataStart + done, n);
          done += n;
        }
        const cen = Buffer.alloc(46);
        cen.writeUInt32LE(CEN, 0); cen.writeUInt16LE(20, 4); cen.writeUInt16LE(20, 6); cen.writeUInt16LE(0x0800, 8); cen.writeUInt16LE(entry.method, 10);
        cen.writeUInt32LE(entry.crc32, 16); cen.writeUInt32LE(entry.compressedSize, 20); cen.writeUInt32LE(entry.size, 24);
        cen.writeUInt16LE(nameBuf.length, 28); cen.writeUInt32LE(offset, 42);
        central.push(cen, nameBuf);
        offset += 30 + nameBuf.length + entry.compressedSize;
      }
      const cd = Buffer.concat(central);
      const end = Buffer.alloc(22);
      end.writeUInt32LE(EOCD, 0); end.writeUInt16LE(items.length, 8); end.writeUInt16LE(items.length, 10);
      end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
      yield Buffer.concat([cd, end]);
    } finally {
      await fh.close();
    }
  }
  return Readable.from(gen(), { objectMode: false });
}
