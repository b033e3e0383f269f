/**
 * Version records from save commits and their checksum notes. Pure. The one place a VersionRecord is built:
 * the Node history (history/versions.ts, through the catalog) and the browser (browser/vault.ts) both call it,
 * so the two can never disagree on a field or on the order.
 */
import { descriptionOf, parseTrailers, summaryOf } from './commit-message.js';
import type { SaveNote } from './note.js';
import type { VersionRecord } from './version.js';

/** What a save commit contributes to history: its message parts, trailers (with the blob at each path) and note. */
export interface SaveCommitInfo {
  oid: string;
  summary: string;
  description: string;
  /** committer time, seconds since the epoch */
  timestamp: number;
  trailers: { path: string; version: number; sha256: string; blob: string | null }[];
  experiment?: string;
  /** the parsed checksum note, or null when it is missing or unreadable (the trailers are used then) */
  note: SaveNote | null;
}

/** The SaveCommitInfo of one commit; `blobAt(path)` gives the blob at that path in the commit's tree (or null). */
export async function saveCommitInfo(
  commit: { oid: string; message: string; timestamp: number },
  blobAt: (path: string) => Promise<string | null>,
  note: SaveNote | null,
): Promise<SaveCommitInfo> {
  const parsed = parseTrailers(commit.message);
  const trailers: SaveCommitInfo['trailers'] = [];
  for (const [p, version] of parsed.versions) trailers.push({ path: p, version, sha256: parsed.sha256.get(p) ?? '', blob: await blobAt(p) });
  const info: SaveCommitInfo = { oid: commit.oid, summary: summaryOf(commit.message), description: descriptionOf(commit.message), timestamp: commit.timestamp, trailers, note };
  if (parsed.experiment) info.experiment = parsed.experiment;
  return info;
}

/** The version records of one save commit at history position `seq` (tags empty: see applyTags). */
export function versionRecordsOfSave(c: SaveCommitInfo, seq: number): VersionRecord[] {
  const out: VersionRecord[] = [];
  for (const t of c.trailers) {
    const entry = c.note?.files[t.path];
    const rec: VersionRecord = {
      path: t.path,
      version: entry?.version ?? t.version,
      commit: c.oid,
      seq,
      blob: t.blob ?? '',
      sha256: entry?.sha256 ?? t.sha256,
      size: entry?.size ?? -1,
      savedAt: entry?.savedAt ?? new Date(c.timestamp * 1000).toISOString(),
      summary: c.summary,
      source: entry?.source ?? 'commit-trailers',
      kind: c.note?.kind ?? 'manual',
      status: c.note?.status ?? 'active',
      tags: [],
    };
    if (!entry) rec.noteMissing = true;
    if (entry?.md5) rec.md5 = entry.md5;
    if (c.description) rec.description = c.description;
    const experiment = entry?.experiment ?? c.experiment;
    if (experiment) rec.experiment = experiment;
    if (c.note?.keep) rec.keep = c.note.keep;
    if (c.note?.verifiedAt) rec.verifiedAt = c.note.verifiedAt;
    if (c.note?.verifiedBy) rec.verifiedBy = c.note.verifiedBy;
    if (entry?.sqlite) rec.sqlite = entry.sqlite;
    if (entry?.pg) rec.pg = entry.pg;
    if (c.note?.restoredFrom !== undefined) rec.restoredFrom = c.note.restoredFrom;
    out.push(rec);
  }
  return out;
}

/**
 * Every version of the saves on the history branch, `saves` oldest first. The order is history order (seq),
 * never clock order: clocks of different machines disagree, the branch does not; files of one save keep
 * their trailer order.
 */
export function buildVersionRecords(saves: readonly SaveCommitInfo[]): VersionRecord[] {
  return saves.flatMap((c, seq) => versionRecordsOfSave(c, seq));
}

/** The tags a version of `path` shows: every tag on its commit, except `sp/` tags of other files. Sorted. */
export function tagsOfVersion(namesOnCommit: readonly string[], path: string): string[] {
  return namesOnCommit.filter((name) => !name.startsWith('sp/') || name.startsWith(`sp/${path}/v`)).sort();
}

/** Set `tags` on each record from tag name → tagged commit (archived records keep the tags their archive recorded). */
export function applyTags(recs: VersionRecord[], tags: Iterable<[string, string]>): VersionRecord[] {
  const byCommit = new Map<string, string[]>();
  for (const [name, commit] of tags) {
    if (!byCommit.has(commit)) byCommit.set(commit, []);
    byCommit.get(commit)!.push(name);
  }
  for (const r of recs) {
    if (r.archive) continue;
    r.tags = tagsOfVersion(byCommit.get(r.commit) ?? [], r.path);
  }
  return recs;
}
