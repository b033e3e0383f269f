import { DiffError } from '../errors.js';
import { diffTables, showName, type Note } from '../table/engine.js';
import { memorySource } from '../table/source.js';
import { uniqueNames } from '../table/compare.js';
import type { FormatChange, SheetDiff, XlsxDiffResult } from '../types.js';
import { readWorkbook, type SheetData } from './read.js';

/** Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function sheetTable(label: string, sheet: SheetData) {
  const [first, ...rest] = sheet.rows;
  const header = uniqueNames((first ?? []).map((h, i) => (h === '' || h === null ? columnLetter(i) : typeof h === 'string' ? h : h.head)));
  return memorySource(`${label}!${sheet.name}`, header, rest, sheet.rowNumbers.slice(1));
}

export async function diffXlsx(
  a: { path: string; label: string }, b: { path: string; label: string },
  opts: { key?: string[]; tolerance?: number; limit: number; detectKey?: boolean; maxCellBytes?: number },
): Promise<Omit<XlsxDiffResult, 'a' | 'b'>> {
  const [wa, wb] = await Promise.all([readWorkbook(a.path, a.label, opts.maxCellBytes), readWorkbook(b.path, b.label, opts.maxCellBytes)]);
  const namesA = wa.map((s) => s.name);
  const namesB = wb.map((s) => s.name);
  const sheetsAdded = namesB.filter((n) => !namesA.includes(n));
  const sheetsRemoved = namesA.filter((n) => !namesB.includes(n));
  const sheets: SheetDiff[] = [];
  const notes: Note[] = [];
  const pairs = wa.flatMap((sa) => {
    const sb = wb.find((s) => s.name === sa.name);
    return sb ? [{ name: sa.name, A: sheetTable(a.label, sa), B: sheetTable(b.label, sb) }] : [];
  });
  // A --key applies to the sheets that have those columns; a key no shared sheet has is an error, not silently ignored.
  const hasKey = (p: (typeof pairs)[number]) => !!opts.key && opts.key.every((k) => p.A.header.includes(k) && p.B.header.includes(k));
  if (opts.key && pairs.length > 0 && !pairs.some(hasKey)) {
    const k = opts.key.find((c) => !pairs.some((p) => p.A.header.includes(c) && p.B.header.includes(c))) ?? opts.key[0]!;
    throw new DiffError('E_CSV_KEY_NOT_FOUND', `Key column ${showName(k)} is in no sheet that both ${a.label} and ${b.label} have (sheets: ${pairs.map((p) => showName(p.name)).join(', ')}). Check the column name in the first row of the sheet.`, { key: k, keys: opts.key, sheets: pairs.map((p) => p.name) });
  }
  for (const p of pairs) {
    const d = await diffTables(p.A, p.B, { ...opts, key: hasKey(p) ? opts.key : undefined });
    sheets.push({ name: p.name, ...d });
  }
  const sharedA = namesA.filter((n) => namesB.includes(n));
  const sharedB = namesB.filter((n) => namesA.includes(n));
  const formatChanges: FormatChange[] = sharedA.join('\0') !== sharedB.join('\0') ? [{ aspect: 'sheet-order', a: sharedA.join(', '), b: sharedB.join(', ') }] : [];
  const sum = (f: (s: SheetDiff) => number) => sheets.reduce((t, s) => t + f(s), 0);
  const sheetsChanged = sheets.filter((s) => s.summary.added + s.summary.removed + s.summary.changed + s.summary.moved + s.columns.added.length + s.columns.removed.length > 0 || s.columns.reordered).length;
  return {
    format: 'xlsx',
    identical: sheetsAdded.length === 0 && sheetsRemoved.length === 0 && sheetsChanged === 0 && formatChanges.length === 0,
    formatChanges,
    summary: {
      sheetsAdded: sheetsAdded.length, sheetsRemoved: sheetsRemoved.length, sheetsChanged,
      rowsAdded: sum((s) => s.summary.added), rowsRemoved: sum((s) => s.summary.removed), rowsChanged: sum((s) => s.summary.changed), cellsChanged: sum((s) => s.summary.cellsChanged),
    },
    sheetsAdded,
    sheetsRemoved,
    sheets,
    notes,
  };
}
