/** Versions and how users address them (`data.csv@12`, `@latest`, `@-1`, tag, ISO date, SHA prefix). Pure. */
import { SavepointError } from '../errors.js';
import type { SaveKind } from './note.js';

export type VersionStatus = 'active' | 'verified' | 'archived';

export interface VersionRecord {
  path: string;
  version: number;
  /** save commit on the history branch (or, for archived versions, the commit recorded in the archive) */
  commit: string;
  /** position of the save in history, 0 = oldest; orders versions across files */
  seq: number;
  blob: string;
  sha256: string;
  md5?: string;
  size: number;
  savedAt: string;
  summary: string;
  description?: string;
  experiment?: string;
  source: string;
  kind: SaveKind;
  keep?: string;
  status: VersionStatus;
  verifiedAt?: string;
  verifiedBy?: string;
  tags: string[];
  /** set when the version lives in a retention archive instead of the history branch */
  archive?: string;
  /** when retention archived it (the archive's creation time) */
  archivedAt?: string;
  /** the save has no (readable) checksum note: size is unknown, sha256 comes from the commit trailers; `savepoint repair` rebuilds it */
  noteMissing?: boolean;
  /** an SQLite database saved as a backup-API snapshot (from the note) */
  sqlite?: { pageSize: number; pages: number; journalMode: string; integrity: 'ok' };
  /** a pg_dump archive saved with `save --pg` (from the note; never a password) */
  pg?: import('./note.js').NoteFileEntry['pg'];
  /** kind `restore`: the version whose content this save recorded */
  restoredFrom?: number;
}

export type VersionSpec =
  | { kind: 'latest' }
  | { kind: 'number'; n: number }
  | { kind: 'relative'; back: number; /** as typed, e.g. "-3" (huge counts do not survive Number) */ text?: string }
  | { kind: 'date'; text: string; until: number }
  | { kind: 'ref'; text: string };

export interface Address {
  path: string;
  spec: VersionSpec;
  /** the text after @, as typed */
  raw: string;
}

/** Split `path@spec`; a path without @ means latest. The last @ separates, so paths may contain @. */
export function parseAddress(input: string): Address {
  const at = input.lastIndexOf('@');
  if (at <= 0) return { path: input, spec: { kind: 'latest' }, raw: 'latest' };
  const path = input.slice(0, at);
  const raw = input.slice(at + 1);
  if (raw === '') {
    throw new SavepointError('E_BAD_ADDRESS', `"${input}" has nothing after "@". Write ${path} (the latest version), ${path}@N, ${path}@latest, ${path}@-1, a tag name, an ISO date or a commit SHA prefix after the "@".`, { address: input });
  }
  return { path, spec: parseVersionSpec(raw), raw };
}

export function parseVersionSpec(raw: string): VersionSpec {
  if (raw === '' || raw === 'latest' || raw === 'HEAD') return { kind: 'latest' };
  if (/^v?\d+$/.test(raw) && raw.replace(/^v/, '').length <= 9) {
    const n = Number(raw.replace(/^v/, ''));
    if (n < 1) throw badAddress(raw, 'version numbers start at 1');
    return { kind: 'number', n };
  }
  if (/^-\d+$/.test(raw)) return { kind: 'relative', back: Number(raw.slice(1)), text: raw };
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
    const ms = Date.parse(dateOnly ? `${raw}T23:59:59.999Z` : raw.replace(' ', 'T'));
    if (Number.isNaN(ms)) throw badAddress(raw, 'not a valid date');
    return { kind: 'date', text: raw, until: ms };
  }
  return { kind: 'ref', text: raw };
}

function badAddress(raw: string, why: string): SavepointError {
  return new SavepointError('E_BAD_ADDRESS', `"@${raw}" is not a version address (${why}). Use @N, @latest, @-1, a tag name, an ISO date like @2026-05-01, or a commit SHA prefix.`, { address: raw });
}

/**
 * Pick the version of `path` that `spec` names. `versions` are all versions of that path, any order.
 * `refs` resolves a tag or SHA-prefix text to a commit oid's history position (seq), or null.
 */
export function selectVersion(
  path: string,
  versions: VersionRecord[],
  spec: VersionSpec,
  resolveRef: (text: string) => { seq: number; commit: string } | null,
): VersionRecord {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const latest = sorted[sorted.length - 1];
  if (!latest) {
    throw new SavepointError('E_NOT_TRACKED', `${path} has no saved versions. Save it first with \`savepoint save ${path}\`.`, { path });
  }
  const unknown = (what: string) =>
    new SavepointError('E_UNKNOWN_VERSION', `${path} has no version ${what} (${latest.version === 1 ? 'only version 1 exists' : `versions 1–${latest.version} exist`}). List them with \`savepoint log ${path}\`.`, { path, address: what, latest: latest.version });
  switch (spec.kind) {
    case 'latest':
      return latest;
    case 'number': {
      const v = sorted.find((r) => r.version === spec.n);
      if (!v) throw unknown(String(spec.n));
      return v;
    }
    case 'relative': {
      const v = Number.isSafeInteger(spec.back) ? sorted[sorted.length - 1 - spec.back] : undefined;
      if (!v) {
        const furthest = sorted.length - 1;
        throw new SavepointError('E_UNKNOWN_VERSION', `${path} has no version @${spec.text ?? `-${spec.back}`}: it has ${sorted.length} version${sorted.length === 1 ? '' : 's'} (${latest.version === 1 ? 'version 1' : `versions 1–${latest.version}`}), so ${furthest === 0 ? 'there is nothing before the latest' : furthest === 1 ? '@-1 is as far back as it goes' : `@-1 … @-${furthest} count back from the latest`}. List them with \`savepoint log ${path}\`.`, { path, address: spec.text ?? `-${spec.back}`, latest: latest.version });
      }
      return v;
    }
    case 'date': {
      const before = sorted.filter((r) => Date.parse(r.savedAt) <= spec.until);
      const v = before[before.length - 1];
      if (!v) throw unknown(`saved on or before ${spec.text}`);
      return v;
    }
    case 'ref': {
      // A tag or SHA prefix names a save; the version is the one current at that point in history.
      const byTag = sorted.find((r) => r.tags.includes(spec.text));
      if (byTag) return byTag;
      const target = resolveRef(spec.text);
      if (!target && /^v?\d+$/.test(spec.text)) throw unknown(spec.text.replace(/^v/, '')); // too long for a version number, and no commit starts so
      if (!target) {
        throw new SavepointError('E_BAD_ADDRESS', `"@${spec.text}" is not a version number, tag, date or commit of ${path}. List versions with \`savepoint log ${path}\` and tags with \`git tag\`.`, { path, address: spec.text });
      }
      const exact = sorted.find((r) => r.commit === target.commit);
      if (exact) return exact;
      const before = sorted.filter((r) => r.seq <= target.seq);
      const v = before[before.length - 1];
      if (!v) throw unknown(`at ${spec.text}`);
      return v;
    }
  }
}
