export { DiffError, isDiffError, type DiffErrorCode } from './errors.js';
export { detectFormat, detectFileFormat, looksLikeText, type DataFormat } from './detect.js';
export { validateDataFile, MAX_PROBLEMS, type ValidationResult, type ValidationProblem } from './validate.js';
export { parseCsv, formatCsv, type CsvDialect } from './csv/scanner.js';
export { sniffDialect } from './csv/dialect.js';
export { parseJson, type JsonValue } from './json/parse.js';
export type { Cell } from './table/types.js';
