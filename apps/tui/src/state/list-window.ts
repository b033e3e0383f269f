/**
 * Which rows of a long list are on screen. Pure: the windowed list renders only `end - start` rows, so a
 * list of 100,000 versions costs what a list of 20 costs. The window moves only when the cursor would leave
 * it (no re-centring on every key), and a mouse wheel moves the cursor by a few rows.
 */

export interface ListWindow {
  /** first visible index */
  start: number;
  /** one past the last visible index */
  end: number;
}

/** Rows one wheel notch moves. */
export const WHEEL_STEP = 3;

/** The visible range of `count` items in `height` rows with the cursor kept inside; `previous` is the last start. */
export function listWindow(count: number, cursor: number, height: number, previous = 0): ListWindow {
  const h = Math.max(0, Math.floor(height));
  if (h === 0 || count <= 0) return { start: 0, end: 0 };
  if (count <= h) return { start: 0, end: count };
  const c = Math.max(0, Math.min(count - 1, cursor));
  let start = Math.max(0, Math.min(previous, count - h));
  if (c < start) start = c;
  if (c >= start + h) start = c - h + 1;
  return { start, end: start + h };
}

/** "12/100000" shown in a pane's title line. */
export function positionLabel(count: number, cursor: number): string {
  return count ? `${Math.min(count, cursor + 1)}/${count}` : '';
}
