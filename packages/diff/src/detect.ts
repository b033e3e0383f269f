import { bytesEqual, indexOfAscii } from './bytes.js';

export type DataFormat = 'csv' | 'tsv' | 'json' | 'text' | 'xlsx' | 'sqlite' | 'binary';

export const HEAD_BYTES = 64 * 1024;

const TEXT_EXT = new Set([
  'txt', 'md', 'markdown', 'rst', 'log', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'xml', 'html', 'htm',
  'py', 'r', 'm', 'jl', 'js', 'ts', 'mjs', 'cjs', 'sh', 'sql', 'tex', 'bib', 'ipynb_checkpoints', 'gitignore', 'do', 'sas',
]);
const BINARY_EXT = new Set(['mat', 'h5', 'hdf5', 'he5', 'nc', 'npy', 'npz', 'parquet', 'feather', 'arrow', 'pkl', 'pickle', 'rds', 'rdata', 'zip', 'gz', 'png', 'jpg', 'jpeg', 'tif', 'tiff', 'pdf']);
const SQLITE_EXT = new Set(['sqlite', 'sqlite3', 'db', 'db3']);
const SQLITE_MAGIC = Uint8Array.from('SQLite format 3\0', (c) => c.charCodeAt(0));

function extOf(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** True when the bytes look like text: no NUL bytes and valid UTF-8 (a truncated trailing sequence is allowed). */
export function looksLikeText(head: Uint8Array): boolean {
  let i = 0;
  const n = head.length;
  while (i < n) {
    const c = head[i]!;
    if (c === 0) return false;
    if (c < 0x80) { i++; continue; }
    const len = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (len === 0 || c >= 0xf8) return false;
    for (let j = 1; j < len; j++) {
      if (i + j >= n) return true; // cut off by the head window
      if ((head[i + j]! & 0xc0) !== 0x80) return false;
    }
    i += len;
  }
  return true;
}

/**
 * Detect a data format from a logical file name (extension) and, when given, the first bytes of the content.
 * Content wins where it is unambiguous (an SQLite header, a zip that is a workbook, NUL bytes), so a
 * misnamed file is still diffed sensibly.
 */
export function detectFormat(name: string, headBytes?: Uint8Array): DataFormat {
  const ext = extOf(name);
  const head = headBytes;
  if (head) {
    if (head.length >= 16 && bytesEqual(head.subarray(0, 16), SQLITE_MAGIC)) return 'sqlite';
    const isZip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
    if (isZip) return ext === 'xlsx' || ext === 'xlsm' || indexOfAscii(head, 'xl/') >= 0 ? 'xlsx' : 'binary';
    if (head.length > 0 && !looksLikeText(head)) return 'binary';
  }
  if (ext === 'xlsx' || ext === 'xlsm') return head && head.length > 0 ? 'binary' : 'xlsx';
  if (SQLITE_EXT.has(ext)) return head && head.length > 0 ? 'binary' : 'sqlite';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'json' || ext === 'geojson') return 'json';
  if (BINARY_EXT.has(ext)) return 'binary';
  if (TEXT_EXT.has(ext)) return 'text';
  if (!head) return ext === '' ? 'text' : 'binary';
  // Unknown extension, text content: sniff JSON, then text.
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (head[i] === 0x7b || head[i] === 0x5b) return 'json';
  return 'text';
}
