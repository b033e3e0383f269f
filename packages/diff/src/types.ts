import type { DataFormat } from './detect.js';
import type { Note, TableDiff } from './table/engine.js';
import type { JsonChange } from './json/diff.js';
import type { TextHunk } from './text/diff.js';

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
}

export interface SideInfo {
  label: string;
  size: number;
}

export interface TableDiffResult extends TableDiff {
  format: 'csv' | 'tsv';
  a: SideInfo;
  b: SideInfo;
  identical: boolean;
  dialect: { a: { delimiter: string; quote: string }; b: { delimiter: string; quote: string } };
}

export interface SheetDiff extends TableDiff {
  name: string;
}

export interface XlsxDiffResult {
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

export interface SqliteDiffResult {
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

export interface JsonDiffResult {
  format: 'json';
  a: SideInfo;
  b: SideInfo;
  identical: boolean;
  summary: { added: number; removed: number; changed: number };
  changes: JsonChange[];
  truncated: boolean;
}

export interface TextDiffResult {
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

export interface BinaryDiffResult {
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
