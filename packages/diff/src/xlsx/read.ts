import ExcelJS from 'exceljs';
import { posix } from 'node:path';
import { DiffError } from '../errors.js';
import { clipString, MAX_CELL_BYTES } from '../clip.js';
import type { Cell } from '../table/types.js';
import { readZipDirectory, readZipEntry, zipStream, type ZipEntry } from './zip.js';

/** A sheet as the workbook lists it: its name (in workbook order) and the zip part holding its cells. */
export interface SheetRef {
  name: string;
  /** Part name inside the zip, e.g. `xl/worksheets/sheet3.xml`. */
  part: string;
  kind: 'worksheet' | 'chartsheet' | 'other';
  state?: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function xmlText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e] ?? m);
}

/** Attributes of each `<tag …>` element (any namespace prefix), names without their prefix except `r:id`-style ids kept as `id`. */
function elements(xml: string, tag: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const re = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${tag}\\b([^>]*?)/?>`, 'g');
  for (const m of xml.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const full = a[1]!;
      const local = full.includes(':') ? full.slice(full.indexOf(':') + 1) : full;
      const v = xmlText(a[2] ?? a[3] ?? '');
      // The relationship id is namespaced (r:id); a plain `id` attribute would be something else.
      attrs[full.includes(':') && local === 'id' ? 'rid' : local] = v;
    }
    out.push(attrs);
  }
  return out;
}

/** Resolve a relationship target against the part that owns the relationship. */
function resolveTarget(ownerPart: string, rawTarget: string): string {
  let target = rawTarget;
  try { target = decodeURIComponent(rawTarget); } catch { /* not percent-encoded */ }
  if (target.startsWith('/')) return posix.normalize(target.slice(1));
  return posix.normalize(posix.join(posix.dirname(ownerPart), target));
}

function relsPathOf(part: string): string {
  return posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
}

async function entryText(path: string, entries: Map<string, ZipEntry>, name: string): Promise<string | null> {
  const e = entries.get(name);
  return e ? (await readZipEntry(path, e, 32 * 1024 * 1024)).toString('utf8') : null;
}

/** What readWorkbook needs to know about the zip: the sheets in order and the parts exceljs reads. */
interface WorkbookLayout {
  entries: Map<string, ZipEntry>;
  workbookPart: string;
  relsPart: string;
  sharedStringsPart: string | null;
  stylesPart: string | null;
  sheets: SheetRef[];
}

async function readLayout(path: string): Promise<WorkbookLayout> {
  const entries = new Map((await readZipDirectory(path)).map((e) => [e.name, e] as const));
  let workbookPart = 'xl/workbook.xml';
  const rootRels = await entryText(path, entries, '_rels/.rels');
  if (rootRels) {
    const doc = elements(rootRels, 'Relationship').find((r) => /\/officeDocument$/.test(r.Type ?? ''));
    if (doc?.Target) workbookPart = resolveTarget('', doc.Target);
  }
  const workbook = await entryText(path, entries, workbookPart);
  if (workbook === null) throw new Error(`the workbook part ${workbookPart} is missing`);
  const relsPart = relsPathOf(workbookPart);
  const relList = elements((await entryText(path, entries, relsPart)) ?? '', 'Relationship');
  const rels = new Map(relList.map((r) => [r.Id ?? '', r] as const));
  const partOfType = (type: RegExp) => {
    const r = relList.find((x) => type.test(x.Type ?? ''));
    return r?.Target ? resolveTarget(workbookPart, r.Target) : null;
  };
  const sheets = elements(workbook, 'sheet').map((s): SheetRef => {
    const rel = rels.get(s.rid ?? '');
    const type = rel?.Type ?? '';
    return {
      name: s.name ?? '',
      part: rel?.Target ? resolveTarget(workbookPart, rel.Target) : '',
      kind: /\/worksheet$/.test(type) ? 'worksheet' : /\/chartsheet$/.test(type) ? 'chartsheet' : 'other',
      ...(s.state ? { state: s.state } : {}),
    };
  });
  return { entries, workbookPart, relsPart, sharedStringsPart: partOfType(/\/sharedStrings$/), stylesPart: partOfType(/\/styles$/), sheets };
}

/**
 * The sheets of a workbook in workbook order, named as in xl/workbook.xml and mapped to their parts through
 * the workbook's relationships (never assuming that the n-th sheet is sheetN.xml).
 */
export async function readSheetRefs(path: string): Promise<SheetRef[]> {
  return (await readLayout(path)).sheets;
}

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
export async function readWorkbook(path: string, label = path, maxCellBytes = MAX_CELL_BYTES): Promise<SheetData[]> {
  const sheets: SheetData[] = [];
  try {
    const layout = await readLayout(path);
    const worksheets = layout.sheets.filter((r) => r.kind === 'worksheet' || (r.kind === 'other' && layout.entries.has(r.part)));
    for (const ref of worksheets) {
      if (!layout.entries.has(ref.part)) {
        throw new DiffError('E_XLSX_MALFORMED', `Cannot read sheet ${JSON.stringify(ref.name)} of ${label}: its cells should be in ${ref.part || '(no part named)'}, which the file does not contain. Open and re-save the workbook in Excel.`, { label, sheet: ref.name, part: ref.part });
      }
    }
    // exceljs reads the zip front to back and needs workbook, rels, shared strings and styles before the
    // worksheets (otherwise it parks sheets in temp files and can lose parts). Give it exactly those parts, in
    // that order, under the names it expects: the k-th sheet in workbook order becomes xl/worksheets/sheet<k>.xml.
    const items: { entry: ZipEntry; name: string }[] = [];
    const add = (part: string | null, name: string) => { const e = part ? layout.entries.get(part) : undefined; if (e) items.push({ entry: e, name }); };
    add(layout.relsPart, 'xl/_rels/workbook.xml.rels');
    add(layout.workbookPart, 'xl/workbook.xml');
    add(layout.sharedStringsPart, 'xl/sharedStrings.xml');
    add(layout.stylesPart, 'xl/styles.xml');
    worksheets.forEach((ref, k) => add(ref.part, `xl/worksheets/sheet${k + 1}.xml`));
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(zipStream(path, items) as unknown as string, {
      worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'emit',
    });
    // exceljs announces each worksheet part (by its number) just before yielding it; the name is ours.
    let sheetNo = 0;
    (reader as unknown as import('node:events').EventEmitter).on('entry', (e: { type?: string; id?: unknown }) => { if (e.type === 'worksheet') sheetNo = Number(e.id); });
    for await (const ws of reader) {
      const ref = worksheets[sheetNo - 1];
      const rows: Cell[][] = [];
      const rowNumbers: number[] = [];
      for await (const row of ws) {
        const values = row.values as unknown[];
        const cells: Cell[] = [];
        for (let c = 1; c < values.length; c++) cells.push(clipString(cellText(values[c]), maxCellBytes));
        while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
        if (cells.length === 0) continue;
        rows.push(cells);
        rowNumbers.push(row.number);
      }
      if (!ref) throw new Error(`unexpected worksheet part ${sheetNo}`);
      const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
      for (const r of rows) while (r.length < width) r.push('');
      sheets.push({ name: ref.name, rows, rowNumbers });
    }
    if (sheets.length !== worksheets.length) throw new Error(`read ${sheets.length} of ${worksheets.length} worksheets`);
  } catch (e) {
    if (e instanceof DiffError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err && err.code === 'ENOENT') throw new DiffError('E_FILE_NOT_FOUND', `Cannot read ${label}: no such file.`, { path }, { cause: e });
    throw new DiffError('E_XLSX_MALFORMED', `Cannot read ${label} as an Excel workbook: ${err?.message ?? String(e)}. Open and re-save it in Excel, or check it is really .xlsx.`, { label, reason: err?.message }, { cause: e });
  }
  return sheets;
}
