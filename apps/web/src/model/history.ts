/** File list and per-file history rows as the page shows them: pure functions of the vault's records. */
import type { FileEntry, VerifyReport, VersionRecord } from '../vault/types.js';
import { formatBytes, formatDate } from './format.js';

export type VerifiedMark = 'verified' | 'damaged' | 'unchecked';
export type FileStatus = 'unpushed' | 'damaged' | 'verified' | 'unchecked';

export interface FileRow {
  path: string;
  status: FileStatus;
  statusText: string;
  latest: string;
  size: string;
  savedAt: string;
  tags: string[];
  versions: number;
}

export interface VersionRow {
  version: number;
  date: string;
  size: string;
  description: string;
  experiment: string;
  tags: string[];
  verified: VerifiedMark;
  /** an extra word for versions saved in this page and not pushed yet */
  unpushed: boolean;
}

const STATUS_TEXT: Record<FileStatus, string> = {
  unpushed: 'saved here, not pushed',
  damaged: 'damaged: a version fails its checksum',
  verified: 'every version verified',
  unchecked: 'not verified yet',
};

/** `path@version` keys of a verify report's good and bad versions. */
export function verifyIndex(report: VerifyReport | null): { good: Set<string>; bad: Map<string, string> } {
  const good = new Set<string>();
  const bad = new Map<string, string>();
  for (const v of report?.verified ?? []) good.add(`${v.path}@${v.version}`);
  for (const p of report?.problems ?? []) bad.set(`${p.path}@${p.version}`, p.message);
  return { good, bad };
}

export function markOf(path: string, version: number, idx: ReturnType<typeof verifyIndex>): VerifiedMark {
  const k = `${path}@${version}`;
  return idx.bad.has(k) ? 'damaged' : idx.good.has(k) ? 'verified' : 'unchecked';
}

/**
 * One row per file. `unpushed` holds `path@version` of saves made in this page since the last push;
 * a file with any of them is `unpushed` first, since that is what the user must still act on.
 */
export function fileRows(files: readonly FileEntry[], report: VerifyReport | null, unpushed: ReadonlySet<string>): FileRow[] {
  const idx = verifyIndex(report);
  const unpushedPaths = new Set([...unpushed].map((k) => k.slice(0, k.lastIndexOf('@'))));
  const badPaths = new Set([...idx.bad.keys()].map((k) => k.slice(0, k.lastIndexOf('@'))));
  const goodCount = new Map<string, number>();
  for (const k of idx.good) {
    const p = k.slice(0, k.lastIndexOf('@'));
    goodCount.set(p, (goodCount.get(p) ?? 0) + 1);
  }
  return files.map((f) => {
    const status: FileStatus = unpushedPaths.has(f.path) ? 'unpushed' : badPaths.has(f.path) ? 'damaged' : (goodCount.get(f.path) ?? 0) >= f.versions ? 'verified' : 'unchecked';
    return { path: f.path, status, statusText: STATUS_TEXT[status], latest: `v${f.latestVersion}`, size: formatBytes(f.size), savedAt: formatDate(f.savedAt), tags: f.tags.filter((t) => !t.startsWith('sp/')), versions: f.versions };
  });
}

/** A file's versions, newest first. */
export function versionRows(versions: readonly VersionRecord[], report: VerifyReport | null, unpushed: ReadonlySet<string>): VersionRow[] {
  const idx = verifyIndex(report);
  return [...versions]
    .sort((a, b) => b.version - a.version)
    .map((v) => ({
      version: v.version,
      date: formatDate(v.savedAt),
      size: formatBytes(v.size),
      description: v.description ?? v.summary ?? '',
      experiment: v.experiment ?? '',
      tags: v.tags.filter((t) => !t.startsWith('sp/')),
      verified: markOf(v.path, v.version, idx),
      unpushed: unpushed.has(`${v.path}@${v.version}`),
    }));
}

/** Label/value pairs for one version's details panel. */
export function versionDetails(v: VersionRecord): [string, string][] {
  const out: [string, string][] = [
    ['Version', `${v.path}@${v.version}`],
    ['Saved', `${formatDate(v.savedAt)} UTC`],
    ['Size', v.size >= 0 ? `${formatBytes(v.size)} (${v.size} bytes)` : 'unknown'],
    ['sha256', v.sha256 || 'not recorded'],
    ['Commit', v.commit],
    ['Summary', v.summary],
  ];
  if (v.description) out.push(['Description', v.description]);
  if (v.experiment) out.push(['Experiment', v.experiment]);
  if (v.tags.length) out.push(['Tags', v.tags.join(', ')]);
  out.push(['Kind', v.kind], ['Status', v.status], ['Source', v.source]);
  if (v.verifiedAt) out.push(['Last verified', `${formatDate(v.verifiedAt)} UTC${v.verifiedBy ? ` by ${v.verifiedBy}` : ''}`]);
  if (v.noteMissing) out.push(['Note', 'missing: shown from the commit trailers']);
  return out;
}

/** The two versions a diff compares by default: the one before `version`, and `version` itself. */
export function defaultDiffPair(versions: readonly number[], version: number): { from: number; to: number } | null {
  const older = versions.filter((v) => v < version).sort((a, b) => b - a)[0];
  return older === undefined ? null : { from: older, to: version };
}

/** Build the page's file list from the version history (newest version per path). */
export function filesOf(versions: readonly VersionRecord[]): FileEntry[] {
  const by = new Map<string, VersionRecord[]>();
  for (const v of versions) {
    if (!by.has(v.path)) by.set(v.path, []);
    by.get(v.path)!.push(v);
  }
  return [...by.entries()]
    .map(([path, vs]) => {
      const latest = vs.reduce((a, b) => (b.version > a.version ? b : a));
      return { path, latestVersion: latest.version, size: latest.size, savedAt: latest.savedAt, tags: [...new Set(vs.flatMap((v) => v.tags))].sort(), versions: vs.length };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}
