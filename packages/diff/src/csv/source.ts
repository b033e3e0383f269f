import { openSync, closeSync } from 'node:fs';
import { DiffError, fromNodeError } from '../errors.js';
import { columnSalt, fmix32, uniqueNames } from '../table/compare.js';
import type { RowSource } from '../table/source.js';
import type { Cell } from '../table/types.js';
import { readCsvHeader, readCsvSpans, scanCsvFile } from './file.js';
import type { CsvDialect } from './scanner.js';

export interface CsvSource extends RowSource {
  readonly dialect: CsvDialect;
  /** Header exactly as in the file (before making names unique). */
  readonly rawHeader: string[];
}

function wrongWidth(label: string, line: number, want: number, got: number): DiffError {
  return new DiffError(
    'E_CSV_MALFORMED',
    `Malformed CSV in ${label} at line ${line}: expected ${want} fields (as in the header) but found ${got}. Fix that line and try again.`,
    { label, line, expected: want, found: got, reason: 'field-count' },
  );
}

/**
 * Open a CSV/TSV file as a streaming row source. Rows are fingerprinted straight from the bytes
 * (no strings are made except key cells), so a pass over a large file allocates almost nothing.
 */
export async function openCsvSource(path: string, label: string, dialect: CsvDialect): Promise<CsvSource> {
  const { header: rawHeader, line: headerLine } = await readCsvHeader(path, dialect);
  const header = uniqueNames(rawHeader);
  const width = rawHeader.length;

  const scanRows = async (
    visitRecord: (s: import('./scanner.js').CsvScanner, base: number) => void | false,
  ): Promise<void> => {
    let first = true;
    await scanCsvFile(path, dialect, (s, base) => {
      if (first) { first = false; return; }
      if (s.nf !== width) {
        try {
          throw wrongWidth(label, s.recLine, width, s.nf);
        } catch (e) {
          throw e;
        }
      }
      return visitRecord(s, base);
    });
  };

  const source: CsvSource = {
    label,
    header,
    rawHeader,
    dialect,
    async scan(keyCols, unionIndex, visit) {
      const s1 = Int32Array.from(unionIndex, (u) => (u < 0 ? 0 : columnSalt(u, 1)));
      const s2 = Int32Array.from(unionIndex, (u) => (u < 0 ? 0 : columnSalt(u, 2)));
      const use = Uint8Array.from(unionIndex, (u) => (u < 0 ? 0 : 1));
      const single = keyCols && keyCols.length === 1 ? keyCols[0]! : -1;
      await scanRows((s, base) => {
        let r1 = 0;
        let r2 = 0;
        const fs = s.fieldStart, fe = s.fieldEnd, f1 = s.fieldH1, f2 = s.fieldH2;
        for (let i = 0; i < s.nf; i++) {
          if (fe[i] === fs[i] || use[i] === 0) continue;
          r1 = (r1 + fmix32(f1[i]! ^ s1[i]!)) | 0;
          r2 = (r2 + fmix32(f2[i]! ^ s2[i]!)) | 0;
        }
        let key: string | null = null;
        if (single >= 0) key = s.cell(single);
        else if (keyCols) key = JSON.stringify(keyCols.map((k) => s.cell(k)));
        return visit(key, r1, r2, s.recLine, base + s.recStart, s.recLength);
      });
    },
    async fetch(refs) {
      if (refs.length === 0) return [];
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (e) {
        throw fromNodeError(e, path);
      }
      try {
        return readCsvSpans(fd, dialect, refs.map((r) => ({ offset: r.ref1, length: r.ref2 }))) as Cell[][];
      } finally {
        closeSync(fd);
      }
    },
    async sample(n) {
      const out: Cell[][] = [];
      if (n <= 0) return out;
      await scanRows((s) => {
        out.push(s.cells());
        return out.length < n ? undefined : false;
      });
      return out;
    },
  };
  void headerLine;
  return source;
}
