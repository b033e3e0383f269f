/** Pure text formatting for the panes: sizes, dates, states and version status marks. */
import type { FileState, VersionRecord } from '@savepoint/core';

import { formatBytes } from '@savepoint/core/format';

export { formatBytes };

/** `2026-05-01T09:02:00.000Z` → `2026-05-01 09:02Z` (UTC, so every terminal shows the same text). */
export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

export const STATE_LABEL: Record<FileState, string> = {
  new: 'new',
  modified: 'modified',
  unchanged: 'saved',
  missing: 'missing',
  unsupported: 'bad name',
};

/** The files list's state word; a modified file whose content equals an older version shows "= v1". */
export function fileStateLabel(f: { state: FileState; matchesVersion?: number }): string {
  return f.state === 'modified' && f.matchesVersion !== undefined ? `= v${f.matchesVersion}` : STATE_LABEL[f.state];
}

/** ✓ verified, `archived`, or `·` for a save not verified yet. */
export function statusMark(v: Pick<VersionRecord, 'status' | 'archive'>): string {
  if (v.archive || v.status === 'archived') return 'archived';
  return v.status === 'verified' ? '✓' : '·';
}

/** Pad or cut `s` to exactly `width` columns (ASCII-width approximation; ellipsis when cut). */
export function fit(s: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...s];
  if (chars.length <= width) return s + ' '.repeat(width - chars.length);
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

/** First visible index so that `cursor` stays inside a window of `height` rows over `count` items. */
export function windowStart(count: number, cursor: number, height: number, previous = 0): number {
  if (height <= 0 || count <= height) return 0;
  let start = Math.min(Math.max(previous, 0), count - height);
  if (cursor < start) start = cursor;
  if (cursor >= start + height) start = cursor - height + 1;
  return Math.max(0, Math.min(start, count - height));
}

export function percent(loaded: number, total: number): number {
  if (total <= 0) return loaded > 0 ? 100 : 0;
  return Math.max(0, Math.min(100, Math.floor((loaded / total) * 100)));
}

/** A text progress bar `[#####-----]` that needs no colour. */
export function progressBar(loaded: number, total: number, width: number): string {
  const w = Math.max(4, width);
  const filled = Math.round((percent(loaded, total) / 100) * w);
  return `[${'#'.repeat(filled)}${'-'.repeat(w - filled)}]`;
}
