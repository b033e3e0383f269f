/**
 * Browser read path: list a vault's versions and read one version's bytes through isomorphic-git with an
 * injected fs (e.g. @isomorphic-git/lightning-fs), checked against the sha256 in its checksum note.
 * No node: modules here or in anything imported from here.
 */
import git from 'isomorphic-git';
import { SavepointError } from '../errors.js';
import { NOTES_REF, parseNote } from '../model/note.js';
import type { SaveNote } from '../model/note.js';
import { parseAddress, selectVersion } from '../model/version.js';
import type { Address, VersionRecord } from '../model/version.js';
import { applyTags, buildVersionRecords, saveCommitInfo } from '../model/version-records.js';
import type { SaveCommitInfo } from '../model/version-records.js';
import { blobAtPath, ctxOf, defaultBranch, objectError, readBlobText, readNotesMap, readTags, sha256Hex, tryResolve } from './repo.js';
import type { BrowserRepoOptions, Ctx } from './repo.js';

export type { BrowserRepoOptions } from './repo.js';
export { sha256Hex } from './repo.js';

export interface ReadHistoryOptions extends BrowserRepoOptions {
  /** history branch; by default `savepoint` if it exists (vault inside a code repo), else `main` */
  branch?: string;
}

export interface BrowserHistory {
  branch: string;
  tip: string | null;
  notesTip: string | null;
  /** every version on the history branch, oldest save first (retention archives are not read) */
  versions: VersionRecord[];
  /** save commits on the branch, oldest first; `seq` is the index */
  commits: { oid: string; seq: number }[];
  /** tag name → peeled commit */
  tags: Map<string, string>;
}

export interface ReadContentOptions extends ReadHistoryOptions {
  /** `data.csv@3`, `data.csv@latest`, `data.csv@-1`, `data.csv@<tag>`, `data.csv@2026-05-01`, `data.csv@<sha prefix>`; path relative to the vault */
  address: string | Address;
  /** a history already read with readVaultHistoryDetailed, to avoid walking it again */
  history?: BrowserHistory;
}

/** The full history of the vault's history branch, with commits and tags for address resolution. */
export async function readVaultHistoryDetailed(opts: ReadHistoryOptions): Promise<BrowserHistory> {
  const c = ctxOf(opts);
  const branch = opts.branch ?? (await defaultBranch(c));
  const tip = await tryResolve(c, `refs/heads/${branch}`);
  const notesTip = await tryResolve(c, NOTES_REF);

  // first-parent walk, newest first (every commit, so positions match the Node side's)
  const walked: { oid: string; message: string; tree: string; timestamp: number }[] = [];
  let oid = tip;
  while (oid) {
    let commit;
    try {
      commit = (await git.readCommit({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid, cache: c.cache })).commit;
    } catch (e) {
      throw objectError(e, `reading save commit ${oid}`, { commit: oid });
    }
    walked.push({ oid, message: commit.message, tree: commit.tree, timestamp: commit.committer.timestamp });
    oid = commit.parent[0] ?? null;
  }
  walked.reverse();

  const notes = await readNotesMap(c, notesTip);
  const tags = await readTags(c);
  const saves: SaveCommitInfo[] = [];
  const commits: BrowserHistory['commits'] = [];
  for (const [seq, w] of walked.entries()) {
    commits.push({ oid: w.oid, seq });
    let note: SaveNote | null = null;
    const noteBlob = notes.get(w.oid);
    if (noteBlob) {
      try {
        note = await parseNote(await readBlobText(c, noteBlob), w.oid);
      } catch {
        note = null; // a broken note falls back to the commit trailers, as core's log does
      }
    }
    saves.push(await saveCommitInfo({ oid: w.oid, message: w.message, timestamp: w.timestamp }, (p) => blobAtPath(c, w.tree, p), note));
  }
  const versions = applyTags(buildVersionRecords(saves), tags);
  return { branch, tip, notesTip, versions, commits, tags };
}

/** Every version on the history branch, oldest first (the reverse of core's `log()`, without archived versions). */
export async function readVaultHistory(opts: ReadHistoryOptions): Promise<VersionRecord[]> {
  return (await readVaultHistoryDetailed(opts)).versions;
}

/** Resolve an address against a history read by readVaultHistoryDetailed. */
export function resolveBrowserVersion(history: BrowserHistory, address: string | Address): VersionRecord {
  const addr = typeof address === 'string' ? parseAddress(address) : address;
  const path = addr.path.replace(/^\.\//, '');
  const resolveRef = (text: string) => {
    let commit = history.tags.get(text) ?? null;
    if (!commit && /^[0-9a-f]{4,40}$/i.test(text)) {
      const prefix = text.toLowerCase();
      const hits = new Set(history.commits.filter((x) => x.oid.startsWith(prefix)).map((x) => x.oid));
      if (hits.size > 1) {
        throw new SavepointError('E_BAD_ADDRESS', `Commit prefix ${prefix} is ambiguous (${hits.size} saves match). Type more characters.`, { prefix });
      }
      commit = hits.values().next().value ?? null;
    }
    if (!commit) return null;
    const c = history.commits.find((x) => x.oid === commit);
    return c ? { seq: c.seq, commit } : { seq: Number.MAX_SAFE_INTEGER, commit };
  };
  return selectVersion(path, history.versions.filter((v) => v.path === path), addr.spec, resolveRef);
}

/** The bytes of one version, checked against the sha256 recorded for it. */
export async function readVersionContent(opts: ReadContentOptions): Promise<Uint8Array> {
  const c = ctxOf(opts);
  const history = opts.history ?? (await readVaultHistoryDetailed(opts));
  const rec = resolveBrowserVersion(history, opts.address);
  return readCheckedVersion(c, rec);
}

/** The bytes of the version `rec`, checked against its recorded sha256 and size (E_CHECKSUM_MISMATCH otherwise). */
export async function readCheckedVersion(c: Ctx, rec: VersionRecord): Promise<Uint8Array> {
  const details = { path: rec.path, version: rec.version, commit: rec.commit };
  if (!rec.blob) {
    throw new SavepointError('E_OBJECT_MISSING', `${rec.path}@${rec.version} is not in the tree of save ${rec.commit.slice(0, 12)}. The history branch is damaged; run \`savepoint verify\` on a full copy.`, details);
  }
  let blob: Uint8Array;
  try {
    blob = (await git.readBlob({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid: rec.blob, cache: c.cache })).blob;
  } catch (e) {
    throw objectError(e, `reading ${rec.path}@${rec.version}`, { ...details, blob: rec.blob });
  }
  const actual = await sha256Hex(blob);
  if (actual !== rec.sha256) {
    throw new SavepointError('E_CHECKSUM_MISMATCH', `${rec.path}@${rec.version} does not match its recorded sha256 (expected ${rec.sha256}, got ${actual}). Do not trust this copy; run \`savepoint verify\` on the vault.`, { ...details, expected: rec.sha256, actual });
  }
  if (rec.size >= 0 && blob.byteLength !== rec.size) {
    throw new SavepointError('E_CHECKSUM_MISMATCH', `${rec.path}@${rec.version} is ${blob.byteLength} bytes but its note records ${rec.size}. Do not trust this copy; run \`savepoint verify\` on the vault.`, { ...details, expectedSize: rec.size, actualSize: blob.byteLength });
  }
  return blob;
}
