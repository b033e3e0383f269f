/**
 * Minimal POSIX ustar, enough for Savepoint archives: regular files only, names ≤ 100 bytes, sizes of any
 * length (GNU base-256 above 8 GiB). The reader is a streaming state machine: entries are handed out in
 * chunks, never held whole. Pure (no I/O).
 */
const BLOCK = 512;

function octal(buf: Buffer, at: number, len: number, value: number): void {
  buf.write(value.toString(8).padStart(len - 1, '0') + '\0', at, len, 'latin1');
}

export function tarHeader(name: string, size: number, mtimeSec: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`tar entry name too long: ${name}`);
  nameBytes.copy(h, 0);
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  if (size < 8 ** 11) octal(h, 124, 12, size);
  else {
    // GNU base-256: high bit set, big-endian binary in the remaining bytes
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  octal(h, 136, 12, mtimeSec);
  h.fill(0x20, 148, 156);
  h[156] = 0x30; // '0' regular file
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.write('savepoint', 265, 'latin1');
  h.write('savepoint', 297, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}

export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

export const TAR_END = Buffer.alloc(2 * BLOCK);

export class TarFormatError extends Error {}

function parseSize(h: Buffer): number {
  if (h[124]! & 0x80) {
    let v = 0n;
    for (let i = 125; i < 136; i++) v = (v << 8n) | BigInt(h[i]!);
    return Number(v);
  }
  const text = h.subarray(124, 136).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]*$/.test(text)) throw new TarFormatError(`bad size field "${text}"`);
  return text ? parseInt(text, 8) : 0;
}

export interface TarEntry {
  name: string;
  size: number;
  type: string;
}

/** A receiver for one entry's content; return it from onEntry, or null to skip the entry. */
export interface TarEntrySink {
  chunk(c: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/** Stream a tar from `source`, calling `onEntry` per entry header. Throws TarFormatError on a malformed tar. */
export async function readTar(source: AsyncIterable<Buffer>, onEntry: (e: TarEntry) => Promise<TarEntrySink | null> | TarEntrySink | null): Promise<void> {
  let pending = Buffer.alloc(0);
  let sink: TarEntrySink | null = null;
  let remaining = 0; // content bytes left in the current entry
  let pad = 0; // padding bytes left after it
  let inEntry = false;
  let ended = false;
  for await (const raw of source) {
    let buf = pending.length ? Buffer.concat([pending, raw]) : raw;
    pending = Buffer.alloc(0);
    while (buf.length) {
      if (ended) {
        buf = Buffer.alloc(0);
        break;
      }
      if (inEntry) {
        if (remaining > 0) {
          const n = Math.min(remaining, buf.length);
          if (sink) await sink.chunk(buf.subarray(0, n));
          remaining -= n;
          buf = buf.subarray(n);
          if (remaining > 0) break;
        }
        if (pad > 0) {
          const n = Math.min(pad, buf.length);
          pad -= n;
          buf = buf.subarray(n);
          if (pad > 0) break;
        }
        if (sink) await sink.end();
        sink = null;
        inEntry = false;
        continue;
      }
      if (buf.length < BLOCK) {
        pending = Buffer.from(buf);
        break;
      }
      const h = buf.subarray(0, BLOCK);
      buf = buf.subarray(BLOCK);
      if (h.every((b) => b === 0)) {
        ended = true;
        continue;
      }
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
      const stored = parseInt(h.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim(), 8);
      if (stored !== sum) throw new TarFormatError('header checksum mismatch');
      const nul = h.indexOf(0);
      const name = h.subarray(0, nul === -1 || nul > 100 ? 100 : nul).toString('utf8');
      const size = parseSize(h);
      const type = String.fromCharCode(h[156] || 0x30);
      remaining = size;
      pad = (BLOCK - (size % BLOCK)) % BLOCK;
      inEntry = true;
      sink = await onEntry({ name, size, type });
      if (remaining === 0 && pad === 0) {
        if (sink) await sink.end();
        sink = null;
        inEntry = false;
      }
    }
  }
  if (inEntry || (!ended && pending.length)) throw new TarFormatError('archive ends in the middle of an entry');
  if (!ended) throw new TarFormatError('archive has no end marker');
}
