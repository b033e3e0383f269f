/**
 * List filters: the files list by path, the versions list by description, tag, experiment, date, kind and
 * number. Pure functions from list + query to the matching items, run on the data before any pane draws
 * it (so a windowed list gets the filtered rows). A query is words; every word must occur (any case).
 */
import type { FileStatus, VersionRecord } from '@savepoint/core';
import { formatDate } from '../format.js';

export interface Filters {
  files: string;
  versions: string;
}

export const noFilters: Filters = { files: '', versions: '' };

export function queryTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/** The items whose text contains every word of `query`, in their order; all items for a blank query. */
export function filterList<T>(items: readonly T[], query: string, text: (item: T) => string): T[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return items as T[];
  return items.filter((item) => {
    const hay = text(item).toLowerCase();
    return terms.every((t) => hay.includes(t));
  });
}

export const fileText = (f: Pick<FileStatus, 'path'>): string => f.path;

/** What a version filter looks at: v<n>, description, tags, experiment, date (as shown and ISO), kind. */
export function versionText(v: Pick<VersionRecord, 'version' | 'summary' | 'description' | 'tags' | 'experiment' | 'savedAt' | 'kind'>): string {
  return [`v${v.version}`, v.summary, v.description ?? '', v.tags.join(' '), v.experiment ?? '', formatDate(v.savedAt), v.savedAt, v.kind].join('\n');
}

export const filterFiles = <F extends Pick<FileStatus, 'path'>>(files: readonly F[], query: string): F[] => filterList(files, query, fileText);
export const filterVersions = <V extends Parameters<typeof versionText>[0]>(versions: readonly V[], query: string): V[] => filterList(versions, query, versionText);

/** n / N: the next (dir 1) or previous (dir -1) row of a filtered list, wrapping at the ends. */
export function stepMatch(count: number, cursor: number, dir: 1 | -1): number {
  if (count <= 0) return 0;
  return (((cursor + dir) % count) + count) % count;
}

/** The pane title suffix, e.g. ` /csv (3 of 12)`; empty without a filter. */
export function filterTitle(query: string, shown: number, total: number): string {
  return queryTerms(query).length ? ` /${query.trim()} (${shown} of ${total})` : '';
}
