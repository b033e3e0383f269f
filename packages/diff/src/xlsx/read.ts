import ExcelJS from 'exceljs';
import { DiffError } from '../errors.js';
import type { Cell } from '../table/types.js';

export interface SheetData {
  name: string;
  /** Non-blank rows as display strings, padded to a common width. */
  rows: Cell[][];
  /** Excel row number of each entry in `rows`. */
  rowNumbers: number[];
}

/** Display string of one exceljs cell value (formulas show their cached result). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('result' in o && o.result !== undefined) return cellText(o.result);
    if (typeof o.formula === 'string') return `=${o.formula}`;
    if (typeof o.sharedFormula === 'string') return `=${o.sharedFormula}`;
    if (typeof o.error === 'string') return o.error;
    if (typeof o.text === 'string') return o.text;
    if ('text' in o) return cellText(o.text);
  }
  return String(v);
}

/**
 * Read every worksheet of an .xlsx file with exceljs' streaming reader (no full object model is built).
 * Throws E_XLSX_MALFORMED when the file is not a readable workbook.
 */
export async function readWorkbook(path: string, label = path): Promise<SheetData[]> {
  const sheets: SheetData[] = [];
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
    });
    for await (const ws of reader) {
      const name = String((ws as unknown as { name?: string }).name ?? `Sheet${sheets.length + 1}`);
      const rows: Cell[][] = [];
      const rowNumbers: number[] = [];
      for await (const row of ws) {
        const values = row.values as unknown[];
        const cells: string[] = [];
        for (let c = 1; c < values.length; c++) cells.push(cellText(values[c]));
        while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
        if (cells.length === 0) continue;
        rows.push(cells);
        rowNumbers.push(row.number);
      }
      const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
      for (const r of rows) while (r.length < width) r.push('');
      sheets.push({ name, rows, rowNumbers });
    }
  } catch (e) {
    if (e instanceof DiffError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err && err.code === 'ENOENT') throw new DiffError('E_FILE_NOT_FOUND', `Cannot read ${label}: no such file.`, { path }, { cause: e });
    throw new DiffError('E_XLSX_MALFORMED', `Cannot read ${label} as an Excel workbook: ${err?.message ?? String(e)}. Open and re-save it in Excel, or check it is really .xlsx.`, { label, reason: err?.message }, { cause: e });
  }
  return sheets;
}
