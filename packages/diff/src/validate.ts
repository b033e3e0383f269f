import { readFile } from 'node:fs/promises';
import { detectFormat, type DataFormat } from './detect.js';
import { readHead } from './detect-file.js';
import { DiffError, fromNodeError } from './errors.js';
import { sniffDialect } from './csv/dialect.js';
import { scanCsvFile } from './csv/file.js';
import { parseJson } from './json/parse.js';
import { openSqlite } from './sqlite/open.js';

export interface ValidationProblem {
  line?: number;
  column?: number;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  format: DataFormat;
  problems: ValidationProblem[];
}

/** At most this many problems are listed; a final problem says how many more there were. */
export const MAX_PROBLEMS = 50;

function problemOf(e: unknown): ValidationProblem {
  if (e instanceof DiffError) {
    const d = e.details as { line?: unknown; column?: unknown };
    const p: ValidationProblem = { message: e.message };
    if (typeof d.line === 'number') p.line = d.line;
    if (typeof d.column === 'number') p.column = d.column;
    return p;
  }
  return { message: (e as Error)?.message ?? String(e) };
}

async function validateCsv(path: string, format: 'csv' | 'tsv', head: Buffer): Promise<ValidationProblem[]> {
  const dialect = sniffDialect(head, format === 'tsv' ? '\t' : ',');
  const problems: ValidationProblem[] = [];
  let width = -1;
  let extra = 0;
  try {
    await scanCsvFile(path, dialect, (s) => {
      if (width < 0) { width = s.nf; return; }
      if (s.nf !== width) {
        if (problems.length < MAX_PROBLEMS) {
          problems.push({ line: s.recLine, message: `line ${s.recLine}: expected ${width} fields (as in the header) but found ${s.nf}` });
        } else extra++;
      }
    });
  } catch (e) {
    problems.push(problemOf(e));
  }
  if (extra > 0) problems.push({ message: `and ${extra} more lines with the wrong number of fields` });
  return problems;
}

/**
 * Check that a data file is well-formed, using the same parsers as the diff:
 * CSV/TSV parse cleanly with a consistent column count, JSON parses, XLSX opens, SQLite passes
 * `PRAGMA integrity_check`. Text and binary files are always ok. Never throws for bad content
 * (a missing file is reported as a problem too).
 */
export async function validateDataFile(path: string, opts: { name?: string } = {}): Promise<ValidationResult> {
  const name = opts.name ?? path;
  let head: Buffer;
  try {
    head = await readHead(path);
  } catch (e) {
    return { ok: false, format: detectFormat(name), problems: [problemOf(e)] };
  }
  const format = detectFormat(name, head);
  let problems: ValidationProblem[] = [];
  try {
    switch (format) {
      case 'csv':
      case 'tsv':
        problems = await validateCsv(path, format, head);
        break;
      case 'json': {
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch (e) {
          throw fromNodeError(e, path);
        }
        parseJson(text, name);
        break;
      }
      case 'xlsx':
        await (await import('./xlsx/read.js')).readWorkbook(path, name);
        break;
      case 'sqlite': {
        const db = await openSqlite(path, name);
        try {
          const rows = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
          for (const r of rows) {
            if (r.integrity_check !== 'ok') problems.push({ message: `SQLite integrity check: ${r.integrity_check}` });
          }
        } catch (e) {
          problems.push({ message: `SQLite integrity check failed: ${(e as Error).message}` });
        } finally {
          db.close();
        }
        break;
      }
      default:
        break;
    }
  } catch (e) {
    problems.push(problemOf(e));
  }
  return { ok: problems.length === 0, format, problems };
}
