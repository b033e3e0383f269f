import type { DataFormat } from './detect.js';
import type { Note, TableDiff } from './table/engine.js';
import type { JsonChange } from './json/diff.js';
import type { TextHunk } from './text/diff.js';
import type { JsonValue } from './json/parse.js';
import type { ClippedValue } from './clip.js';
import type { CsvFileDialect, FormatChange } from './layout.js';

export type { ClippedValue, CsvFileDialect, FormatChange };

/** One side of a diff: a file on disk and how to call it in output (e.g. `data.csv@3`). */
export interface DiffSide {
  path: string;
  label?: string;
}

export interface DiffOptions {
  /** Logical vault path (e.g. `results/run.csv`), used for format detection. */
  name: string;
  /** Key columns for CSV/TSV/XLSX row matching. */
  key?: string[];
  /** Numeric cells within this absolute difference are equal. Without it cells compare as text. */
  tolerance?: number;
  /** Maximum number of detailed changes kept (per table / sheet); counts stay exact. Default 1000. */
  limit?: number;
  /** CSV/TSV/XLSX: match rows by position even when a unique key column could be detected. */
  positional?: boolean;
  /** Force a format instead of detecting it. */
  format?: DataFormat;
  /** Cells and JSON values longer than this many UTF-8 bytes are clipped (`ClippedValue`). Default 4096. */
  maxCellBytes?: number;
}

/**
 * Every result also has `formatChanges`: what differs in how the data is written (line endings, delimiter,
 * quoting, BOM, encoding, final newline, JSON whitespace/key order, XLSX parts, SQLite header, or as a last
 * resort the bytes). `identical` is true only when there is neither a data change nor a format change, so two
 * byte-different files are never identical (with `tolerance`, numbers within it count as equal).
 */
export interface FormatInfo {
  formatChanges: FormatChange[];
}

export interface SideInfo {
  label: string;
  size: number;
}

export interface TableDiffResult extends TableDiff, FormatInfo {
  format: 'csv' | 'tsv';
  a: SideInfo;
  b: SideInfo;
  identical: boolean;
  /** Both versions' dialects (from the first 64 KiB and the last byte); what differs is in formatChanges. */
  dialect: { a: CsvFileDialect; b: CsvFileDialect };
}

export interface SheetDiff extends TableDiff {
  name: string;
}

export interface XlsxDiffResult extends FormatInfo {
  format: 'xlsx';
  a: SideInfo;
  b: SideInfo;
  identical: boolean;
  summary: { sheetsAdded: number; sheetsRemoved: number; sheetsChanged: number; rowsAdded: number; rowsRemoved: number; rowsChanged: number; cellsChanged: number };
  sheetsAdded: string[];
  sheetsRemoved: string[];
  /** Every sheet both versions have, changed or not. */
  sheets: SheetDiff[];
  notes: Note[];
}

export interface SqliteColumn {
  name: string;
  type: string;
  notNull: boolean;
  pk: number;
}

export interface SqliteTableDiff extends TableDiff {
  name: string;
  schema: { added: SqliteColumn[]; removed: SqliteColumn[]; changed: { name: string; old: SqliteColumn; new: SqliteColumn }[] };
}

export interface SqliteDiffResult extends FormatInfo {
  format: 'sqlite';
  a: SideInfo;
  b: SideInfo;
  identical: boolean;
  summary: { tablesAdded: number; tablesRemoved: number; tablesChanged: number; rowsAdded: number; rowsRemoved: number; rowsChanged: number; cellsChanged: number };
  tablesAdded: string[];
  tablesRemoved: string[];
  tables: SqliteTableDiff[];
  notes: Note[];
}

/** A JSON change in a diff result: a value whose JSON text is longer than `maxCellBytes` is given as `oldClipped`/`newClipped` instead of `old`/`new`. */
export interface JsonResultChange extends Omit<JsonChange, 'old' | 'new'> {
  old?: JsonValue;
  new?: JsonValue;
  oldClipped?: ClippedValue;
  newClipped?: ClippedValue;
}

export interface JsonDiffResult extends FormatInfo {
  format: 'json';
  a: SideInfo;
  b: SideInfo;
  identical: boolean;
  summary: { added: number; removed: number; changed: number };
  changes: JsonResultChange[];
  truncated: boolean;
}

export interface TextDiffResult extends FormatInfo {
  format: 'text';
  a: SideInfo;
  b: SideInfo;
  identical: boolean;
  summary: { linesA: number; linesB: number; added: number; removed: number; hunks: number };
  hunks: TextHunk[];
  truncated: boolean;
  /** False when the line diff gave up on minimality (huge, very different inputs). */
  exact: boolean;
}

export interface ByteRange {
  /** Offset of the first differing byte. */
  offset: number;
  /** Length of the differing range (bytes past the shorter file count as differing). */
  length: number;
}

export interface BinaryDiffResult extends FormatInfo {
  format: 'binary';
  a: SideInfo & { sha256: string };
  b: SideInfo & { sha256: string };
  identical: boolean;
  summary: { bytesDiffering: number; ranges: number };
  ranges: ByteRange[];
  truncated: boolean;
  /** Set when a data format could not be diffed as such and this byte summary was made instead. */
  fallbackFrom?: string;
}

export type DiffResult = TableDiffResult | JsonDiffResult | TextDiffResult | XlsxDiffResult | SqliteDiffResult | BinaryDiffResult;
