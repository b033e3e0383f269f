import { expect, test } from 'vitest';
import { initialTableView, tableStep } from './table-view.js';

const c = { sheets: 2, rows: 5, columns: 8 };

test('rows and columns stay in range; switching sheet starts at its top-left; Esc closes the detail first', () => {
  let s = tableStep(initialTableView, { type: 'row', delta: 99 }, c)!;
  expect(s.row).toBe(4);
  s = tableStep(s, { type: 'col', delta: -3 }, c)!;
  expect(s.col).toBe(0);
  s = tableStep(s, { type: 'col', delta: 20 }, c)!;
  expect(s.col).toBe(7);
  s = tableStep(s, { type: 'detail' }, c)!;
  expect(s.detail).toBe(true);
  expect(tableStep(s, { type: 'back' }, c)).toEqual({ ...s, detail: false });
  expect(tableStep({ ...s, detail: false }, { type: 'back' }, c)).toBeNull();
  expect(tableStep(s, { type: 'sheet', delta: 1 }, c)).toEqual({ sheet: 1, row: 0, col: 0, detail: false });
  expect(tableStep(initialTableView, { type: 'detail' }, { ...c, rows: 0 })).toEqual(initialTableView);
});
