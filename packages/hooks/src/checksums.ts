/**
 * `checksums.txt` in exactly the format `sha256sum -c` reads: `<64 hex>  <path>` per line, paths
 * relative to the repo root. Names containing `\`, a newline or a carriage return use coreutils' escaped
 * form (one implementation, shared with core's exports: @savepoint/core/checksums). Pure: text in, text out.
 */
import { checksumLine, unescapeChecksumName } from '@savepoint/core/checksums';

export const CHECKSUMS_FILE = 'checksums.txt';

export interface ChecksumEntry {
  path: string;
  sha256: string;
}

export interface ParsedChecksums {
  entries: Map<string, string>;
  /** Lines that are not entries (comments, other tools' lines); kept verbatim, in order. */
  other: string[];
}

const LINE_RE = /^(\\?)([0-9a-fA-F]{64}) [ *](.+)$/;

export function parseChecksums(text: string): ParsedChecksums {
  const entries = new Map<string, string>();
  const other: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const m = LINE_RE.exec(line);
    if (!m) {
      other.push(line);
      continue;
    }
    const name = m[1] ? unescapeChecksumName(m[3] ?? '') : (m[3] ?? '');
    entries.set(name, (m[2] ?? '').toLowerCase());
  }
  return { entries, other };
}

export function formatChecksumLine(entry: ChecksumEntry): string {
  return checksumLine(entry.sha256, entry.path);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Set/replace entries, keep every other entry and line, sort entries by path (byte order, like `LC_ALL=C sort`). */
export function mergeChecksums(existing: string, updates: readonly ChecksumEntry[]): string {
  const parsed = parseChecksums(existing);
  for (const u of updates) {
    if (!/^[0-9a-f]{64}$/.test(u.sha256)) throw new Error(`mergeChecksums: not a sha256 hex digest: ${u.sha256}`);
    parsed.entries.set(u.path, u.sha256);
  }
  const paths = [...parsed.entries.keys()].sort(byteOrder);
  const lines = [...parsed.other, ...paths.map((p) => formatChecksumLine({ path: p, sha256: parsed.entries.get(p) as string }))];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
