import type { CsvDialect } from './scanner.js';
import { utf8Decode } from '../bytes.js';

const CANDIDATES = [',', '\t', ';', '|'];

/** Count fields per record in the first lines of `text` for one delimiter, honouring quotes. */
function fieldCounts(text: string, delim: string, quote: string, maxRecords: number): number[] {
  const counts: number[] = [];
  let n = 1;
  let inQ = false;
  let atFieldStart = true;
  for (let i = 0; i < text.length && counts.length < maxRecords; i++) {
    const c = text[i];
    if (inQ) {
      if (c === quote) {
        if (text[i + 1] === quote) i++;
        else inQ = false;
      }
      continue;
    }
    if (c === quote && atFieldStart) { inQ = true; atFieldStart = false; continue; }
    if (c === delim) { n++; atFieldStart = true; continue; }
    if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      counts.push(n);
      n = 1;
      atFieldStart = true;
      continue;
    }
    atFieldStart = false;
  }
  return counts.filter((_, i) => i < maxRecords);
}

/**
 * Detect delimiter and quote character from the first bytes of a file. The delimiter that splits the most
 * leading records into the same number (> 1) of fields wins; `preferred` (from the extension) wins ties
 * and is used when nothing splits.
 */
export function sniffDialect(head: Uint8Array, preferred: ',' | '\t' = ','): CsvDialect {
  let text = utf8Decode(head);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Drop a possibly cut-off last line.
  const lastNl = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  if (lastNl > 0 && head.byteLength >= 4096) text = text.slice(0, lastNl + 1);
  const quote = text.includes('"') || !/(^|[,;\t|\n])'/.test(text) ? '"' : "'";
  const order = [preferred, ...CANDIDATES.filter((c) => c !== preferred)];
  let best: string = preferred;
  let bestScore = 0;
  for (const d of order) {
    const counts = fieldCounts(text, d, quote, 50);
    if (counts.length === 0) continue;
    const first = counts[0]!;
    if (first < 2) continue;
    const consistent = counts.filter((c) => c === first).length;
    // Score: share of records agreeing with the header, weighted a little by field count.
    const score = (consistent / counts.length) * 1000 + Math.min(first, 50);
    if (score > bestScore) { best = d; bestScore = score; } // preferred is tried first, so it wins ties
  }
  return { delimiter: best, quote };
}
