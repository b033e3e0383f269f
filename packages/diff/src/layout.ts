/**
 * How data is written, below the data level: line endings, delimiter, quoting, BOM, encoding, final newline,
 * JSON indentation and key order. Pure functions over bytes; the diff reports what differs between two
 * versions as `formatChanges`, so two files that hold the same data but differ in bytes are never "identical".
 */
import { CsvScanner, type CsvDialect } from './csv/scanner.js';
import { looksLikeText } from './detect.js';
import { latin1Decode } from './bytes.js';

export type LineEnding = 'LF' | 'CRLF' | 'CR' | 'mixed' | 'none';
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'other';
export type QuotingStyle = 'minimal' | 'all' | 'non-numeric' | 'mixed';

/** A CSV/TSV file's dialect, read from its first 64 KiB and its last two bytes. */
export interface CsvFileDialect extends CsvDialect {
  lineEnding: LineEnding;
  bom: boolean;
  encoding: Encoding;
  /** minimal: only fields that need quotes are quoted; all: every field; non-numeric: every non-number. */
  quoting: QuotingStyle;
  trailingNewline: boolean;
}

/** One thing that differs in how the data is written. `a`/`b` are display values (`LF`, `CRLF`, `tab`). */
export interface FormatChange {
  aspect:
    | 'format' | 'encoding' | 'bom' | 'line-endings' | 'trailing-newline' | 'delimiter' | 'quote' | 'quoting'
    | 'indentation' | 'whitespace' | 'key-order' | 'notation' | 'sheet-order' | 'parts' | 'sqlite-header' | 'bytes';
  a: string;
  b: string;
  /** key-order: the JSON path of the first object whose keys are in a different order. */
  path?: string;
  /** parts: zip parts (XLSX) added, removed or changed without any cell change. */
  parts?: string[];
  /** sqlite-header: which header field. bytes: offset of the first differing byte. */
  field?: string;
  offset?: number;
}

const LF = 10;
const CR = 13;

export function hasBom(head: Uint8Array): boolean {
  return head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
}

export function guessEncoding(head: Uint8Array): Encoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return looksLikeText(head) ? 'utf-8' : 'other';
}

function endingOf(crlf: number, lf: number, cr: number): LineEnding {
  const kinds = (crlf > 0 ? 1 : 0) + (lf > 0 ? 1 : 0) + (cr > 0 ? 1 : 0);
  if (kinds === 0) return 'none';
  if (kinds > 1) return 'mixed';
  return crlf > 0 ? 'CRLF' : lf > 0 ? 'LF' : 'CR';
}

/** Line endings of raw text bytes (every line break counts). */
export function lineEndingOf(buf: Uint8Array, start = 0, end = buf.length): LineEnding {
  let crlf = 0, lf = 0, cr = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === LF) lf++;
    else if (c === CR) {
      if (i + 1 < end && buf[i + 1] === LF) { crlf++; i++; } else cr++;
    }
  }
  return endingOf(crlf, lf, cr);
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Describe a CSV file's dialect from its first bytes (`complete` when they are the whole file) and its
 * last byte. Line endings count record terminators only (a line break inside a quoted field is data).
 */
export function describeCsv(head: Uint8Array, tail: Uint8Array, dialect: CsvDialect, complete: boolean): CsvFileDialect {
  const lastByte = tail[tail.length - 1];
  const start = hasBom(head) ? 3 : 0;
  const sc = new CsvScanner(dialect);
  const D = sc.delim, Q = sc.quote;
  let crlf = 0, lf = 0, cr = 0;
  let quotedUnneeded = 0, quotedUnneededNumeric = 0, unquoted = 0, unquotedText = 0;
  try {
    sc.scan(head, start, head.length, complete, (s) => {
      const endRec = s.recStart + s.recLength;
      const last = s.buf[endRec - 1];
      if (last === LF) { if (s.buf[endRec - 2] === CR) crlf++; else lf++; }
      else if (last === CR) cr++;
      if (s.isBlank()) return;
      for (let f = 0; f < s.nf; f++) {
        const fs = s.fieldStart[f]!, fe = s.fieldEnd[f]!;
        let needs = false;
        for (let i = fs; i < fe && !needs; i++) { const c = s.buf[i]; needs = c === D || c === Q || c === CR || c === LF; }
        const numeric = fe > fs && fe - fs < 64 && NUMERIC.test(latin1Decode(s.buf, fs, fe));
        if (s.fieldQuoted[f]! > 0) {
          if (!needs) { quotedUnneeded++; if (numeric) quotedUnneededNumeric++; }
        } else {
          unquoted++;
          if (fe > fs && !numeric) unquotedText++;
        }
      }
    });
  } catch {
    // Malformed data is reported by the data diff; the dialect keeps what was counted so far.
  }
  const quoting: QuotingStyle = quotedUnneeded === 0 ? 'minimal' : unquoted === 0 ? 'all'
    : quotedUnneededNumeric === 0 && unquotedText === 0 ? 'non-numeric' : 'mixed';
  return {
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    // A first record longer than the head: the file's last line break tells.
    lineEnding: crlf + lf + cr === 0 && !complete ? lineEndingOf(tail) : endingOf(crlf, lf, cr),
    bom: hasBom(head),
    encoding: guessEncoding(head),
    quoting,
    trailingNewline: lastByte === LF || lastByte === CR,
  };
}

const charName = (c: string) => ({ ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe', '"': 'double quote', "'": 'single quote', ' ': 'space' })[c] ?? JSON.stringify(c);
const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const bomText = (b: boolean) => (b ? 'UTF-8 BOM' : 'none');

/** What differs between two CSV dialects, in a fixed order. */
export function csvDialectChanges(a: CsvFileDialect, b: CsvFileDialect): FormatChange[] {
  const out: FormatChange[] = [];
  if (a.encoding !== b.encoding) out.push({ aspect: 'encoding', a: a.encoding, b: b.encoding });
  if (a.bom !== b.bom) out.push({ aspect: 'bom', a: bomText(a.bom), b: bomText(b.bom) });
  if (a.lineEnding !== b.lineEnding) out.push({ aspect: 'line-endings', a: a.lineEnding, b: b.lineEnding });
  if (a.trailingNewline !== b.trailingNewline) out.push({ aspect: 'trailing-newline', a: yesNo(a.trailingNewline), b: yesNo(b.trailingNewline) });
  if (a.delimiter !== b.delimiter) out.push({ aspect: 'delimiter', a: charName(a.delimiter), b: charName(b.delimiter) });
  if (a.quote !== b.quote) out.push({ aspect: 'quote', a: charName(a.quote), b: charName(b.quote) });
  if (a.quoting !== b.quoting) out.push({ aspect: 'quoting', a: a.quoting, b: b.quoting });
  return out;
}

/** Layout of a text file (also used for JSON): BOM, line endings, final newline. */
export interface TextLayout {
  bom: boolean;
  encoding: Encoding;
  lineEnding: LineEnding;
  trailingNewline: boolean;
}

export function describeText(buf: Uint8Array): TextLayout {
  const last = buf[buf.length - 1];
  return { bom: hasBom(buf), encoding: guessEncoding(buf.subarray(0, 64 * 1024)), lineEnding: lineEndingOf(buf), trailingNewline: last === LF || last === CR };
}

export function textLayoutChanges(a: TextLayout, b: TextLayout): FormatChange[] {
  const out: FormatChange[] = [];
  if (a.encoding !== b.encoding) out.push({ aspect: 'encoding', a: a.encoding, b: b.encoding });
  if (a.bom !== b.bom) out.push({ aspect: 'bom', a: bomText(a.bom), b: bomText(b.bom) });
  if (a.lineEnding !== b.lineEnding) out.push({ aspect: 'line-endings', a: a.lineEnding, b: b.lineEnding });
  if (a.trailingNewline !== b.trailingNewline) out.push({ aspect: 'trailing-newline', a: yesNo(a.trailingNewline), b: yesNo(b.trailingNewline) });
  return out;
}

/** Indentation of JSON text: `compact` (one line), `2 spaces`, `4 spaces`, `tabs`, … from the first indented line. */
export function jsonIndentation(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text.length > 1 << 20 ? text.slice(0, 1 << 20) : text);
  if (!m) return /\n\s*\S/.test(text.slice(0, 1 << 20)) ? 'none' : 'compact';
  const ws = m[1]!;
  if (/^\t+$/.test(ws)) return 'tabs';
  if (/^ +$/.test(ws)) return `${ws.length} space${ws.length === 1 ? '' : 's'}`;
  return 'mixed';
}

/** True when two JSON texts are equal once whitespace outside strings is ignored (BOM ignored too). */
export function sameJsonTokens(a: string, b: string): boolean {
  let i = a.charCodeAt(0) === 0xfeff ? 1 : 0;
  let j = b.charCodeAt(0) === 0xfeff ? 1 : 0;
  const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  let inStr = false;
  for (;;) {
    if (!inStr) {
      while (i < a.length && isWs(a.charCodeAt(i))) i++;
      while (j < b.length && isWs(b.charCodeAt(j))) j++;
    }
    if (i >= a.length || j >= b.length) return i >= a.length && j >= b.length;
    const c = a.charCodeAt(i);
    if (c !== b.charCodeAt(j)) return false;
    if (inStr && c === 92) { // backslash: the escaped char follows verbatim
      if (a.charCodeAt(i + 1) !== b.charCodeAt(j + 1)) return false;
      i += 2; j += 2; continue;
    }
    if (c === 34) inStr = !inStr;
    i++; j++;
  }
}

/** SQLite header fields (first 100 bytes) that change the file but not the schema or rows. */
export function sqliteHeaderChanges(a: Uint8Array, b: Uint8Array): FormatChange[] {
  if (a.length < 100 || b.length < 100) return [];
  const A = new DataView(a.buffer, a.byteOffset, 100), B = new DataView(b.buffer, b.byteOffset, 100);
  const pageSize = (h: DataView) => { const v = h.getUint16(16); return String(v === 1 ? 65536 : v); };
  const journal = (h: DataView) => (h.getUint8(18) === 2 ? 'WAL' : 'rollback');
  const enc = (h: DataView) => ['?', 'UTF-8', 'UTF-16le', 'UTF-16be'][h.getUint32(56)] ?? '?';
  const fields: [string, (h: DataView) => string][] = [
    ['page size', pageSize], ['journal mode', journal], ['text encoding', enc],
    ['user_version', (h) => String(h.getInt32(60))], ['application_id', (h) => String(h.getInt32(68))],
    ['page count', (h) => String(h.getUint32(28))],
  ];
  const out: FormatChange[] = [];
  for (const [field, f] of fields) if (f(A) !== f(B)) out.push({ aspect: 'sqlite-header', field, a: f(A), b: f(B) });
  return out;
}
