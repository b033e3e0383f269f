/**
 * List filters: the files list by path, the versions list by description, tag, experiment, date, kind and
 * number. Pure functions from list + query to the matching items, run on the data before any pane draws
 * it (so a windowed list gets the filtered rows). A query is words; every word must occur (any case).
 */
import type { FileStatus, VersionRecord } from '@savepoint/core';

export interface Filters {
  files: string;
  versions: string;
}

export const noFilters: Filters = { files: '', versions: '' };

export function queryTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The items whose text contains every word of `query` (any case), in their order; all items for a blank
 * query. `text` returns the item's searchable text in lower case.
 */
export function filterList<T>(items: readonly T[], query: string, text: (item: T) => string): T[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return items as T[];
  return items.filter((item) => {
    const hay = text(item);
    return terms.every((t) => hay.includes(t));
  });
}

export const fileText = (f: Pick<FileStatus, 'path'>): string => f.path.toLowerCase();

type VersionFields = Pick<VersionRecord, 'version' | 'summary' | 'description' | 'tags' | 'experiment' | 'savedAt' | 'kind'>;
// typing a filter over 100k versions builds each record's text once, not once per key; core may reuse a
// record object and give it a new tags array (a new tag), so the cached text is tied to that array
const texts = new WeakMap<VersionFields, { tags: readonly string[]; text: string }>();

/**
 * What a version filter looks at, in lower case: v<n>, description, tags, experiment, the ISO save time, kind.
 * A date as the panes show it ("2026-05-01 09:02") is two words that both occur in the ISO time.
 */
export function versionText(v: VersionFields): string {
  const hit = texts.get(v);
  if (hit && hit.tags === v.tags) return hit.text;
  const text = [`v${v.version}`, v.summary, v.description ?? '', v.tags.join(' '), v.experiment ?? '', v.savedAt, v.kind].join('\n').toLowerCase();
  texts.set(v, { tags: v.tags, text });
  return text;
}

export const filterFiles = <F extends Pick<FileStatus, 'path'>>(files: readonly F[], query: string): F[] => filterList(files, query, fileText);
export const filterVersions = <V extends VersionFields>(versions: readonly V[], query: string): V[] => filterList(versions, query, versionText);

/** n / N: the next (dir 1) or previous (dir -1) row of a filtered list, wrapping at the ends. */
export function stepMatch(count: number, cursor: number, dir: 1 | -1): number {
  if (count <= 0) return 0;
  return (((cursor + dir) % count) + count) % count;
}

/** The pane title suffix, e.g. ` /csv (3 of 12)`; empty without a filter. */
export function filterTitle(query: string, shown: number, total: number): string {
  return queryTerms(query).length ? ` /${query.trim()} (${shown} of ${total})` : '';
}

/** The last filter run over one list: lets the next one start from its result. */
export interface FilterMemo<T> {
  items: readonly T[];
  query: string;
  result: T[];
}

/**
 * `filterList` that reuses the previous result when the new query can only narrow it: same list, and every
 * word of the old query is part of a word of the new one (typing on adds letters or words). Typing into
 * the `/` prompt over 100k versions then scans the matches so far, not the whole history, per key.
 */
export function filterNarrowing<T>(prev: FilterMemo<T> | null, items: readonly T[], query: string, text: (item: T) => string): FilterMemo<T> {
  if (prev && prev.items === items) {
    if (prev.query === query) return prev;
    const before = queryTerms(prev.query);
    const now = queryTerms(query);
    if (before.length && before.every((p) => now.some((n) => n.includes(p)))) return { items, query, result: filterList(prev.result, query, text) };
  }
  return { items, query, result: filterList(items, query, text) };
}
