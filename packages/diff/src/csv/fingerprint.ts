import { DiffError } from '../errors.js';
import { columnSalt, fmix32 } from '../table/compare.js';
import { CHUNK, scanCsvFile, streamCsvBytes } from './file.js';
import { readLongRecord } from './long-record.js';
import { CsvScanner, csvField, type CsvDialect } from './scanner.js';
import { MAX_CELL_BYTES } from '../clip.js';
import { rowFingerprinter, wrongWidth } from './rows.js';
import type { FingerprintVisit } from './rows.js';
import { KeyRecorder, type KeyRun } from './key-order.js';

export interface FingerprintJob {
  path: string;
  label: string;
  dialect: CsvDialect;
  /** Number of header fields; every row must have as many. */
  width: number;
  keyCols: number[] | null;
  unionIndex: number[];
  /**
   * Both versions have the same columns in the same order and the same dialect: rows get the canonical
   * fingerprint (see fingerprintCanonical), which is much faster to compute.
   */
  canonical?: boolean;
  /** Bytes read at a time (tests use small chunks to split records across reads). */
  chunk?: number;
  maxCellBytes?: number;
  /** Expected number of rows (sizes the arrays of fingerprintToArrays). */
  rowEstimate?: number;
}

export { wrongWidth } from './rows.js';
export type { FingerprintVisit } from './rows.js';

/**
 * Stream the data rows of a CSV file (header skipped) and fingerprint each (csv/rows.ts rowFingerprinter).
 * With one key column and the canonical fingerprint, also returns the key bytes while the keys are strictly
 * increasing (csv/key-order.ts), for a merge of two sorted versions; otherwise null.
 */
export async function fingerprintCsv(job: FingerprintJob, visit: FingerprintVisit): Promise<KeyRun | null> {
  if (job.canonical && canonicalAllowed(job.width, job.chunk ?? CHUNK)) return fingerprintCanonical(job, visit);
  await scanCsvFile(job.path, job.dialect, rowFingerprinter(job, visit), job.maxCellBytes ?? MAX_CELL_BYTES, job.chunk ?? CHUNK);
  return null;
}

/** Fingerprints of every row, in typed arrays (so they can be transferred from a worker thread). */
export interface RowArrays {
  n: number;
  kh1: Int32Array;
  kh2: Int32Array;
  h1: Int32Array;
  h2: Int32Array;
  line: Int32Array;
  r1: Float64Array;
  r2: Int32Array;
  /** The key bytes while the keys are sorted (see fingerprintCsv), or null. */
  keys: KeyRun | null;
}

export async function fingerprintToArrays(job: FingerprintJob): Promise<RowArrays> {
  let cap = Math.max(1 << 10, Math.ceil(job.rowEstimate ?? 1 << 14));
  let a: RowArrays = alloc(cap);
  let n = 0;
  const keys = await fingerprintCsv(job, (kh1, kh2, h1, h2, line, r1, r2) => {
    if (n === cap) {
      cap *= 2;
      const b = alloc(cap);
      b.kh1.set(a.kh1); b.kh2.set(a.kh2); b.h1.set(a.h1); b.h2.set(a.h2); b.line.set(a.line); b.r1.set(a.r1); b.r2.set(a.r2);
      a = b;
    }
    a.kh1[n] = kh1; a.kh2[n] = kh2; a.h1[n] = h1; a.h2[n] = h2; a.line[n] = line; a.r1[n] = r1; a.r2[n] = r2;
    n++;
  });
  a.n = n;
  a.keys = keys;
  return a;
}

function alloc(cap: number): RowArrays {
  return {
    n: 0,
    kh1: new Int32Array(cap), kh2: new Int32Array(cap), h1: new Int32Array(cap), h2: new Int32Array(cap),
    line: new Int32Array(cap), r1: new Float64Array(cap), r2: new Int32Array(cap), keys: null,
  };
}

const FNV = 0x811c9dc5 | 0;
const SEED2 = 0x9747b28c | 0;
const LF = 10;
const CR = 13;
/** Mixed into field-by-field fingerprints in canonical mode, to keep them apart from text fingerprints. */
const FIELDWISE1 = 0x3c6ef372 | 0;
const FIELDWISE2 = 0x1b873593 | 0;

/**
 * Canonical mode needs every record that is read in pieces (longer than 4 chunks, see streamCsvBytes) to be
 * fingerprinted field by field. Such a record is, when its canonical text is at most one chunk, made of at
 * least 1.5 chunks of quotes and delimiters: impossible with at most one chunk of fields.
 */
/**
 * The canonical text (cells joined by the delimiter, a cell quoted only when it holds the delimiter, a quote,
 * CR or LF, its quotes doubled) of cells already parsed, as UTF-8 bytes; null when a cell was clipped or the
 * text is longer than `limit` (such rows are fingerprinted field by field).
 */
export function canonicalCellsText(cells: readonly unknown[], dialect: CsvDialect, limit: number): Uint8Array | null {
  const parts: string[] = [];
  for (const c of cells) {
    if (typeof c !== 'string') return null; // a clipped cell
    parts.push(csvField(c, dialect));
  }
  const bytes = new TextEncoder().encode(parts.join(dialect.delimiter));
  return bytes.length > limit ? null : bytes;
}

export function canonicalAllowed(width: number, chunk: number): boolean {
  return width <= chunk;
}

/**
 * The text hash of canonical fingerprints: two 32-bit lanes over bytes u8[s, e), four bytes at a time and
 * the last 0–3 bytes one by one, finished with the length. Written into out[0], out[1].
 */
export function textHash(u8: Uint8Array, s: number, e: number, out: Int32Array, dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength)): void {
  let h1 = 0x2f5a3c17 | 0;
  let h2 = 0x6b43a9b5 | 0;
  const wend = s + ((e - s) & ~3);
  let k = s;
  for (; k < wend; k += 4) {
    const w = dv.getInt32(k, true);
    h1 = Math.imul(h1 ^ w, 0x9e3779b1); h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 + w, 0x85ebca6b); h2 ^= h2 >>> 13;
  }
  for (; k < e; k++) {
    const b = u8[k]!;
    h1 = Math.imul(h1 ^ b, 0x9e3779b1); h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 + b, 0x85ebca6b); h2 ^= h2 >>> 13;
  }
  const len = e - s;
  out[0] = fmix32(h1 ^ len);
  out[1] = fmix32(h2 ^ Math.imul(len, 0x27d4eb2d));
}

/** First index of byte `c` in buf[from, have), or `have`. */
function find(buf: Buffer, c: number, from: number, have: number): number {
  const i = buf.indexOf(c, from);
  return i < 0 || i > have ? have : i;
}

/**
 * Fingerprint rows like fingerprintCsv, but with the canonical row fingerprint, for two versions with the
 * same columns in the same order and the same dialect. A row whose cells hold no delimiter, quote, CR or LF
 * and whose canonical text (the cells joined by the delimiter) is at most one chunk long is fingerprinted by
 * textHash of that text; other rows field by field (as fingerprintCsv, tagged apart). The fingerprint depends
 * on the cells only, so rows with equal cells fingerprint alike however they are quoted or terminated, and
 * the diff is the same as with fingerprintCsv. Speed: a record without quotes or bare CRs (the common case)
 * is found with a native byte search and hashed four bytes at a time while its delimiters are counted in
 * the same words, never split into fields except up to its last key column; other records go through
 * CsvScanner.
 */
async function fingerprintCanonical(job: FingerprintJob, visit: FingerprintVisit): Promise<KeyRun | null> {
  const { keyCols, width, label, dialect } = job;
  const chunk = job.chunk ?? CHUNK;
  const limit = chunk;
  const maxCellBytes = job.maxCellBytes ?? MAX_CELL_BYTES;
  const sc = new CsvScanner(dialect);
  const D = sc.delim;
  const Q = sc.quote;
  const DDDD = Math.imul(D, 0x01010101);
  const s1 = Int32Array.from({ length: width }, (_, u) => columnSalt(u, 1));
  const s2 = Int32Array.from({ length: width }, (_, u) => columnSalt(u, 2));
  const single = keyCols && keyCols.length === 1 ? keyCols[0]! : -1;
  const maxKey = keyCols ? Math.max(-1, ...keyCols) : -1;
  // One key column: its bytes are kept while the keys are sorted (a row read by CsvScanner gives that up).
  const keys = single >= 0 ? new KeyRecorder(job.rowEstimate) : null;
  let kbuf = Buffer.allocUnsafe(256); // a Buffer, as the chunks are: one kind of array for KeyRecorder.add
  const kf1 = new Int32Array(width);
  const kf2 = new Int32Array(width);
  const out = new Int32Array(2);
  let scratch = new Uint8Array(256);
  let scratchView = new DataView(scratch.buffer);
  let first = true;
  let line = 1;
  let curBuf: Buffer | null = null;
  let dv: DataView = new DataView(new ArrayBuffer(0));
  let stop = false;
  let recBase = 0;

  const keyHash = (f1: Int32Array, f2: Int32Array): void => {
    let k1 = 0;
    let k2 = 0;
    if (single >= 0) { k1 = f1[single]!; k2 = f2[single]!; }
    else if (keyCols) {
      for (const k of keyCols) { k1 = (Math.imul(k1, 31) + fmix32(f1[k]!)) | 0; k2 = (Math.imul(k2, 37) + fmix32(f2[k]!)) | 0; }
    }
    out[0] = k1; out[1] = k2;
  };

  const room = (n: number): void => {
    if (scratch.length >= n) return;
    const bigger = new Uint8Array(Math.max(n, scratch.length * 2));
    bigger.set(scratch);
    scratch = bigger;
    scratchView = new DataView(scratch.buffer);
  };

  const fieldwise = (fs: Int32Array, fe: Int32Array, f1: Int32Array, f2: Int32Array): void => {
    let r1 = FIELDWISE1;
    let r2 = FIELDWISE2;
    for (let i = 0; i < width; i++) {
      if (fe[i] === fs[i]) continue;
      r1 = (r1 + fmix32(f1[i]! ^ s1[i]!)) | 0;
      r2 = (r2 + fmix32(f2[i]! ^ s2[i]!)) | 0;
    }
    out[0] = r1; out[1] = r2;
  };

  /**
   * A record read by CsvScanner (whatever the quick paths leave: literal quotes in unquoted fields, blank
   * records ended by CR, malformed records, records read in pieces). Builds the canonical text from the fields.
   */
  const slowRecord = (s: CsvScanner): void => {
    if (stop || s.isBlank()) return;
    if (first) { first = false; return; }
    if (s.nf !== width) throw wrongWidth(label, s.recLine, width, s.nf);
    keys?.stop();
    const fs = s.fieldStart, fe = s.fieldEnd, fq = s.fieldQuoted;
    if (s.detached !== null) {
      // Read by the long-record reader (more than the buffer holds between line feeds, e.g. a file whose rows
      // end with a bare CR): its canonical text may still be short, and the row must hash as it would anywhere.
      const text = canonicalCellsText(s.detached, dialect, limit);
      if (text) textHash(text, 0, text.length, out);
      else fieldwise(fs, fe, s.fieldH1, s.fieldH2);
      const r1 = out[0]!;
      const r2 = out[1]!;
      keyHash(s.fieldH1, s.fieldH2);
      if (visit(out[0]!, out[1]!, r1, r2, s.recLine, recBase + s.recStart, s.recLength, false) === false) stop = true;
      return;
    }
    const b = s.buf;
    let o = 0;
    let long = false;
    for (let i = 0; i < width && !long; i++) {
      const a = fs[i]!;
      const z = fe[i]!;
      if (o + (i > 0 ? 1 : 0) + (z - a) > limit) { long = true; break; } // canonical text too long already
      room(o + 2 * (z - a) + 3); // worst case: a delimiter, two quotes, every byte a doubled quote
      if (i > 0) scratch[o++] = D;
      if (fq[i] === 2) {
        // Has quotes, written with them doubled: its raw form is its canonical form.
        scratch[o++] = Q;
        for (let j = a; j < z; j++) scratch[o++] = b[j]!;
        scratch[o++] = Q;
        continue;
      }
      let needs = false;
      for (let j = a; j < z; j++) {
        const c = b[j]!;
        if (c === D || c === Q || c === LF || c === CR) { needs = true; break; }
      }
      if (!needs) { for (let j = a; j < z; j++) scratch[o++] = b[j]!; continue; }
      scratch[o++] = Q;
      for (let j = a; j < z; j++) { const c = b[j]!; scratch[o++] = c; if (c === Q) scratch[o++] = Q; }
      scratch[o++] = Q;
    }
    if (long || o > limit) fieldwise(fs, fe, s.fieldH1, s.fieldH2);
    else textHash(scratch, 0, o, out, scratchView);
    const r1 = out[0]!;
    const r2 = out[1]!;
    keyHash(s.fieldH1, s.fieldH2);
    if (visit(out[0]!, out[1]!, r1, r2, s.recLine, recBase + s.recStart, s.recLength, false) === false) stop = true;
  };

  /** Set by quotedRecord: the line after the record. */
  let qLine = 0;
  const INCOMPLETE = -1;
  const SCANNER = -2;
  /**
   * One record with quoted fields at buf[pos]: writes its canonical text to scratch (a quoted field keeps its
   * quotes only when it needs them) and hashes its key fields. Returns the offset after the record, INCOMPLETE
   * when it runs past the data read so far, or SCANNER for anything unusual (malformed, blank, a literal quote
   * in an unquoted field, a delimiter just before the end of the file, canonical text over the limit), which
   * CsvScanner then reads.
   */
  const quotedRecord = (buf: Buffer, pos: number, have: number, eof: boolean): number => {
    room(have - pos + 2);
    if (keys && kbuf.length < have - pos) kbuf = Buffer.allocUnsafe(Math.max(have - pos, kbuf.length * 2));
    const kb = kbuf;
    let kl = 0;
    const sc8 = scratch;
    let o = 0;
    let f = 0;
    let i = pos;
    let ln = line;
    for (;;) {
      if (f > 0) sc8[o++] = D;
      const key = f <= maxKey;
      const keep = f === single;
      let a1 = FNV;
      let a2 = SEED2;
      if (i < have && buf[i] === Q) {
        const o0 = o;
        sc8[o++] = Q;
        i++;
        let needs = false;
        for (;;) {
          if (i >= have) return eof ? SCANNER : INCOMPLETE;
          const c = buf[i]!;
          if (c === Q) {
            if (i + 1 >= have && !eof) return INCOMPLETE;
            if (i + 1 < have && buf[i + 1] === Q) {
              needs = true;
              sc8[o++] = Q; sc8[o++] = Q;
              if (key) { a1 = Math.imul(a1 ^ c, 16777619); a2 = (Math.imul(a2, 31) + c) | 0; }
              if (keep) kb[kl++] = c;
              i += 2;
              continue;
            }
            break;
          }
          if (c === D) needs = true;
          else if (c === LF) { needs = true; ln++; }
          else if (c === CR) {
            needs = true;
            if (i + 1 >= have && !eof) return INCOMPLETE;
            if (i + 1 >= have || buf[i + 1] !== LF) ln++;
          }
          if (key) { a1 = Math.imul(a1 ^ c, 16777619); a2 = (Math.imul(a2, 31) + c) | 0; }
          if (keep) kb[kl++] = c;
          sc8[o++] = c;
          i++;
        }
        i++; // closing quote
        if (needs) sc8[o++] = Q;
        else { sc8.copyWithin(o0, o0 + 1, o); o--; }
        if (i < have) {
          const c = buf[i]!;
          if (c !== D && c !== LF && c !== CR) return SCANNER;
        } else if (!eof) return INCOMPLETE;
      } else {
        const fs = i;
        for (; i < have; i++) {
          const c = buf[i]!;
          if (c === D || c === LF || c === CR) break;
          if (c === Q) return SCANNER;
          if (key) { a1 = Math.imul(a1 ^ c, 16777619); a2 = (Math.imul(a2, 31) + c) | 0; }
          if (keep) kb[kl++] = c;
          sc8[o++] = c;
        }
        if (i >= have && !eof) return INCOMPLETE;
        if (f === 0 && i === fs && (i >= have || buf[i] !== D)) return SCANNER; // blank
      }
      if (key) { kf1[f] = a1; kf2[f] = a2; }
      f++;
      if (i >= have) break; // end of file
      const c = buf[i]!;
      if (c === D) {
        i++;
        if (i >= have) return eof ? SCANNER : INCOMPLETE;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= have && !eof) return INCOMPLETE;
        i++;
        if (i < have && buf[i] === LF) i++;
      } else i++;
      ln++;
      break;
    }
    if (o > limit) return SCANNER;
    if (first) { first = false; qLine = ln; return i; } // header
    if (f !== width) throw wrongWidth(label, line, width, f);
    textHash(sc8, 0, o, out, scratchView);
    qh1 = out[0]!;
    qh2 = out[1]!;
    keyHash(kf1, kf2);
    keys?.add(kb, 0, kl);
    qLine = ln;
    qVisit = true;
    return i;
  };
  let qh1 = 0;
  let qh2 = 0;
  let qVisit = false;

  /**
   * The number of fields of the record buf[pos, e) (no CR in it, e its end) when it is its own canonical text:
   * every quoted field needs its quotes (holds a delimiter or a doubled quote; no line break, as e is the first
   * LF), no unquoted field holds a quote, nothing follows a closing quote but a delimiter, and the key fields
   * come before the first quoted one. Otherwise -1 (quotedRecord or CsvScanner reads it).
   */
  const rawCanonical = (buf: Buffer, pos: number, e: number): number => {
    let f = 0;
    let i = pos;
    for (;;) {
      if (i < e && buf[i] === Q) {
        if (f <= maxKey) return -1;
        let needs = false;
        i++;
        for (;;) {
          if (i >= e) return -1; // the quotes run past this line
          const c = buf[i]!;
          if (c === Q) {
            if (i + 1 < e && buf[i + 1] === Q) { needs = true; i += 2; continue; }
            break;
          }
          if (c === D) needs = true;
          i++;
        }
        if (!needs) return -1;
        i++; // closing quote
        f++;
        if (i === e) return f;
        if (buf[i] !== D) return -1;
        i++;
        continue;
      }
      for (; i < e; i++) {
        const c = buf[i]!;
        if (c === D) break;
        if (c === Q) return -1;
      }
      f++;
      if (i === e) return f;
      i++;
    }
  };

  await streamCsvBytes(
    job.path,
    chunk,
    (buf, start, have, eof, base) => {
      if (buf !== curBuf) { curBuf = buf; dv = new DataView(buf.buffer, buf.byteOffset, buf.length); }
      recBase = base;
      let pos = start;
      let nextQ = find(buf, Q, pos, have);
      let nextCR = find(buf, CR, pos, have);
      while (pos < have) {
        let lf = buf.indexOf(LF, pos);
        let e: number;
        let next: number;
        if (lf >= 0 && lf < have) { e = lf; next = lf + 1; }
        else if (eof) { e = have; next = have; }
        else break;
        if (nextQ < pos) nextQ = find(buf, Q, pos, have);
        if (nextCR < pos) nextCR = find(buf, CR, pos, have);
        if (e > pos && e === lf && nextCR === e - 1) e--; // CRLF
        let rawFields = -1;
        if (nextQ < e || nextCR < e || e - pos > limit) {
          // Quotes, a bare CR or a long record. Quoted fields that all need their quotes (and no key field
          // quoted): the record is its own canonical text, hashed below like an unquoted one.
          if (nextCR >= e && e - pos <= limit && !first && (e < have || buf[e - 1] !== D)) rawFields = rawCanonical(buf, pos, e);
        }
        if (rawFields < 0 && (nextQ < e || nextCR < e || e - pos > limit)) {
          if (e - pos <= limit) {
            qVisit = false;
            const r = quotedRecord(buf, pos, have, eof);
            if (r === INCOMPLETE) break;
            if (r !== SCANNER) {
              if (qVisit && visit(out[0]!, out[1]!, qh1, qh2, line, base + pos, r - pos, keys !== null && keys.order !== 0) === false) return false;
              line = qLine;
              pos = r;
              continue;
            }
          }
          sc.line = line;
          const c = sc.scan(buf, pos, have, eof, slowRecord, 1);
          if (stop) return false;
          if (c === pos) break; // cut off: needs more input
          line = sc.line;
          pos = c;
          continue;
        }
        if (e === pos) { line++; pos = next; continue; } // blank line
        if (first) { first = false; line++; pos = next; continue; } // header
        // Hash [pos, e) four bytes at a time, counting delimiters in the same words.
        let h1 = 0x2f5a3c17 | 0;
        let h2 = 0x6b43a9b5 | 0;
        let nd = 0;
        const wend = pos + ((e - pos) & ~3);
        let k = pos;
        for (; k < wend; k += 4) {
          const w = dv.getInt32(k, true);
          const x = w ^ DDDD;
          const m = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f); // bytes equal to D
          nd += Math.imul(m >>> 7, 0x01010101) >>> 24; // one high bit per delimiter byte
          h1 = Math.imul(h1 ^ w, 0x9e3779b1); h1 ^= h1 >>> 15;
          h2 = Math.imul(h2 + w, 0x85ebca6b); h2 ^= h2 >>> 13;
        }
        for (; k < e; k++) {
          const b = buf[k]!;
          if (b === D) nd++;
          h1 = Math.imul(h1 ^ b, 0x9e3779b1); h1 ^= h1 >>> 15;
          h2 = Math.imul(h2 + b, 0x85ebca6b); h2 ^= h2 >>> 13;
        }
        if (rawFields >= 0) nd = rawFields - 1; // delimiters inside quotes were counted too
        if (nd + 1 !== width) throw wrongWidth(label, line, width, nd + 1);
        const len = e - pos;
        const r1 = fmix32(h1 ^ len);
        const r2 = fmix32(h2 ^ Math.imul(len, 0x27d4eb2d));
        // Key fields, hashed as CsvScanner hashes fields.
        if (maxKey >= 0) {
          let f = 0;
          let a1 = FNV;
          let a2 = SEED2;
          let fst = pos;
          for (let i = pos; ; i++) {
            if (i === e || buf[i] === D) {
              kf1[f] = a1; kf2[f] = a2;
              if (f === single && keys !== null) keys.add(buf, fst, i);
              if (++f > maxKey) break;
              a1 = FNV; a2 = SEED2;
              fst = i + 1;
              continue;
            }
            const c = buf[i]!;
            a1 = Math.imul(a1 ^ c, 16777619);
            a2 = (Math.imul(a2, 31) + c) | 0;
          }
        }
        keyHash(kf1, kf2);
        if (visit(out[0]!, out[1]!, r1, r2, line, base + pos, next - pos, keys !== null && keys.order !== 0) === false) return false;
        line++;
        pos = next;
      }
      return pos;
    },
    (fd, base) => {
      const r = readLongRecord(fd, base, line, dialect, maxCellBytes);
      sc.setDetached(r, line);
      recBase = base;
      slowRecord(sc);
      line = r.nextLine;
      return stop ? false : r.length;
    },
  );
  return keys ? keys.run() : null;
}
