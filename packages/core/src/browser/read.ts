/**
 * Browser read path: list a vault's versions and read one version's bytes through isomorphic-git with an
 * injected fs (e.g. @isomorphic-git/lightning-fs), checked against the sha256 in its checksum note.
 * No node: modules here or in anything imported from here.
 */
import git from 'isomorphic-git';
import type { FsClient } from 'isomorphic-git';
import { SavepointError } from '../errors.js';
import { descriptionOf, parseTrailers, summaryOf } from '../model/commit-message.js';
import { NOTES_REF, parseNote } from '../model/note.js';
import type { SaveNote } from '../model/note.js';
import { parseAddress, selectVersion } from '../model/version.js';
import type { Address, VersionRecord } from '../model/version.js';

export interface BrowserRepoOptions {
  /** any fs isomorphic-git accepts: LightningFS, its `.promises`, memfs, … */
  fs: FsClient;
  /** working-tree folder inside `fs` */
  dir: string;
  /** defaults to `${dir}/.git` */
  gitdir?: string;
  /** isomorphic-git object cache; pass the same object across calls to reuse parsed packs */
  cache?: object;
}

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

interface Ctx {
  fs: FsClient;
  dir: string;
  gitdir: string;
  cache: object;
}

function ctxOf(o: BrowserRepoOptions): Ctx {
  const dir = o.dir.replace(/\/+$/, '') || '/';
  return { fs: o.fs, dir, gitdir: o.gitdir ?? `${dir === '/' ? '' : dir}/.git`, cache: o.cache ?? {} };
}

function isNotFound(e: unknown): boolean {
  return !!e && typeof e === 'object' && ((e as { code?: string }).code === 'NotFoundError' || (e as { code?: string }).code === 'ENOENT');
}

/** Wrap isomorphic-git read failures (missing objects, SHA-1 mismatches, bad zlib) in our codes. */
function objectError(e: unknown, what: string, details: Record<string, unknown>): SavepointError {
  if (e instanceof SavepointError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (isNotFound(e)) {
    return new SavepointError('E_OBJECT_MISSING', `Git object missing while ${what}: ${msg}. The copy of the repository is incomplete; fetch or copy it again.`, details, { cause: e });
  }
  return new SavepointError('E_OBJECT_CORRUPT', `Git object unreadable while ${what}: ${msg}. The copy of the repository is damaged; fetch or copy it again.`, details, { cause: e });
}

async function tryResolve(c: Ctx, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, ref });
  } catch (e) {
    if (isNotFound(e)) return null;
    throw objectError(e, `resolving ${ref}`, { ref });
  }
}

async function defaultBranch(c: Ctx): Promise<string> {
  return (await tryResolve(c, 'refs/heads/savepoint')) ? 'savepoint' : 'main';
}

/** Blob oid at `path` in `tree`, or null. */
async function blobAtPath(c: Ctx, tree: string, path: string): Promise<string | null> {
  const slash = path.lastIndexOf('/');
  const parent = slash < 0 ? undefined : path.slice(0, slash);
  const name = path.slice(slash + 1);
  try {
    const t = await git.readTree({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid: tree, cache: c.cache, ...(parent !== undefined ? { filepath: parent } : {}) });
    const e = t.tree.find((x) => x.path === name);
    return e && e.type === 'blob' ? e.oid : null;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw objectError(e, `reading the tree of ${path}`, { tree, path });
  }
}

/** commit oid → note blob oid, from a notes tree of any fanout (flat, ab/cdef…, ab/cd/ef…). */
async function readNotesMap(c: Ctx, notesCommit: string | null): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!notesCommit) return out;
  const walk = async (oid: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = (await git.readTree({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid, cache: c.cache })).tree;
    } catch (e) {
      throw objectError(e, `reading the notes tree ${oid}`, { oid });
    }
    for (const e of entries) {
      const name = prefix + e.path;
      if (e.type === 'tree' && /^[0-9a-f]+$/.test(e.path) && name.length < 40) await walk(e.oid, name);
      else if (e.type === 'blob' && /^[0-9a-f]{40}$/.test(name)) out.set(name, e.oid);
    }
  };
  await walk(notesCommit, '');
  return out;
}

/** Tag name → commit, peeling annotated tags. */
async function readTags(c: Ctx): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const names = await git.listTags({ fs: c.fs, dir: c.dir, gitdir: c.gitdir });
  for (const name of names) {
    let target = await tryResolve(c, `refs/tags/${name}`);
    if (!target) continue;
    for (let depth = 0; depth < 5; depth++) {
      let obj;
      try {
        obj = await git.readObject({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid: target, cache: c.cache, format: 'parsed' });
      } catch {
        break; // a tag on a missing object names nothing we can show
      }
      if (obj.type !== 'tag') break;
      target = (obj.object as { object: string }).object;
    }
    out.set(name, target);
  }
  return out;
}

const textDecoder = new TextDecoder();

/** The full history of the vault's history branch, with commits and tags for address resolution. */
export async function readVaultHistoryDetailed(opts: ReadHistoryOptions): Promise<BrowserHistory> {
  const c = ctxOf(opts);
  const branch = opts.branch ?? (await defaultBranch(c));
  const tip = await tryResolve(c, `refs/heads/${branch}`);
  const notesTip = await tryResolve(c, NOTES_REF);

  // first-parent walk, newest first
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
  const tagsByCommit = new Map<string, string[]>();
  for (const [name, commit] of tags) {
    if (!tagsByCommit.has(commit)) tagsByCommit.set(commit, []);
    tagsByCommit.get(commit)!.push(name);
  }

  const versions: VersionRecord[] = [];
  const commits: BrowserHistory['commits'] = [];
  for (const [seq, w] of walked.entries()) {
    commits.push({ oid: w.oid, seq });
    const parsed = parseTrailers(w.message);
    if (parsed.versions.size === 0) continue;
    let note: SaveNote | null = null;
    const noteBlob = notes.get(w.oid);
    if (noteBlob) {
      try {
        const { blob } = await git.readBlob({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid: noteBlob, cache: c.cache });
        note = await parseNote(textDecoder.decode(blob), w.oid);
      } catch {
        note = null; // a broken note falls back to the commit trailers, as core's log does
      }
    }
    const summary = summaryOf(w.message);
    const description = descriptionOf(w.message);
    for (const [path, trailerVersion] of parsed.versions) {
      const entry = note?.files[path];
      const fileTags = (tagsByCommit.get(w.oid) ?? []).filter((name) => !name.startsWith('sp/') || name.startsWith(`sp/${path}/v`));
      const rec: VersionRecord = {
        path,
        version: entry?.version ?? trailerVersion,
        commit: w.oid,
        seq,
        blob: (await blobAtPath(c, w.tree, path)) ?? '',
        sha256: entry?.sha256 ?? parsed.sha256.get(path) ?? '',
        size: entry?.size ?? -1,
        savedAt: entry?.savedAt ?? new Date(w.timestamp * 1000).toISOString(),
        summary,
        source: entry?.source ?? 'commit-trailers',
        kind: note?.kind ?? 'manual',
        status: note?.status ?? 'active',
        tags: fileTags.sort(),
      };
      if (!entry) rec.noteMissing = true;
      if (entry?.md5) rec.md5 = entry.md5;
      if (description) rec.description = description;
      const experiment = entry?.experiment ?? parsed.experiment;
      if (experiment) rec.experiment = experiment;
      if (note?.keep) rec.keep = note.keep;
      if (note?.verifiedAt) rec.verifiedAt = note.verifiedAt;
      if (note?.verifiedBy) rec.verifiedBy = note.verifiedBy;
      if (entry?.sqlite) rec.sqlite = entry.sqlite;
      if (entry?.pg) rec.pg = entry.pg;
      if (note?.restoredFrom !== undefined) rec.restoredFrom = note.restoredFrom;
      versions.push(rec);
    }
  }
  versions.sort((a, b) => (a.savedAt < b.savedAt ? -1 : a.savedAt > b.savedAt ? 1 : a.seq - b.seq));
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

function hex(buf: ArrayBuffer): string {
  let s = '';
  for (const b of new Uint8Array(buf)) s += b.toString(16).padStart(2, '0');
  return s;
}

/** sha256 of `bytes` as lowercase hex, via Web Crypto. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new SavepointError('E_INTERNAL', 'Web Crypto (crypto.subtle) is not available here; it needs a secure context (https or localhost) in browsers, or Node 20+.', {});
  }
  return hex(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** The bytes of one version, checked against the sha256 recorded for it. */
export async function readVersionContent(opts: ReadContentOptions): Promise<Uint8Array> {
  const c = ctxOf(opts);
  const history = opts.history ?? (await readVaultHistoryDetailed(opts));
  const rec = resolveBrowserVersion(history, opts.address);
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
