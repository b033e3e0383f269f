/**
 * Delta bases read by position from a file, the sequential writer that fills such files, and names for the
 * temp files holding them. No object lookup here (see delta-base.ts for opening a stored object as a base).
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DeltaError, type BaseReader } from './delta.js';

let tmpSeq = 0;
export function tempPath(dir: string, prefix: string): string {
  tmpSeq += 1;
  return path.join(dir, `${prefix}-${process.pid}-${Date.now().toString(36)}-${tmpSeq}`);
}

/** Open a file as a delta base read by position. Small reads are served from a read-ahead window. */
export async function fileBase(file: string, size: number, removeOnClose: boolean): Promise<BaseReader & { close(): Promise<void> }> {
  const fh = await fsp.open(file, 'r');
  // A few read-ahead windows, least recently used replaced: the sequential stream of copies stays in one
  // while occasional far copies use the others instead of evicting it.
  const WINDOW = 1 << 20;
  const wins = Array.from({ length: 4 }, () => ({ buf: Buffer.allocUnsafe(WINDOW), start: -1, len: 0, used: 0 }));
  let tick = 0;
  const readInto = async (buf: Buffer, length: number, offset: number): Promise<void> => {
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) throw new DeltaError('delta base is shorter than expected');
      got += bytesRead;
    }
  };
  return {
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      if (length > WINDOW / 2) {
        const buf = Buffer.allocUnsafe(length);
        await readInto(buf, length, offset);
        return buf;
      }
      tick++;
      let w = wins.find((x) => x.start >= 0 && offset >= x.start && offset + length <= x.start + x.len);
      if (!w) {
        w = wins.reduce((a, b) => (a.used <= b.used ? a : b));
        w.start = offset;
        w.len = Math.min(WINDOW, size - offset);
        await readInto(w.buf, w.len, offset);
      }
      w.used = tick;
      return w.buf.subarray(offset - w.start, offset - w.start + length);
    },
    async close() {
      await fh.close();
      if (removeOnClose) await fsp.rm(file, { force: true });
    },
  };
}

/** Sequential writer that coalesces small chunks into 1 MiB writes. */
export class BufferedFileWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;
  constructor(readonly fh: FileHandle) {}
  async write(c: Uint8Array): Promise<void> {
    let p = 0;
    while (p < c.length) {
      const n = Math.min(c.length - p, this.buf.length - this.len);
      this.buf.set(c.subarray(p, p + n), this.len);
      this.len += n;
      p += n;
      if (this.len === this.buf.length) await this.flush();
    }
  }
  async flush(): Promise<void> {
    let w = 0;
    while (w < this.len) w += (await this.fh.write(this.buf, w, this.len - w)).bytesWritten;
    this.len = 0;
  }
}

