import { anchoredDiff } from './anchored.js';

export interface TextLine {
  op: ' ' | '+' | '-';
  text: string;
}

/** A unified-diff hunk: 1-based start lines and line counts on each side, as in `@@ -a,n +b,m @@`. */
export interface TextHunk {
  aStart: number;
  aLines: number;
  bStart: number;
  bLines: number;
  lines: TextLine[];
}

export interface TextDiffOptions {
  context?: number;
  /** Maximum number of changed (+/-) lines kept in hunks; counts stay exact. */
  limit?: number;
  maxCost?: number;
}

/** Split text into lines (\n, \r\n); a final line terminator does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Unified line diff (patience anchors + linear-space Myers in the gaps, bounded by `maxCost`). Lines are interned to integers first,
 * so comparisons are cheap whatever the line length.
 */
export function diffLines(a: readonly string[], b: readonly string[], opts: TextDiffOptions = {}): {
  hunks: TextHunk[]; added: number; removed: number; truncated: boolean; exact: boolean;
} {
  const context = opts.context ?? 3;
  const limit = opts.limit ?? Infinity;
  const ids = new Map<string, number>();
  const intern = (s: string) => { let id = ids.get(s); if (id === undefined) { id = ids.size; ids.set(s, id); } return id; };
  const ia = Int32Array.from(a, intern);
  const ib = Int32Array.from(b, intern);
  ids.clear();
  const { runs, exact } = anchoredDiff(ia, new Int32Array(ia.length), ia.length, ib, new Int32Array(ib.length), ib.length, { maxCost: opts.maxCost ?? 20_000_000 });
  let added = 0;
  let removed = 0;
  let kept = 0;
  let truncated = false;
  const hunks: TextHunk[] = [];
  let cur: TextHunk | null = null;
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    if (run.op === 'equal') {
      if (cur) {
        const isLast = r === runs.length - 1;
        const tail = isLast ? Math.min(run.n, context) : Math.min(run.n, context);
        // Close the hunk unless the gap to the next change is small enough to bridge.
        if (!isLast && run.n <= 2 * context) {
          for (let k = 0; k < run.n; k++) cur.lines.push({ op: ' ', text: a[run.a + k]! });
          cur.aLines += run.n; cur.bLines += run.n;
          continue;
        }
        for (let k = 0; k < tail; k++) cur.lines.push({ op: ' ', text: a[run.a + k]! });
        cur.aLines += tail; cur.bLines += tail;
        hunks.push(cur);
        cur = null;
      }
      continue;
    }
    if (!cur) {
      const prev = runs[r - 1];
      const lead = prev && prev.op === 'equal' ? Math.min(prev.n, context) : 0;
      const aFrom = run.a - lead;
      const bFrom = run.b - lead;
      cur = { aStart: aFrom + 1, aLines: lead, bStart: bFrom + 1, bLines: lead, lines: [] };
      for (let k = 0; k < lead; k++) cur.lines.push({ op: ' ', text: a[aFrom + k]! });
    }
    if (run.op === 'delete') {
      removed += run.n;
      cur.aLines += run.n;
      for (let k = 0; k < run.n; k++) { if (kept < limit) { cur.lines.push({ op: '-', text: a[run.a + k]! }); kept++; } else truncated = true; }
    } else {
      added += run.n;
      cur.bLines += run.n;
      for (let k = 0; k < run.n; k++) { if (kept < limit) { cur.lines.push({ op: '+', text: b[run.b + k]! }); kept++; } else truncated = true; }
    }
  }
  if (cur) hunks.push(cur);
  // unified diff convention: an empty side starts at line 0
  for (const h of hunks) { if (h.aLines === 0) h.aStart -= 1; if (h.bLines === 0) h.bStart -= 1; }
  return { hunks: truncated ? hunks.filter((h) => h.lines.some((l) => l.op !== ' ')) : hunks, added, removed, truncated, exact };
}
