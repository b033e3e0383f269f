export { DiffError, isDiffError, type DiffErrorCode } from './errors.js';
export { detectFormat, looksLikeText, type DataFormat } from './detect.js';
export { detectFileFormat } from './detect-file.js';
export { validateDataFile, MAX_PROBLEMS, type ValidationResult, type ValidationProblem } from './validate.js';
export { diffFiles, DEFAULT_LIMIT, MAX_TEXT_BYTES } from './diff.js';
export { renderDiff, type RenderOptions } from './render.js';
export { messages } from './messages.js';
export { parseCsv, formatCsv, type CsvDialect } from './csv/scanner.js';
export { sniffDialect } from './csv/dialect.js';
export { applyCsvDiff } from './csv/apply.js';
export { applyTableDiff, type Table } from './table/apply.js';
export { parseJson, type JsonValue } from './json/parse.js';
export { MAX_CELL_BYTES, isClipped, type ClippedValue } from './clip.js';
export type { FormatChange, CsvFileDialect, LineEnding, QuotingStyle, Encoding } from './layout.js';
export { diffJson, diffJsonCounted, formatJsonPath, type JsonChange, type JsonPathSegment, type JsonPrimitive } from './json/diff.js';
export { applyJsonDiff } from './json/apply.js';
export { diffLines, splitLines, type TextHunk, type TextLine } from './text/diff.js';
export { myersDiff, type EditRun } from './text/myers.js';
export type { Cell } from './table/types.js';
export type { TableDiff, TableColumns, TableSummary, RowChange, CellChange, RowMatch, Note } from './table/engine.js';
export type {
  DiffSide, DiffOptions, DiffResult, SideInfo, TableDiffResult, XlsxDiffResult, SheetDiff, SqliteDiffResult,
  SqliteTableDiff, SqliteColumn, JsonDiffResult, JsonResultChange, TextDiffResult, BinaryDiffResult, ByteRange,
} from './types.js';
