/** Marked versions (m): at most two, oldest mark dropped first; D diffs the pair, older → newer. */
import type { VersionRecord } from '@savepoint/core';

export const markKey = (v: Pick<VersionRecord, 'path' | 'version'>): string => `${v.path}@${v.version}`;

/** Mark `key`, or unmark it when it is marked; a third mark drops the oldest. */
export function toggleMark(marks: readonly string[], key: string, max = 2): string[] {
  if (marks.includes(key)) return marks.filter((m) => m !== key);
  return [...marks, key].slice(-max);
}

/** The two marked versions as [older, newer] (by save order), or null when not exactly two are found. */
export function markedPair<V extends Pick<VersionRecord, 'path' | 'version' | 'seq'>>(marks: readonly string[], find: (key: string) => V | undefined): [V, V] | null {
  if (marks.length !== 2) return null;
  const a = find(marks[0]!);
  const b = find(marks[1]!);
  if (!a || !b) return null;
  return a.seq < b.seq || (a.seq === b.seq && a.version <= b.version) ? [a, b] : [b, a];
}
