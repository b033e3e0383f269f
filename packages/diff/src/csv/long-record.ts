/**
 * One CSV record read in fixed-size chunks, for records too long to buffer whole (a 48 MB cell). It gives the
 * same field hashes, quoting flags, line numbers and errors as CsvScanner, and each field's value — clipped
 * (head, length, sha256) when longer than `maxCellBytes` — so memory stays at one chunk plus the kept heads.
 */
import { readSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { DiffError } from '../errors.js';
import { CLIP_HEAD_BYTES, utf8Head, type ClippedValue } from '../clip.js';
import type { CsvDialect } from './scanner.js';

export interface LongRecord {
  /** Bytes of the record including its line terminator. */
  length: number;
  /** Line after the record. */
  nextLine: number;
  nf: number;
  h1: number[];
  h2: number[];
  /** 0 unquoted, 1 quoted, 2 quoted with doubled quotes. */
  quoted: number[];
  /** Unescaped byte length of each field. */
  bytes: number[];
  cells: (string | ClippedValue)[];
}

const FNV = 0x811c9dc5 | 0;
const SEED2 = 0x9747b28c | 0;
const LF = 10;
const CR = 13;
const CHUNK = 1 << 20;

class Field {
  h1 = FNV;
  h2 = SEED2;
  quoted = 0;
  len = 0;
  private parts: Buffer[] = [];
  private hash: Hash | null = null;
  private head: Buffer[] = [];
  private headLen = 0;
  constructor(private readonly max: number, private readonly hashes: boolean) {}

  /** Content bytes buf[s, e) (unescaped). */
  add(buf: Buffer, s: number, e: number): void {
    if (e <= s) return;
    const part = buf.subarray(s, e);
    if (this.hashes) {
      let h1 = this.h1;
      let h2 = this.h2;
      for (let i = s; i < e; i++) {
        const c = buf[i]!;
        h1 = Math.imul(h1 ^ c, 16777619);
        h2 = (Math.imul(h2, 31) + c) | 0;
      }
      this.h1 = h1;
      this.h2 = h2;
    }
    this.len += e - s;
    if (this.headLen < CLIP_HEAD_BYTES + 4) {
      const h = Buffer.from(part.subarray(0, CLIP_HEAD_BYTES + 4 - this.headLen));
      this.head.push(h);
      this.headLen += h.length;
    }
    if (this.hash) { this.hash.update(part); return; }
    this.parts.push(Buffer.from(part)); // copy: the chunk buffer is reused
    if (this.len > this.max) {
      this.hash = createHash('sha256');
      for (const p of this.parts) this.hash.update(p);
      this.parts = [];
    }
  }

  value(): string | ClippedValue {
    if (!this.hash) return Buffer.concat(this.parts).toString('utf8');
    return { clipped: true, bytes: this.len, sha256: this.hash.digest('hex'), head: utf8Head(Buffer.concat(this.head)) };
  }
}

/**
 * Read the record that starts at file offset `offset` (on physical line `line`) from `fd`.
 * States follow CsvScanner.scan exactly, so a record reads the same whichever way it is read. Runs of plain
 * bytes are found with native byte searches. `hashes` false: the field hashes are not computed (left 0 work),
 * for callers that only want the values.
 */
export function readLongRecord(fd: number, offset: number, line: number, dialect: CsvDialect, maxCellBytes: number, hashes = true): LongRecord {
  const D = dialect.delimiter.charCodeAt(0);
  const Q = dialect.quote.charCodeAt(0);
  const startLine = line;
  const rec: LongRecord = { length: 0, nextLine: line, nf: 0, h1: [], h2: [], quoted: [], bytes: [], cells: [] };
  const buf = Buffer.allocUnsafe(CHUNK);
  let field = new Field(maxCellBytes, hashes);
  // 0 field start, 1 unquoted, 2 in quotes, 3 quote seen in quotes, 4 after closing quote, 5 CR ending the record
  let state = 0;
  let prevCR = false; // inside quotes: the previous byte was CR (CRLF counts one line)
  const endField = () => {
    rec.h1.push(field.h1); rec.h2.push(field.h2); rec.quoted.push(field.quoted); rec.bytes.push(field.len); rec.cells.push(field.value());
    rec.nf++;
    field = new Field(maxCellBytes, hashes);
  };
  let pos = offset;
  for (;;) {
    const n = readSync(fd, buf, 0, CHUNK, pos);
    if (n === 0) {
      // End of file.
      if (state === 2) throw new DiffError('E_CSV_MALFORMED', `Malformed CSV at line ${startLine}: a quoted field is never closed. Add the missing closing quote (${dialect.quote}).`, { line: startLine, field: rec.nf + 1, reason: 'unclosed-quote' });
      if (state !== 5) endField(); // a trailing delimiter at EOF also leaves one empty field
      rec.length = pos - offset;
      rec.nextLine = line;
      return rec;
    }
    let i = 0;
    let runStart = -1; // start of a run of content bytes in this chunk
    const flush = (end: number) => { if (runStart >= 0) { field.add(buf, runStart, end); runStart = -1; } };
    // Next delimiter, LF, CR and quote at or after the offset they were searched from (n: none in this chunk).
    const next = (c: number, from: number): number => { const k = buf.indexOf(c, from); return k < 0 || k >= n ? n : k; };
    let nD = -1;
    let nLF = -1;
    let nCR = -1;
    let nQ = -1;
    while (i < n) {
      const c = buf[i]!;
      switch (state) {
        case 0:
          if (c === Q) { field.quoted = 1; state = 2; i++; continue; }
          state = 1;
          continue; // reprocess as unquoted
        case 1: {
          if (nD < i) nD = next(D, i);
          if (nLF < i) nLF = next(LF, i);
          if (nCR < i) nCR = next(CR, i);
          const stop = Math.min(nD, nLF, nCR);
          if (stop > i) { if (runStart < 0) runStart = i; i = stop; continue; }
          if (c === D || c === LF || c === CR) {
            flush(i);
            endField();
            if (c === D) { state = 0; i++; continue; }
            line++;
            if (c === LF) { rec.length = pos + i + 1 - offset; rec.nextLine = line; return rec; }
            state = 5; i++; continue;
          }
          if (runStart < 0) runStart = i;
          i++;
          continue;
        }
        case 2: {
          if (c === Q) { flush(i); state = 3; prevCR = false; i++; continue; }
          if (nQ < i) nQ = next(Q, i);
          const stop = nQ;
          if (stop - i > 16) {
            // A run of quoted bytes up to the next quote: count its line breaks as the byte loop below does.
            if (nLF < i) nLF = next(LF, i);
            if (nCR < i) nCR = next(CR, i);
            for (; nLF < stop; nLF = next(LF, nLF + 1)) if (!(nLF > i ? buf[nLF - 1] === CR : prevCR)) line++;
            for (; nCR < stop; nCR = next(CR, nCR + 1)) line++;
            prevCR = buf[stop - 1] === CR;
            if (runStart < 0) runStart = i;
            i = stop;
            continue;
          }
          if (c === CR) line++;
          else if (c === LF && !prevCR) line++;
          prevCR = c === CR;
          if (runStart < 0) runStart = i;
          i++;
          continue;
        }
        case 3:
          if (c === Q) { field.add(buf, i, i + 1); field.quoted = 2; state = 2; i++; continue; }
          state = 4;
          continue; // reprocess after the closing quote
        case 4:
          if (c === D) { endField(); state = 0; i++; continue; }
          if (c === LF || c === CR) {
            endField();
            line++;
            if (c === LF) { rec.length = pos + i + 1 - offset; rec.nextLine = line; return rec; }
            state = 5; i++; continue;
          }
          throw new DiffError('E_CSV_MALFORMED', `Malformed CSV at line ${line}: unexpected character ${JSON.stringify(String.fromCharCode(c))} after a closing quote in field ${rec.nf + 1}. Quote the whole field and double any quotes inside it.`, { line, field: rec.nf + 1, reason: 'text-after-quote' });
        case 5:
          rec.length = pos + i + (c === LF ? 1 : 0) - offset;
          rec.nextLine = line;
          return rec;
      }
    }
    flush(n);
    pos += n;
  }
}
