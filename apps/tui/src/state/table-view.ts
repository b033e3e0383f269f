/** Cursor of the table diff view: which grid (sheet / table), which row, the first visible column, the row detail. Pure. */

export interface TableView {
  sheet: number;
  row: number;
  /** first visible column (horizontal scroll) */
  col: number;
  /** Enter: every cell of the cursor row */
  detail: boolean;
}

export const initialTableView: TableView = { sheet: 0, row: 0, col: 0, detail: false };

export type TableAction =
  | { type: 'row'; delta: number }
  | { type: 'col'; delta: number }
  | { type: 'sheet'; delta: number }
  | { type: 'detail' }
  /** Esc: closes the detail; returns null when there is nothing to close (the caller goes back) */
  | { type: 'back' };

export interface TableCounts {
  sheets: number;
  rows: number;
  columns: number;
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

export function tableStep(s: TableView, a: TableAction, c: TableCounts): TableView | null {
  switch (a.type) {
    case 'row':
      return { ...s, row: clamp(s.row + a.delta, 0, Math.max(0, c.rows - 1)) };
    case 'col':
      return { ...s, col: clamp(s.col + a.delta, 0, Math.max(0, c.columns - 1)) };
    case 'sheet': {
      const sheet = clamp(s.sheet + a.delta, 0, Math.max(0, c.sheets - 1));
      return sheet === s.sheet ? s : { sheet, row: 0, col: 0, detail: false };
    }
    case 'detail':
      return c.rows ? { ...s, detail: !s.detail } : s;
    case 'back':
      return s.detail ? { ...s, detail: false } : null;
  }
}
