import { DiffError } from '../errors.js';
import { myersDiff } from '../text/myers.js';
import { cellEqual, isBlankCell } from './compare.js';
import { KeyTable, tableCapacity } from './key-table.js';
import { anchoredDiff } from '../text/anchored.js';
import type { RowSource } from './source.js';
import type { RowArrays } from '../csv/fingerprint.js';
import { mergeKeyRuns, type KeyRun } from '../csv/key-order.js';
import { cellId, type Cell } from './types.js';

export interface TableColumns {
  /** Column names of version a and b (made unique: a repeated name gets ` (2)`). */
  a: string[];
  b: string[];
  added: string[];
  removed: string[];
  /** True when the columns both versions share appear in a different order. */
  reordered: boolean;
}

/** One changed cell. `old` is absent when the column is new in b, `new` absent when the column was removed. */
export interface CellChange {
  column: string;
  old?: Cell;
  new?: Cell;
}

/** Rows are numbered from 1 among data rows (the header is not a row); lines are physical file lines. */
export type RowChange =
  | { kind: 'added'; bRow: number; bLine: number; key?: Cell[]; values: Cell[] }
  | { kind: 'removed'; aRow: number; aLine: number; key?: Cell[]; values: Cell[] }
  | { kind: 'changed'; aRow: number; bRow: number; aLine: number; bLine: number; key?: Cell[]; cells: CellChange[] }
  | { kind: 'moved'; aRow: number; bRow: number; aLine: number; bLine: number; values: Cell[] };

export type RowMatch =
  | { mode: 'keyed'; key: string[]; keySource: 'option' | 'detected' | 'primary-key' | 'rowid' }
  | { mode: 'positional' };

export interface TableSummary {
  rowsA: number;
  rowsB: number;
  added: number;
  removed: number;
  changed: number;
  /** Positional mode only: rows found unchanged at another position. */
  moved: number;
  unchanged: number;
  cellsChanged: number;
  columnsAdded: number;
  columnsRemoved: number;
}

export interface TableDiff {
  columns: TableColumns;
  match: RowMatch;
  /** Keyed mode: rows both versions share appear in a different order (keyed diffs ignore order otherwise). */
  rowOrderChanged: boolean;
  summary: TableSummary;
  /** Detailed changes, at most `limit`: keyed → changed/added in b's order, then removed; positional → file order. */
  rows: RowChange[];
  /** True when `rows` holds fewer entries than there are changes (counts in `summary` stay exact). */
  truncated: boolean;
  notes: Note[];
}

/** A remark about how a diff was made; rendered by messages.ts. */
export type Note =
  | { code: 'row-order-changed' }
  /** `value`: the repeated key's cells, one per key column. */
  | { code: 'duplicate-key'; key: string[]; value: Cell[]; side: 'a' | 'b'; lines: number[] }
  | { code: 'approximate' };

export interface TableDiffOptions {
  key?: string[];
  /** How the key was chosen, for reporting (default: 'option' when `key` is given). */
  keySource?: 'option' | 'detected' | 'primary-key' | 'rowid';
  tolerance?: number;
  limit: number;
  /** Try to detect a unique key column when `key` is not given (default true). */
  detectKey?: boolean;
}

const BATCH = 2048;

class Grow {
  h1: Int32Array;
  h2: Int32Array;
  r1: Float64Array;
  r2: Int32Array;
  line: Int32Array;
  n = 0;
  constructor(capacity = 1024) {
    const c = Math.max(16, Math.ceil(capacity));
    this.h1 = new Int32Array(c); this.h2 = new Int32Array(c); this.r1 = new Float64Array(c);
    this.r2 = new Int32Array(c); this.line = new Int32Array(c);
  }
  /** Rows fingerprinted by a background scan, used as they are (no copy). */
  static of(a: RowArrays): Grow {
    const g = new Grow(16);
    g.h1 = a.h1; g.h2 = a.h2; g.r1 = a.r1; g.r2 = a.r2; g.line = a.line; g.n = a.n;
    return g;
  }
  push(h1: number, h2: number, line: number, r1: number, r2: number): number {
    if (this.n === this.h1.length) {
      const c = this.n * 2;
      const gi = (x: Int32Array) => { const y = new Int32Array(c); y.set(x); return y; };
      const gf = (x: Float64Array) => { const y = new Float64Array(c); y.set(x); return y; };
      this.h1 = gi(this.h1); this.h2 = gi(this.h2); this.line = gi(this.line);
      this.r1 = gf(this.r1); this.r2 = gi(this.r2);
    }
    const i = this.n++;
    this.h1[i] = h1; this.h2[i] = h2; this.line[i] = line; this.r1[i] = r1; this.r2[i] = r2;
    return i;
  }
  ref(i: number): { ref1: number; ref2: number } {
    return { ref1: this.r1[i]!, ref2: this.r2[i]! };
  }
}

/** Rows with their key hashes, as a background scan gives them. */
type KeyedRows = Pick<RowArrays, 'n' | 'kh1' | 'kh2' | 'h1' | 'h2' | 'line' | 'r1' | 'r2'>;

/** b's rows gathered in this thread (the same arrays a background scan gives). */
class KeyedGrow implements KeyedRows {
  private g: Grow;
  kh1: Int32Array;
  kh2: Int32Array;
  constructor(capacity = 1024) {
    this.g = new Grow(capacity);
    this.kh1 = new Int32Array(this.g.h1.length);
    this.kh2 = new Int32Array(this.g.h1.length);
  }
  get n(): number { return this.g.n; }
  get h1(): Int32Array { return this.g.h1; }
  get h2(): Int32Array { return this.g.h2; }
  get line(): Int32Array { return this.g.line; }
  get r1(): Float64Array { return this.g.r1; }
  get r2(): Int32Array { return this.g.r2; }
  push(k1: number, k2: number, h1: number, h2: number, line: number, r1: number, r2: number): void {
    const i = this.g.push(h1, h2, line, r1, r2);
    if (i === this.kh1.length) {
      const g1 = new Int32Array(this.g.h1.length); g1.set(this.kh1); this.kh1 = g1;
      const g2 = new Int32Array(this.g.h1.length); g2.set(this.kh2); this.kh2 = g2;
    }
    this.kh1[i] = k1; this.kh2[i] = k2;
  }
}

interface ColumnPlan {
  columns: TableColumns;
  /** Union of columns: b's order, then columns only in a. */
  union: string[];
  unionA: number[];
  unionB: number[];
  /** For union column u: index in a / b or -1. */
  idxA: number[];
  idxB: number[];
}

export function planColumns(a: string[], b: string[]): ColumnPlan {
  const union = [...b, ...a.filter((c) => !b.includes(c))];
  const pos = new Map(union.map((c, i) => [c, i] as const));
  const unionA = a.map((c) => pos.get(c)!);
  const unionB = b.map((c) => pos.get(c)!);
  const idxA = union.map((c) => a.indexOf(c));
  const idxB = union.map((c) => b.indexOf(c));
  const commonA = a.filter((c) => b.includes(c));
  const commonB = b.filter((c) => a.includes(c));
  return {
    columns: {
      a, b,
      added: b.filter((c) => !a.includes(c)),
      removed: a.filter((c) => !b.includes(c)),
      reordered: commonA.some((c, i) => commonB[i] !== c),
    },
    union, unionA, unionB, idxA, idxB,
  };
}

/** Cell-level comparison of one row of a with one row of b. */
export function compareRows(plan: ColumnPlan, ra: readonly Cell[], rb: readonly Cell[], tolerance: number | undefined): CellChange[] {
  const out: CellChange[] = [];
  for (let u = 0; u < plan.union.length; u++) {
    const ia = plan.idxA[u]!;
    const ib = plan.idxB[u]!;
    const column = plan.union[u]!;
    if (ia >= 0 && ib >= 0) {
      const va = ra[ia] === undefined ? '' : ra[ia]!;
      const vb = rb[ib] === undefined ? '' : rb[ib]!;
      if (!cellEqual(va, vb, tolerance)) out.push({ column, old: va, new: vb });
    } else if (ib >= 0) {
      const vb = rb[ib];
      if (!isBlankCell(vb)) out.push({ column, new: vb ?? null });
    } else {
      const va = ra[ia];
      if (!isBlankCell(va)) out.push({ column, old: va ?? null });
    }
  }
  return out;
}

const KEY_NAME = /^(id|key|uuid|guid|pk|code)$|(^|[_\s.-])(id|key)$|Id$/i;

/**
 * Pick a key column from samples of both versions: a column both share whose sampled values are
 * non-empty and unique on each side and mostly shared between the sides (so a measured value that
 * changed everywhere is not taken for an identity). Columns named like ids are tried first.
 */
export function detectKey(plan: ColumnPlan, sampleA: Cell[][], sampleB: Cell[][]): string | null {
  if (sampleA.length < 2 || sampleB.length < 2) return null;
  const common = plan.columns.a.filter((c) => plan.columns.b.includes(c));
  const ordered = [...common.filter((c) => KEY_NAME.test(c)), ...common.filter((c) => !KEY_NAME.test(c))];
  for (const col of ordered) {
    const ia = plan.columns.a.indexOf(col);
    const ib = plan.columns.b.indexOf(col);
    const setA = new Set<string | null>();
    let ok = true;
    for (const r of sampleA) {
      const v = r[ia] ?? '';
      if (isBlankCell(v) || setA.has(cellId(v))) { ok = false; break; }
      setA.add(cellId(v));
    }
    if (!ok) continue;
    const setB = new Set<string | null>();
    let shared = 0;
    for (const r of sampleB) {
      const v = cellId(r[ib] ?? '');
      if (isBlankCell(r[ib]) || setB.has(v)) { ok = false; break; }
      setB.add(v);
      if (setA.has(v)) shared++;
    }
    if (!ok) continue;
    if (shared * 2 >= Math.min(setA.size, setB.size)) return col;
  }
  return null;
}

/** Keeps the first `limit` detailed changes. */
class Kept<T> {
  items: T[] = [];
  constructor(readonly limit: number) {}
  offer(x: T): boolean {
    if (this.items.length < this.limit) { this.items.push(x); return true; }
    return false;
  }
  get full(): boolean { return this.items.length >= this.limit; }
}

class DuplicateKey {
  constructor(readonly value: Cell[], readonly side: 'a' | 'b', readonly lines: number[]) {}
}

/** `id=7`, `run="a b", step=3`: key columns with their values, each shown once and quoted only when needed. */
export function describeKey(key: readonly string[], value: readonly Cell[]): string {
  return key.map((k, i) => `${showName(k)}=${showName(value[i] ?? null)}`).join(', ');
}

/** A name or value as written when it is plain (`id`, `2024-01-01`), JSON-quoted when it has spaces, quotes or controls. */
export function showName(v: Cell): string {
  if (v !== null && typeof v === 'object') return `${JSON.stringify(v.head)}… (${v.bytes} bytes, sha256 ${v.sha256.slice(0, 16)})`;
  return v === null ? 'NULL' : /^[\p{L}\p{N}_.:+\/-]+$/u.test(v) ? v : JSON.stringify(v);
}

function emptySummary(plan: ColumnPlan): TableSummary {
  return {
    rowsA: 0, rowsB: 0, added: 0, removed: 0, changed: 0, moved: 0, unchanged: 0, cellsChanged: 0,
    columnsAdded: plan.columns.added.length, columnsRemoved: plan.columns.removed.length,
  };
}

/**
 * Both sources can use their own (faster) row fingerprint: same kind of source and dialect, and the same
 * columns in the same order, so equal fingerprints still mean equal rows.
 */
function canonicalRows(A: RowSource, B: RowSource): boolean {
  return A.canonicalRowHash !== undefined && A.canonicalRowHash === B.canonicalRowHash
    && A.header.length === B.header.length && A.header.every((h, i) => h === B.header[i]);
}

/** Two different keys with the same 64-bit hash (astronomically rare): the caller falls back to positional. */
class KeyCollision {}

const sameKey = (ka: readonly number[], ra: readonly Cell[], kb: readonly number[], rb: readonly Cell[]) =>
  ka.every((k, i) => cellId(ra[k]) === cellId(rb[kb[i]!]));

async function keyedDiff(A: RowSource, B: RowSource, plan: ColumnPlan, key: string[], opts: TableDiffOptions): Promise<TableDiff | DuplicateKey | KeyCollision> {
  const keyA = key.map((k) => A.header.indexOf(k));
  const keyB = key.map((k) => B.header.indexOf(k));
  const summary = emptySummary(plan);
  const a = new Grow(A.rowEstimate);
  // Key hashes of a's rows; they go into the table only when a merge of sorted keys is ruled out.
  let ak1 = new Int32Array(a.h1.length);
  let ak2 = new Int32Array(a.h1.length);
  let table: KeyTable | null = null;
  let suspect: [number, number] | null = null;
  const canonical = canonicalRows(A, B);
  const bg = B.scanInBackground?.(keyB, plan.unionB, canonical) ?? null;
  // Keys go into the table in batches: a tight loop of independent inserts lets the CPU wait for several
  // cache misses at once. A batch is inserted before the scan goes on past it, and before a scan error is
  // reported, so the first repeated key is found exactly where a row-by-row insert would find it. While the
  // source says the keys are strictly increasing (so far unique), nothing is inserted: sorted versions are
  // matched by a merge (csv/key-order.ts), and if b turns out unsorted a's keys are inserted then.
  const BATCH_KEYS = 1024;
  let inserted = 0;
  const insertPending = (): boolean => {
    table ??= new KeyTable(tableCapacity(Math.max(a.n, A.rowEstimate ?? 0)));
    for (let x = inserted; x < a.n; x++) {
      const prev = table.add(ak1[x]!, ak2[x]!, x);
      if (prev !== -1) { suspect = [prev, x]; inserted = a.n; return false; }
    }
    inserted = a.n;
    return true;
  };
  let aKeys: KeyRun | null = null;
  let aSorted = true;
  try {
    const run = await A.scan(keyA, plan.unionA, (k1, k2, h1, h2, line, r1, r2, sorted) => {
      if (sorted !== true) aSorted = false;
      if (!aSorted && a.n - inserted >= BATCH_KEYS && !insertPending()) return false;
      const i = a.push(h1, h2, line, r1, r2);
      if (i === ak1.length) {
        const g1 = new Int32Array(a.h1.length); g1.set(ak1); ak1 = g1;
        const g2 = new Int32Array(a.h1.length); g2.set(ak2); ak2 = g2;
      }
      ak1[i] = k1; ak2[i] = k2;
    }, canonical);
    if (aSorted && run && run.order !== 0 && run.n === a.n) aKeys = run;
    else insertPending();
  } catch (e) {
    if (!aSorted && !insertPending()) {
      // a repeated key came before the error: report it, as a row-by-row insert would have stopped there
    } else {
      bg?.cancel();
      throw e;
    }
  }
  if (suspect) {
    bg?.cancel();
    const [p, i] = suspect as [number, number];
    const [rp, ri] = await A.fetch([a.ref(p), a.ref(i)]);
    if (!sameKey(keyA, rp!, keyA, ri!)) return new KeyCollision();
    return new DuplicateKey(keyA.map((k) => rp![k] ?? ''), 'a', [a.line[p]!, a.line[i]!]);
  }
  summary.rowsA = a.n;
  const seen = new Uint8Array(a.n);
  const addedKeys = new KeyTable();
  const addedAll = new Grow(); // every added row (for duplicate checks): h1 = b row
  // Candidates: rows present in both with different fingerprints.
  const cand = new Grow(); // h1 = a index, h2 = b row, line = b line, r1/r2 = b ref
  const added = new Kept<{ bRow: number; bLine: number; ref1: number; ref2: number }>(opts.limit);
  let bRow = 0;
  let lastIdx = -1;
  let orderChanged = false;
  let bSuspect: { kind: 'added'; first: number; line: number; ref1: number; ref2: number } | { kind: 'seen'; idx: number; line: number; ref1: number; ref2: number } | null = null;
  const visitB = (k1: number, k2: number, h1: number, h2: number, line: number, r1: number, r2: number, idx: number): void | false => {
    bRow++;
    if (idx === -1) {
      const j = addedAll.push(bRow, 0, line, r1, r2);
      const prev = addedKeys.add(k1, k2, j);
      if (prev !== -1) { bSuspect = { kind: 'added', first: prev, line, ref1: r1, ref2: r2 }; return false; }
      summary.added++;
      added.offer({ bRow, bLine: line, ref1: r1, ref2: r2 });
      return;
    }
    if (seen[idx] === 1) { bSuspect = { kind: 'seen', idx, line, ref1: r1, ref2: r2 }; return false; }
    seen[idx] = 1;
    if (idx < lastIdx) orderChanged = true;
    lastIdx = idx;
    if (a.h1[idx] === h1 && a.h2[idx] === h2) summary.unchanged++;
    else cand.push(idx, bRow, line, r1, r2);
  };
  /** b's rows in order with the row of a holding the same key (or -1), until a repeated key stops them. */
  const visitAll = (rb: KeyedRows, idxs: Int32Array): void => {
    for (let i = 0; i < rb.n; i++) {
      if (visitB(rb.kh1[i]!, rb.kh2[i]!, rb.h1[i]!, rb.h2[i]!, rb.line[i]!, rb.r1[i]!, rb.r2[i]!, idxs[i]!) === false) break;
    }
  };
  /** Look b's keys up: a merge when both versions' keys are sorted, else the table (one tight loop). */
  const lookUp = (rb: KeyedRows, keysB: KeyRun | null | undefined): Int32Array => {
    const merged = aKeys && keysB ? mergeKeyRuns(aKeys, a.n, keysB, rb.n) : null;
    if (merged) return merged;
    insertPending(); // a's keys are sorted, hence unique: nothing repeats
    const idxs = new Int32Array(rb.n);
    for (let i = 0; i < rb.n; i++) idxs[i] = table!.get(rb.kh1[i]!, rb.kh2[i]!);
    return idxs;
  };
  if (bg) {
    // All of b's rows are at hand.
    const rb = await bg.promise;
    visitAll(rb, lookUp(rb, rb.keys));
  } else if (aKeys) {
    // a is sorted: gather b's rows (and its keys while sorted) to merge them.
    const rb = new KeyedGrow(B.rowEstimate);
    let keysB: KeyRun | null = null;
    try {
      keysB = (await B.scan(keyB, plan.unionB, (k1, k2, h1, h2, line, r1, r2) => { rb.push(k1, k2, h1, h2, line, r1, r2); }, canonical)) ?? null;
    } catch (e) {
      // As a row-by-row scan would: a repeated key before the error is reported instead of it.
      visitAll(rb, lookUp(rb, null));
      if (!bSuspect) throw e;
    }
    if (!bSuspect) visitAll(rb, lookUp(rb, keysB));
  } else {
    await B.scan(keyB, plan.unionB, (k1, k2, h1, h2, line, r1, r2) => visitB(k1, k2, h1, h2, line, r1, r2, table!.get(k1, k2)), canonical);
  }
  if (bSuspect) {
    const sus = bSuspect as { kind: 'added' | 'seen'; first?: number; idx?: number; line: number; ref1: number; ref2: number };
    const [second] = await B.fetch([{ ref1: sus.ref1, ref2: sus.ref2 }]);
    const firstRow = sus.kind === 'added' ? (await B.fetch([addedAll.ref(sus.first!)]))[0]! : (await A.fetch([a.ref(sus.idx!)]))[0]!;
    const firstKeys = sus.kind === 'added' ? keyB : keyA;
    if (!sameKey(firstKeys, firstRow, keyB, second!)) return new KeyCollision();
    const lines = sus.kind === 'added' ? [addedAll.line[sus.first!]!, sus.line] : [sus.line];
    return new DuplicateKey(keyB.map((k) => second![k] ?? ''), 'b', lines);
  }
  summary.rowsB = bRow;

  const changed = new Kept<RowChange>(opts.limit);
  for (let start = 0; start < cand.n; start += BATCH) {
    const end = Math.min(cand.n, start + BATCH);
    const refsA: { ref1: number; ref2: number }[] = [];
    const refsB: { ref1: number; ref2: number }[] = [];
    for (let i = start; i < end; i++) { refsA.push(a.ref(cand.h1[i]!)); refsB.push(cand.ref(i)); }
    const [rowsA, rowsB] = await Promise.all([A.fetch(refsA), B.fetch(refsB)]);
    for (let i = start; i < end; i++) {
      const ai = cand.h1[i]!;
      const ra = rowsA[i - start]!;
      const rb = rowsB[i - start]!;
      if (!sameKey(keyA, ra, keyB, rb)) return new KeyCollision();
      const cells = compareRows(plan, ra, rb, opts.tolerance);
      if (cells.length === 0) { summary.unchanged++; continue; }
      summary.changed++;
      summary.cellsChanged += cells.length;
      changed.offer({ kind: 'changed', aRow: ai + 1, bRow: cand.h2[i]!, aLine: a.line[ai]!, bLine: cand.line[i]!, key: key.map((k) => ra[A.header.indexOf(k)] ?? ''), cells });
    }
  }
  const addedRows = await B.fetch(added.items);
  const addedChanges: RowChange[] = added.items.map((x, i) => ({ kind: 'added', bRow: x.bRow, bLine: x.bLine, key: keyB.map((k) => addedRows[i]![k] ?? ''), values: addedRows[i]! }));

  const removedIdx: number[] = [];
  for (let i = 0; i < a.n; i++) {
    if (seen[i] === 0) {
      summary.removed++;
      if (removedIdx.length < opts.limit) removedIdx.push(i);
    }
  }
  const removedRows = await A.fetch(removedIdx.map((i) => a.ref(i)));
  const removedChanges: RowChange[] = removedIdx.map((i, j) => ({
    kind: 'removed', aRow: i + 1, aLine: a.line[i]!, key: keyA.map((k) => removedRows[j]![k] ?? ''), values: removedRows[j]!,
  }));

  // Merge changed and added by position in b, then removed; cap at limit.
  const merged: RowChange[] = [];
  let i = 0, j = 0;
  const ch = changed.items;
  while (merged.length < opts.limit && (i < ch.length || j < addedChanges.length)) {
    const x = ch[i];
    const y = addedChanges[j];
    const bx = x && x.kind === 'changed' ? x.bRow : Infinity;
    const by = y && y.kind === 'added' ? y.bRow : Infinity;
    if (bx < by) { merged.push(x!); i++; } else { merged.push(y!); j++; }
  }
  for (const r of removedChanges) { if (merged.length >= opts.limit) break; merged.push(r); }
  const total = summary.added + summary.removed + summary.changed;
  const notes: Note[] = [];
  if (orderChanged) notes.push({ code: 'row-order-changed' });
  return {
    columns: plan.columns,
    match: { mode: 'keyed', key, keySource: opts.keySource ?? 'option' },
    rowOrderChanged: orderChanged,
    summary,
    rows: merged,
    truncated: merged.length < total,
    notes,
  };
}

async function positionalDiff(A: RowSource, B: RowSource, plan: ColumnPlan, opts: TableDiffOptions): Promise<TableDiff> {
  const summary = emptySummary(plan);
  const a = new Grow(A.rowEstimate);
  const canonical = canonicalRows(A, B);
  const bg = B.scanInBackground?.(null, plan.unionB, canonical) ?? null;
  let b = new Grow(bg ? 16 : B.rowEstimate);
  try {
    await A.scan(null, plan.unionA, (_k1, _k2, h1, h2, line, r1, r2) => { a.push(h1, h2, line, r1, r2); }, canonical);
  } catch (e) {
    bg?.cancel();
    throw e;
  }
  if (bg) b = Grow.of(await bg.promise);
  else await B.scan(null, plan.unionB, (_k1, _k2, h1, h2, line, r1, r2) => { b.push(h1, h2, line, r1, r2); }, canonical);
  summary.rowsA = a.n;
  summary.rowsB = b.n;
  const ah1 = a.h1, ah2 = a.h2, bh1 = b.h1, bh2 = b.h2;
  const { runs, exact } = anchoredDiff(ah1, ah2, a.n, bh1, bh2, b.n);

  // Moved rows: a deleted row identical to an inserted row elsewhere. Deleted rows are chained per
  // fingerprint in a typed table (value = first row of the chain, -2 = chain used up).
  const heads = new KeyTable();
  const next = new Int32Array(a.n).fill(-2);
  for (let r = runs.length - 1; r >= 0; r--) {
    const run = runs[r]!;
    if (run.op !== 'delete') continue;
    for (let i = run.a + run.n - 1; i >= run.a; i--) {
      const head = heads.get(ah1[i]!, ah2[i]!);
      next[i] = head === -1 ? -2 : head;
      heads.set(ah1[i]!, ah2[i]!, i);
    }
  }
  const movedFromA = new Int32Array(b.n).fill(-1); // b index → a index
  const movedA = new Uint8Array(a.n);
  for (const r of runs) if (r.op === 'insert') for (let j = r.b; j < r.b + r.n; j++) {
    const i = heads.get(bh1[j]!, bh2[j]!);
    if (i >= 0) { movedFromA[j] = i; movedA[i] = 1; heads.set(bh1[j]!, bh2[j]!, next[i]!); }
  }

  // Events in file order: 0 = removed(a), 1 = added(b), 2 = pair(a,b) to compare, 3 = moved(a→b).
  const evKind: number[] = [];
  const evA: number[] = [];
  const evB: number[] = [];
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    if (run.op === 'equal') { summary.unchanged += run.n; continue; }
    const next = runs[r + 1];
    const dels: number[] = [];
    const ins: number[] = [];
    if (run.op === 'delete') {
      for (let i = run.a; i < run.a + run.n; i++) if (!movedA[i]) dels.push(i);
      if (next && next.op === 'insert') {
        for (let j = next.b; j < next.b + next.n; j++) if (movedFromA[j]! < 0) ins.push(j); else ins.push(-1 - j);
        r++;
      }
    } else {
      for (let j = run.b; j < run.b + run.n; j++) if (movedFromA[j]! < 0) ins.push(j); else ins.push(-1 - j);
    }
    let di = 0;
    for (const j of ins) {
      if (j < 0) { evKind.push(3); evA.push(movedFromA[-1 - j]!); evB.push(-1 - j); continue; }
      if (di < dels.length) { evKind.push(2); evA.push(dels[di++]!); evB.push(j); }
      else { evKind.push(1); evA.push(-1); evB.push(j); }
    }
    for (; di < dels.length; di++) { evKind.push(0); evA.push(dels[di]!); evB.push(-1); }
  }

  const rows: RowChange[] = [];
  let total = 0;
  for (let start = 0; start < evKind.length; start += BATCH) {
    const end = Math.min(evKind.length, start + BATCH);
    // Pairs must always be compared (exact counts); other rows are only read while details are kept.
    const needA: number[] = [];
    const needB: number[] = [];
    const room = opts.limit - rows.length;
    let keepable = 0;
    for (let e = start; e < end; e++) {
      const k = evKind[e]!;
      if (k === 2) { needA.push(evA[e]!); needB.push(evB[e]!); }
      else if (keepable < room) {
        keepable++;
        if (k === 0 || k === 3) needA.push(evA[e]!);
        if (k === 1) needB.push(evB[e]!);
      }
    }
    const [ra, rb] = await Promise.all([A.fetch(needA.map((i) => a.ref(i))), B.fetch(needB.map((j) => b.ref(j)))]);
    const gotA = new Map(needA.map((i, x) => [i, ra[x]!] as const));
    const gotB = new Map(needB.map((j, x) => [j, rb[x]!] as const));
    for (let e = start; e < end; e++) {
      const k = evKind[e]!;
      const i = evA[e]!;
      const j = evB[e]!;
      if (k === 2) {
        const cells = compareRows(plan, gotA.get(i)!, gotB.get(j)!, opts.tolerance);
        if (cells.length === 0) { summary.unchanged++; continue; }
        summary.changed++;
        summary.cellsChanged += cells.length;
        total++;
        if (rows.length < opts.limit) rows.push({ kind: 'changed', aRow: i + 1, bRow: j + 1, aLine: a.line[i]!, bLine: b.line[j]!, cells });
      } else if (k === 0) {
        summary.removed++;
        total++;
        const v = gotA.get(i);
        if (v && rows.length < opts.limit) rows.push({ kind: 'removed', aRow: i + 1, aLine: a.line[i]!, values: v });
      } else if (k === 1) {
        summary.added++;
        total++;
        const v = gotB.get(j);
        if (v && rows.length < opts.limit) rows.push({ kind: 'added', bRow: j + 1, bLine: b.line[j]!, values: v });
      } else {
        summary.moved++;
        total++;
        const v = gotA.get(i);
        if (v && rows.length < opts.limit) rows.push({ kind: 'moved', aRow: i + 1, bRow: j + 1, aLine: a.line[i]!, bLine: b.line[j]!, values: v });
      }
    }
  }
  return {
    columns: plan.columns,
    match: { mode: 'positional' },
    rowOrderChanged: false,
    summary,
    rows,
    truncated: rows.length < total,
    notes: exact ? [] : [{ code: 'approximate' }],
  };
}

/**
 * Diff two tables: keyed when a key is given or detected (rows matched by key, order ignored),
 * positional otherwise (Myers over row fingerprints, moved rows recognised, changed rows paired
 * inside each changed block). Memory: a fingerprint, a reference and (keyed) the key per row of a;
 * only changed rows are decoded again.
 */
export async function diffTables(A: RowSource, B: RowSource, opts: TableDiffOptions): Promise<TableDiff> {
  const plan = planColumns(A.header, B.header);
  const notes: Note[] = [];
  let key = opts.key;
  let keySource = opts.keySource ?? 'option';
  if (key && key.length > 0) {
    for (const k of key) {
      const missing = [!A.header.includes(k) ? A.label : null, !B.header.includes(k) ? B.label : null].filter(Boolean);
      if (missing.length > 0) {
        const available = A.header.filter((c) => B.header.includes(c));
        throw new DiffError(
          'E_CSV_KEY_NOT_FOUND',
          `Key column ${showName(k)} is not in ${missing.join(' and ')}. Columns both versions have: ${available.length ? available.map(showName).join(', ') : '(none)'}.`,
          { key: k, keys: key, columns: available },
        );
      }
    }
  } else if (opts.detectKey !== false) {
    const [sa, sb] = await Promise.all([A.sample(10_000), B.sample(10_000)]);
    const k = detectKey(plan, sa, sb);
    if (k !== null) { key = [k]; keySource = 'detected'; }
  }
  if (key && key.length > 0) {
    const r = await keyedDiff(A, B, plan, key, { ...opts, keySource });
    if (r instanceof KeyCollision) {
      notes.push({ code: 'approximate' });
      const res = await positionalDiff(A, B, plan, opts);
      res.notes.unshift(...notes);
      return res;
    }
    if (!(r instanceof DuplicateKey)) return r;
    const where = r.side === 'a' ? A.label : B.label;
    if (keySource === 'option' || keySource === 'primary-key') {
      throw new DiffError(
        'E_CSV_DUPLICATE_KEY',
        `Key ${key.join(', ')} is not unique in ${where}: ${describeKey(key, r.value)} appears more than once (line${r.lines.length > 1 ? 's' : ''} ${r.lines.join(', ')}). Choose key columns that identify each row, or diff without --key.`,
        { key, value: r.value, side: r.side, lines: r.lines },
      );
    }
    notes.push({ code: 'duplicate-key', key, value: r.value, side: r.side, lines: r.lines });
  }
  const res = await positionalDiff(A, B, plan, opts);
  res.notes.unshift(...notes);
  return res;
}
