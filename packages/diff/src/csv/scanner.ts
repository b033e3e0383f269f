import { DiffError } from '../errors.js';
import { clipBytes, type ClippedValue } from '../clip.js';
import { utf8Decode, utf8Encode } from '../bytes.js';
import type { LongRecord } from './long-record.js';

/** A CSV dialect: delimiter and quote as single ASCII bytes. */
export interface CsvDialect {
  delimiter: string;
  quote: string;
}

const CR = 13;
const LF = 10;
const FNV = 0x811c9dc5 | 0;
const SEED2 = 0x9747b28c | 0;

/** Returned by `scan` when the buffer ended inside a record and more input is needed. */
const INCOMPLETE = -1;

/**
 * A fast, allocation-free CSV tokenizer over byte buffers (RFC 4180 plus common variants: any single-byte
 * delimiter, CRLF/LF/CR line ends, quoted fields with embedded delimiters, quotes and newlines; a quote inside
 * an unquoted field is kept literally). For every record it exposes field spans and two 32-bit hashes of each
 * field's unescaped content, so callers can fingerprint rows without decoding strings.
 *
 * This is the one CSV parser of the package: validation, diff and apply all go through it.
 */
export class CsvScanner {
  readonly delim: number;
  readonly quote: number;
  /** Number of fields in the current record. */
  nf = 0;
  fieldStart = new Int32Array(64);
  fieldEnd = new Int32Array(64);
  /** 0 = unquoted, 1 = quoted, 2 = quoted with doubled quotes inside. */
  fieldQuoted = new Uint8Array(64);
  fieldH1 = new Int32Array(64);
  fieldH2 = new Int32Array(64);
  /** Buffer the current record lives in. */
  buf: Uint8Array = new Uint8Array(0);
  /** Offset of the current record inside `buf`, and its byte length including the line terminator. */
  recStart = 0;
  recLength = 0;
  /** 1-based physical line where the current record starts, and the next line to be read. */
  recLine = 1;
  line = 1;

  constructor(dialect: CsvDialect) {
    if (dialect.delimiter.length !== 1 || dialect.quote.length !== 1) {
      throw new DiffError('E_INVALID_ARGUMENT', 'CSV delimiter and quote must be single characters.', { ...dialect });
    }
    this.delim = dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quote.charCodeAt(0);
  }

  private grow(): void {
    const n = this.fieldStart.length * 2;
    const g32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    this.fieldStart = g32(this.fieldStart);
    this.fieldEnd = g32(this.fieldEnd);
    this.fieldH1 = g32(this.fieldH1);
    this.fieldH2 = g32(this.fieldH2);
    const q = new Uint8Array(n); q.set(this.fieldQuoted); this.fieldQuoted = q;
  }

  /**
   * Set when the current record was read in chunks (too long to buffer, see long-record.ts): its fields'
   * values, long ones clipped. fieldStart/fieldEnd then give each field's unescaped length, not a position.
   */
  detached: (string | ClippedValue)[] | null = null;

  /** Make a record read by readLongRecord the current record. */
  setDetached(r: LongRecord, startLine: number): void {
    while (this.fieldStart.length < r.nf) this.grow();
    for (let i = 0; i < r.nf; i++) {
      this.fieldStart[i] = 0; this.fieldEnd[i] = r.bytes[i]!; this.fieldQuoted[i] = r.quoted[i]!;
      this.fieldH1[i] = r.h1[i]!; this.fieldH2[i] = r.h2[i]!;
    }
    this.nf = r.nf;
    this.buf = new Uint8Array(0);
    this.recStart = 0;
    this.recLength = r.length;
    this.recLine = startLine;
    this.line = r.nextLine;
    this.detached = r.cells;
  }

  /** Decode field `i` of the current record as a string. */
  cell(i: number): string {
    if (i >= this.nf) return '';
    if (this.detached) {
      const v = this.detached[i]!;
      if (typeof v === 'string') return v;
      throw new DiffError('E_CSV_MALFORMED', `Malformed CSV at line ${this.recLine}: field ${i + 1} is ${v.bytes} bytes long, too long to use as a column name or key.`, { line: this.recLine, field: i + 1, reason: 'field-too-long', bytes: v.bytes });
    }
    const s = this.fieldStart[i]!;
    const e = this.fieldEnd[i]!;
    const b = this.buf;
    const str = utf8Decode(b, s, e);
    if (this.fieldQuoted[i] === 2) {
      const q = String.fromCharCode(this.quote);
      return str.split(q + q).join(q);
    }
    return str;
  }

  /**
   * Field `i` as a cell, clipped (hashed straight from the bytes, no string made) when longer than `max` bytes,
   * so a huge cell never becomes a huge string.
   */
  cellClipped(i: number, max: number): string | ClippedValue {
    if (this.detached) return i < this.nf ? this.detached[i]! : '';
    if (i < this.nf && this.fieldEnd[i]! - this.fieldStart[i]! > max) {
      const c = clipBytes(this.buf, this.fieldStart[i]!, this.fieldEnd[i]!, this.fieldQuoted[i] === 2 ? this.quote : -1);
      // Clip on the unescaped length, as every other reader does, so equal values always compare alike.
      if (c.bytes > max) return c;
    }
    return this.cell(i);
  }

  cellsClipped(max: number): (string | ClippedValue)[] {
    const out = new Array<string | ClippedValue>(this.nf);
    for (let i = 0; i < this.nf; i++) out[i] = this.cellClipped(i, max);
    return out;
  }

  /** All fields of the current record as strings. */
  cells(): string[] {
    const out = new Array<string>(this.nf);
    for (let i = 0; i < this.nf; i++) out[i] = this.cell(i);
    return out;
  }

  /** True for a blank line (one empty unquoted field). Blank lines are skipped by readers. */
  isBlank(): boolean {
    return this.nf === 1 && this.fieldQuoted[0] === 0 && this.fieldEnd[0] === this.fieldStart[0];
  }

  /**
   * Scan complete records in buf[start, end). Calls `onRecord` for each (fields are valid only during the call).
   * Returns the offset just after the last complete record. When `eof` is false a record cut off by `end` is
   * left unconsumed so the caller can append more input and call again. At most `maxRecords` records are read.
   */
  scan(buf: Uint8Array, start: number, end: number, eof: boolean, onRecord: (s: CsvScanner) => void, maxRecords = Infinity): number {
    this.buf = buf;
    this.detached = null;
    const D = this.delim;
    const Q = this.quote;
    let pos = start;
    let consumed = start;
    let left = maxRecords;
    outer: while (pos < end && left-- > 0) {
      const recStart = pos;
      const startLine = this.line;
      let line = startLine;
      let nf = 0;
      for (;;) {
        if (nf === this.fieldStart.length) this.grow();
        let h1 = FNV;
        let h2 = SEED2;
        let fs: number;
        let fe: number;
        let quoted = 0;
        if (pos < end && buf[pos] === Q) {
          pos++;
          fs = pos;
          quoted = 1;
          for (;;) {
            if (pos >= end) {
              if (!eof) break outer;
              throw new DiffError('E_CSV_MALFORMED', `Malformed CSV at line ${startLine}: a quoted field is never closed. Add the missing closing quote (${String.fromCharCode(Q)}).`, { line: startLine, field: nf + 1, reason: 'unclosed-quote' });
            }
            const c = buf[pos]!;
            if (c === Q) {
              if (pos + 1 >= end && !eof) break outer;
              if (pos + 1 < end && buf[pos + 1] === Q) { // (never look past end: the bytes there are stale)
                quoted = 2;
                h1 = Math.imul(h1 ^ c, 16777619);
                h2 = (Math.imul(h2, 31) + c) | 0;
                pos += 2;
                continue;
              }
              break;
            }
            if (c === LF) line++;
            else if (c === CR && (pos + 1 >= end || buf[pos + 1] !== LF)) line++;
            h1 = Math.imul(h1 ^ c, 16777619);
            h2 = (Math.imul(h2, 31) + c) | 0;
            pos++;
          }
          fe = pos;
          pos++; // closing quote
          if (pos < end) {
            const c = buf[pos]!;
            if (c !== D && c !== LF && c !== CR) {
              throw new DiffError('E_CSV_MALFORMED', `Malformed CSV at line ${line}: unexpected character ${JSON.stringify(String.fromCharCode(c))} after a closing quote in field ${nf + 1}. Quote the whole field and double any quotes inside it.`, { line, field: nf + 1, reason: 'text-after-quote' });
            }
          } else if (!eof) break outer;
        } else {
          fs = pos;
          while (pos < end) {
            const c = buf[pos]!;
            if (c === D || c === LF || c === CR) break;
            h1 = Math.imul(h1 ^ c, 16777619);
            h2 = (Math.imul(h2, 31) + c) | 0;
            pos++;
          }
          if (pos >= end && !eof) break outer;
          fe = pos;
        }
        this.fieldStart[nf] = fs;
        this.fieldEnd[nf] = fe;
        this.fieldQuoted[nf] = quoted;
        this.fieldH1[nf] = h1;
        this.fieldH2[nf] = h2;
        nf++;
        if (pos >= end) break; // eof
        const c = buf[pos]!;
        if (c === D) { pos++; if (pos >= end && !eof) break outer; if (pos >= end) { // trailing delimiter at EOF
          if (nf === this.fieldStart.length) this.grow();
          this.fieldStart[nf] = pos; this.fieldEnd[nf] = pos; this.fieldQuoted[nf] = 0; this.fieldH1[nf] = FNV; this.fieldH2[nf] = SEED2; nf++;
          break;
        } continue; }
        if (c === CR) {
          if (pos + 1 >= end && !eof) break outer;
          pos++;
          if (pos < end && buf[pos] === LF) pos++;
        } else {
          pos++; // LF
        }
        line++;
        break;
      }
      this.nf = nf;
      this.recStart = recStart;
      this.recLength = pos - recStart;
      this.recLine = startLine;
      this.line = line;
      consumed = pos;
      onRecord(this);
    }
    return consumed;
  }
}

/** Parse a complete in-memory CSV text or buffer into records (blank lines skipped). For small inputs and tests. */
export function parseCsv(input: string | Uint8Array, dialect: CsvDialect = { delimiter: ',', quote: '"' }): string[][] {
  let buf = typeof input === 'string' ? utf8Encode(input) : input;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
  const sc = new CsvScanner(dialect);
  const out: string[][] = [];
  sc.scan(buf, 0, buf.length, true, (s) => { if (!s.isBlank()) out.push(s.cells()); });
  return out;
}

/** One field written with minimal quoting: quoted (its quotes doubled) only when it holds the delimiter, a quote, CR or LF. */
export function csvField(v: string, dialect: CsvDialect): string {
  const { delimiter: d, quote: q } = dialect;
  const needs = v.includes(d) || v.includes(q) || v.includes('\n') || v.includes('\r');
  return needs ? q + v.split(q).join(q + q) + q : v;
}

/** Serialise records as CSV, quoting only where needed. Used by apply helpers and tests. */
export function formatCsv(rows: readonly (readonly string[])[], dialect: CsvDialect = { delimiter: ',', quote: '"' }, eol = '\n'): string {
  const q = dialect.quote;
  return rows.map((r) => (r.length === 1 && r[0] === '' ? q + q : r.map((v) => csvField(v, dialect)).join(dialect.delimiter))).join(eol) + (rows.length ? eol : '');
}

export { INCOMPLETE };
