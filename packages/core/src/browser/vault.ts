/**
 * A vault in the browser: clone over smart HTTP (CORS), list files and versions, read a version (sha256
 * checked), verify, diff, save a new version as a real save commit with its checksum note, tag, push back.
 * Every record, commit message, note and tag message is built by the same pure model code as the Node side
 * (model/version-records.ts, model/commit-message.ts, model/note.ts, model/git-trees.ts). No node: modules.
 */
import git from 'isomorphic-git';
import type { FsClient, HttpClient } from 'isomorphic-git';
import { diffBytes } from '@savepoint/diff/browser';
import type { BrowserDiffOptions, DiffResult } from '@savepoint/diff/browser';
import { SavepointError } from '../errors.js';
import { buildSaveMessageFor, buildVersionTagMessage, checkSaveTexts, hasControlChar } from '../model/commit-message.js';
import { addNotesToTree, updateTreeWith, writeNotesFanout } from '../model/git-trees.js';
import { buildSaveNote, NOTES_REF, serializeNote } from '../model/note.js';
import { tagNameProblem } from '../model/ref-name.js';
import type { VersionRecord } from '../model/version.js';
import type { ProgressCallback } from '../util/progress.js';
import { unionNotes } from '../remote/note-merge.js';
import { readCheckedVersion, readVaultHistoryDetailed } from './read.js';
import type { BrowserHistory } from './read.js';
import { commitTree, ctxOf, defaultBranch, isNotFound, objectError, readBlobText, readNotesMap, sha256Hex, treeIO, tryResolve } from './repo.js';
import type { Ctx } from './repo.js';

export interface BrowserAuthor {
  name: string;
  email: string;
}

export interface OpenVaultOptions {
  /** a LightningFS instance (or anything with its `promises` API) */
  fs: FsClient;
  /** folder of the vault inside `fs`, e.g. `/vault` */
  dir: string;
  /** isomorphic-git's `isomorphic-git/http/web` client */
  http: HttpClient;
  /** who saves and tags; default: user.name / user.email from the repository config */
  author?: BrowserAuthor;
  /** the history branch; default `savepoint` when it exists, else `main` */
  branch?: string;
  gitdir?: string;
  /** clock for save and tag times (tests); default `new Date()` */
  clock?: () => Date;
  /** a CORS proxy URL, for servers that send no CORS headers */
  corsProxy?: string;
}

export interface CloneVaultOptions extends OpenVaultOptions {
  url: string;
  /** extra HTTP headers (e.g. Authorization), kept in memory for later pushes, never written to disk */
  headers?: Record<string, string>;
  onProgress?: ProgressCallback;
}

export interface BrowserFileEntry {
  path: string;
  latestVersion: number;
  /** number of versions on the history branch */
  versions: number;
  /** size and sha256 of the latest version (size -1 when its note is missing) */
  size: number;
  sha256: string;
  savedAt: string;
  /** tags on any version of the file */
  tags: string[];
}

export type BrowserVerifyStatus = 'verified' | 'corrupted' | 'missing' | 'unnoted';

export interface BrowserVerifyItem {
  path: string;
  version: number;
  commit: string;
  status: BrowserVerifyStatus;
  expected: string;
  actual?: string;
  code?: string;
  message?: string;
}

export interface BrowserVerifyReport {
  ok: boolean;
  verified: number;
  corrupted: number;
  missing: number;
  /** content matches its commit trailer but the save has no checksum note */
  unnoted: number;
  bytes: number;
  items: BrowserVerifyItem[];
}

export interface BrowserSaveOptions {
  /** as `savepoint save -m`: first line is the summary, the rest the description; recorded in the note */
  message?: string;
  /** the commit description (body) */
  description?: string;
  experiment?: string;
  /** save even when the content equals the latest version */
  force?: boolean;
}

export interface BrowserSaveResult {
  path: string;
  version: number;
  /** the save commit (for an unchanged file: the commit of its latest version) */
  commit: string;
  sha256: string;
  size: number;
  unchanged: boolean;
}

export interface BrowserTagOptions {
  /** default `sp/<path>/v<n>` */
  name?: string;
  message?: string;
}

export interface BrowserPushOptions {
  /** default: the URL the vault was cloned from (remote `origin`) */
  url?: string;
  headers?: Record<string, string>;
  onProgress?: ProgressCallback;
}

export interface BrowserPushResult {
  /** refs that were sent, in order (branch, notes, tags) */
  pushed: string[];
  /** `merged`: the remote's notes had moved on and were merged into ours first (never overwritten) */
  notes: 'none' | 'fast-forward' | 'merged';
  /** tags the remote has with another target: reported, never replaced */
  tagConflicts: string[];
}

export interface BrowserVault {
  readonly dir: string;
  readonly branch: string;
  files(): Promise<BrowserFileEntry[]>;
  /** the versions of one file, oldest first (the same VersionRecord as Node core) */
  versions(path: string): Promise<VersionRecord[]>;
  /** every version of every file, in history order */
  history(): Promise<VersionRecord[]>;
  /** the bytes of one version, sha256 checked (E_CHECKSUM_MISMATCH otherwise) */
  read(path: string, version: number): Promise<Uint8Array>;
  verify(o?: { onProgress?: ProgressCallback }): Promise<BrowserVerifyReport>;
  diff(path: string, from: number, to: number, o?: Omit<BrowserDiffOptions, 'name'>): Promise<DiffResult>;
  save(path: string, data: Uint8Array | Blob, o?: BrowserSaveOptions): Promise<BrowserSaveResult>;
  tag(path: string, version: number, o?: BrowserTagOptions): Promise<{ name: string; commit: string; object: string }>;
  push(o?: BrowserPushOptions): Promise<BrowserPushResult>;
}


function progressOf(cb: ProgressCallback | undefined, phase: string) {
  return cb ? (e: { phase: string; loaded: number; total?: number }) => cb({ phase: `${phase}: ${e.phase}`, loaded: e.loaded, total: e.total ?? 0 }) : undefined;
}

/** Clone a vault over smart HTTP (history branch, tags and checksum notes), without checking files out. */
export async function cloneVault(o: CloneVaultOptions): Promise<BrowserVault> {
  const c = ctxOf(o);
  // isomorphic-git writes into the headers object it is given (Git-Protocol for v2): a fresh copy per call
  const base = () => ({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, http: o.http, url: o.url, ...(o.headers ? { headers: { ...o.headers } } : {}), ...(o.corsProxy ? { corsProxy: o.corsProxy } : {}) });
  let serverRefs: { ref: string; oid: string; peeled?: string }[];
  try {
    serverRefs = await git.listServerRefs({ http: o.http, url: o.url, peelTags: true, ...(o.headers ? { headers: { ...o.headers } } : {}), ...(o.corsProxy ? { corsProxy: o.corsProxy } : {}) });
  } catch (e) {
    throw remoteError(e, o.url);
  }
  const has = (ref: string) => serverRefs.some((r) => r.ref === ref);
  const branch = o.branch ?? (has('refs/heads/savepoint') ? 'savepoint' : has('refs/heads/main') ? 'main' : null);
  if (!branch || !has(`refs/heads/${branch}`)) {
    throw new SavepointError('E_HISTORY_BRANCH_MISSING', `${o.url} has no ${o.branch ? `branch "${o.branch}"` : 'Savepoint history branch ("savepoint" or "main")'}. Push a vault there first (\`savepoint push\`), or name the branch that holds the saves.`, { url: o.url, branch: o.branch ?? null });
  }
  try {
    await git.clone({ ...base(), ref: branch, singleBranch: true, noCheckout: true, noTags: false, ...(o.onProgress ? { onProgress: progressOf(o.onProgress, 'clone') } : {}) });
    if (has(NOTES_REF)) {
      const r = await git.fetch({ ...base(), ref: NOTES_REF, remoteRef: NOTES_REF, singleBranch: true, tags: false, ...(o.onProgress ? { onProgress: progressOf(o.onProgress, 'notes') } : {}) });
      if (r.fetchHead) await git.writeRef({ fs: c.fs, gitdir: c.gitdir, ref: NOTES_REF, value: r.fetchHead, force: true });
    }
    // tags on the saves just cloned (a single-branch clone records no tag refs): their objects came with the
    // pack (include-tag) or are fetched one by one
    for (const t of serverRefs) {
      if (!t.ref.startsWith('refs/tags/') || t.ref.endsWith('^{}')) continue;
      if (!(await hasObject(c, t.peeled ?? t.oid))) continue; // a tag on something outside the history branch
      if (!(await hasObject(c, t.oid))) await git.fetch({ ...base(), ref: t.ref, remoteRef: t.ref, singleBranch: true, tags: false });
      if (await hasObject(c, t.oid)) await git.writeRef({ fs: c.fs, gitdir: c.gitdir, ref: t.ref, value: t.oid, force: true });
    }
  } catch (e) {
    throw remoteError(e, o.url);
  }
  return makeVault(c, { ...o, branch }, o.headers);
}

/** Open a vault already in `fs` (cloned earlier). */
export async function openVault(o: OpenVaultOptions): Promise<BrowserVault> {
  const c = ctxOf(o);
  try {
    await git.resolveRef({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, ref: 'HEAD', depth: 1 });
  } catch {
    throw new SavepointError('E_NOT_A_VAULT', `${c.dir} holds no vault (no ${c.gitdir}/HEAD). Clone one first with cloneVault.`, { dir: c.dir });
  }
  return makeVault(c, { ...o, branch: o.branch ?? (await defaultBranch(c)) }, undefined);
}

function remoteError(e: unknown, url: string): SavepointError {
  if (e instanceof SavepointError) return e;
  const err = e as { code?: string; message?: string; data?: { statusCode?: number } };
  const status = err.data?.statusCode;
  if (status === 401 || status === 403) {
    return new SavepointError('E_AUTH_FAILED', `${url} refused the credentials (HTTP ${status}). Pass an Authorization header (headers) that the server accepts.`, { url, status }, { cause: e });
  }
  return new SavepointError('E_REMOTE_UNREACHABLE', `Could not reach the vault at ${url}: ${err.message ?? String(e)}. Check the URL, that the server is up, and that it sends CORS headers for this page's origin.`, { url, ...(status ? { status } : {}) }, { cause: e });
}

function makeVault(c: Ctx, o: OpenVaultOptions, cloneHeaders: Record<string, string> | undefined): BrowserVault {
  const clock = o.clock ?? (() => new Date());
  let branchName = o.branch ?? null;
  let cached: { key: string; history: BrowserHistory } | null = null;

  const branch = async () => {
    if (!branchName) branchName = (await tryResolve(c, 'refs/heads/savepoint')) ? 'savepoint' : 'main';
    return branchName;
  };

  const loadHistory = async (): Promise<BrowserHistory> => {
    const b = await branch();
    const tags = await git.listTags({ fs: c.fs, dir: c.dir, gitdir: c.gitdir });
    const tagOids = await Promise.all(tags.map((t) => tryResolve(c, `refs/tags/${t}`)));
    const key = `${await tryResolve(c, `refs/heads/${b}`)}|${await tryResolve(c, NOTES_REF)}|${tags.map((t, i) => `${t}=${tagOids[i]}`).join(',')}`;
    if (cached?.key === key) return cached.history;
    const history = await readVaultHistoryDetailed({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, cache: c.cache, branch: b });
    cached = { key, history };
    return history;
  };

  const find = async (path: string, version: number): Promise<VersionRecord> => {
    const h = await loadHistory();
    const all = h.versions.filter((v) => v.path === path);
    if (all.length === 0) throw new SavepointError('E_NOT_TRACKED', `${path} has no saved versions. Save it first.`, { path });
    const rec = all.find((v) => v.version === version);
    if (!rec) {
      const latest = Math.max(...all.map((v) => v.version));
      throw new SavepointError('E_UNKNOWN_VERSION', `${path} has no version ${version} (${latest === 1 ? 'only version 1 exists' : `versions 1–${latest} exist`}).`, { path, address: String(version), latest });
    }
    return rec;
  };

  const author = async (): Promise<BrowserAuthor> => {
    if (o.author) return o.author;
    const name = (await git.getConfig({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, path: 'user.name' })) as string | undefined;
    const email = (await git.getConfig({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, path: 'user.email' })) as string | undefined;
    if (!name || !email) throw new SavepointError('E_INVALID_ARGUMENT', 'No author for this save: pass `author: { name, email }` to cloneVault/openVault (or set user.name and user.email in the repository config).', {});
    return { name, email };
  };
  const personNow = async () => {
    const a = await author();
    const now = clock();
    return { now, person: { name: a.name, email: a.email, timestamp: Math.floor(now.getTime() / 1000), timezoneOffset: 0 } };
  };

  const vault: BrowserVault = {
    dir: c.dir,
    get branch() {
      return branchName ?? 'main';
    },

    async history() {
      return (await loadHistory()).versions;
    },

    async files() {
      const byPath = new Map<string, VersionRecord[]>();
      for (const v of (await loadHistory()).versions) {
        if (!byPath.has(v.path)) byPath.set(v.path, []);
        byPath.get(v.path)!.push(v);
      }
      const out: BrowserFileEntry[] = [];
      for (const [path, vs] of byPath) {
        const latest = vs.reduce((a, b) => (b.version >= a.version ? b : a));
        out.push({ path, latestVersion: latest.version, versions: vs.length, size: latest.size, sha256: latest.sha256, savedAt: latest.savedAt, tags: [...new Set(vs.flatMap((v) => v.tags))].sort() });
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async versions(path) {
      return (await loadHistory()).versions.filter((v) => v.path === path).sort((a, b) => a.version - b.version || a.seq - b.seq);
    },

    async read(path, version) {
      return readCheckedVersion(c, await find(path, version));
    },

    async verify(vo = {}) {
      const versions = (await loadHistory()).versions;
      const report: BrowserVerifyReport = { ok: true, verified: 0, corrupted: 0, missing: 0, unnoted: 0, bytes: 0, items: [] };
      for (const [i, rec] of versions.entries()) {
        vo.onProgress?.({ phase: 'verify', loaded: i, total: versions.length, item: `${rec.path}@${rec.version}` });
        const item: BrowserVerifyItem = { path: rec.path, version: rec.version, commit: rec.commit, status: 'verified', expected: rec.sha256 };
        let bytes: Uint8Array | null = null;
        if (!rec.blob) {
          item.status = 'missing';
          item.code = 'E_OBJECT_MISSING';
          item.message = `not in the tree of save ${rec.commit.slice(0, 12)}`;
        } else {
          try {
            bytes = (await git.readBlob({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid: rec.blob, cache: c.cache })).blob;
          } catch (e) {
            const err = objectError(e, `reading ${rec.path}@${rec.version}`, {});
            item.status = err.code === 'E_OBJECT_MISSING' ? 'missing' : 'corrupted';
            item.code = err.code;
            item.message = err.message;
          }
        }
        if (bytes) {
          report.bytes += bytes.byteLength;
          item.actual = await sha256Hex(bytes);
          if (item.actual !== rec.sha256 || (rec.size >= 0 && bytes.byteLength !== rec.size)) {
            item.status = 'corrupted';
            item.code = 'E_CHECKSUM_MISMATCH';
            item.message = item.actual !== rec.sha256 ? 'sha256 differs from the note' : `${bytes.byteLength} bytes, the note records ${rec.size}`;
          } else if (rec.noteMissing) {
            item.status = 'unnoted';
            item.code = 'E_NOTE_MISSING';
            item.message = 'content matches the commit trailer, but the save has no checksum note';
          }
        }
        report[item.status] += 1;
        report.items.push(item);
      }
      vo.onProgress?.({ phase: 'verify', loaded: versions.length, total: versions.length });
      report.ok = report.corrupted + report.missing + report.unnoted === 0;
      return report;
    },

    async diff(path, from, to, dopts = {}) {
      const [a, b] = await Promise.all([vault.read(path, from), vault.read(path, to)]);
      return diffBytes({ bytes: a, label: `${path}@${from}` }, { bytes: b, label: `${path}@${to}` }, { ...dopts, name: path });
    },

    async save(path, data, so = {}) {
      assertVaultPath(path);
      const texts = checkSaveTexts({ ...(so.message !== undefined ? { message: so.message } : {}), ...(so.description !== undefined ? { description: so.description } : {}), ...(so.experiment !== undefined ? { experiment: so.experiment } : {}) });
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
      const sha256 = await sha256Hex(bytes);
      const b = await branch();
      const history = await loadHistory();
      const prev = history.versions.filter((v) => v.path === path).reduce<VersionRecord | null>((a, v) => (!a || v.version > a.version ? v : a), null);
      if (prev && prev.sha256 === sha256 && !so.force) return { path, version: prev.version, commit: prev.commit, sha256, size: bytes.byteLength, unchanged: true };
      const version = (prev?.version ?? 0) + 1;
      const { now, person } = await personNow();
      const tip = await tryResolve(c, `refs/heads/${b}`);
      const blob = await git.writeBlob({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, blob: bytes });
      const tree = await updateTreeWith(treeIO(c), tip ? await commitTree(c, tip) : null, new Map([[path, { oid: blob, mode: '100644' }]]));
      const files = [{ path, version, sha256 }];
      const message = buildSaveMessageFor(texts, files);
      const commit = await git.writeCommit({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, commit: { message, tree, parent: tip ? [tip] : [], author: person, committer: person } });
      const note = buildSaveNote({ files: [{ path, version, sha256, size: bytes.byteLength }], savedAt: now.toISOString(), source: 'browser', kind: 'manual', ...(texts.experiment ? { experiment: texts.experiment } : {}), ...(texts.message ? { message: texts.message } : {}) });
      // note first, then branch: an interruption leaves only an unreachable note, never an unnoted save
      const notesTip = await tryResolve(c, NOTES_REF);
      const noteBlob = await git.writeBlob({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, blob: new TextEncoder().encode(serializeNote(note)) });
      const notesTree = await addNotesToTree(treeIO(c), notesTip ? await commitTree(c, notesTip) : null, new Map([[commit, noteBlob]]));
      const notesCommit = await git.writeCommit({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, commit: { message: "Notes added by 'savepoint'\n", tree: notesTree, parent: notesTip ? [notesTip] : [], author: person, committer: person } });
      await git.writeRef({ fs: c.fs, gitdir: c.gitdir, ref: NOTES_REF, value: notesCommit, force: true });
      await git.writeRef({ fs: c.fs, gitdir: c.gitdir, ref: `refs/heads/${b}`, value: commit, force: true });
      return { path, version, commit, sha256, size: bytes.byteLength, unchanged: false };
    },

    async tag(path, version, to = {}) {
      if (to.message !== undefined && hasControlChar(to.message, '\n\t')) {
        throw new SavepointError('E_INVALID_ARGUMENT', `The tag message contains a control character other than newline or tab (${JSON.stringify(to.message.slice(0, 80))}). Remove it and tag again.`, {});
      }
      const rec = await find(path, version);
      const name = to.name ?? `sp/${rec.path}/v${rec.version}`;
      const why = tagNameProblem(name, await git.listBranches({ fs: c.fs, dir: c.dir, gitdir: c.gitdir }));
      if (why) throw new SavepointError('E_BAD_TAG_NAME', `"${name}" cannot be a tag name: ${why}. Use a plain name such as "v1", "baseline" or "paper-2026".`, { tag: name, reason: why });
      const existing = await tryResolve(c, `refs/tags/${name}`);
      if (existing) throw new SavepointError('E_TAG_EXISTS', `Tag "${name}" already exists. Pick another name.`, { tag: name });
      const { person } = await personNow();
      await git.annotatedTag({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, ref: name, object: rec.commit, message: buildVersionTagMessage(rec, to.message), tagger: person });
      const object = (await tryResolve(c, `refs/tags/${name}`))!;
      return { name, commit: rec.commit, object };
    },

    async push(po = {}) {
      const url = po.url ?? ((await git.getConfig({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, path: 'remote.origin.url' })) as string | undefined);
      if (!url) throw new SavepointError('E_REMOTE_NOT_FOUND', 'This vault has no remote to push to. Pass `url` to push().', {});
      const headers = po.headers ?? cloneHeaders;
      const net = () => ({ http: o.http, url, ...(headers ? { headers: { ...headers } } : {}), ...(o.corsProxy ? { corsProxy: o.corsProxy } : {}) });
      const b = await branch();
      const branchRef = `refs/heads/${b}`;
      const local = await tryResolve(c, branchRef);
      if (!local) throw new SavepointError('E_INVALID_ARGUMENT', `Nothing to push yet: the history branch "${b}" has no saves. Save a file first.`, { branch: b });
      let lastReason = '';
      for (let attempt = 0; attempt < 3; attempt++) {
        let remote: Map<string, string>;
        try {
          remote = new Map((await git.listServerRefs({ ...net(), forPush: true, protocolVersion: 1 })).map((r) => [r.ref, r.oid]));
        } catch (e) {
          throw remoteError(e, url);
        }
        const remoteTip = remote.get(branchRef) ?? null;
        if (remoteTip && remoteTip !== local && !(await isAncestor(c, remoteTip, local))) {
          const behind = (await hasObject(c, remoteTip)) && (await isAncestor(c, local, remoteTip));
          throw new SavepointError(
            'E_PUSH_REJECTED',
            behind || !(await hasObject(c, remoteTip))
              ? `Push was refused: ${url} has saves on "${b}" that this copy does not have. Clone it again (or pull with the CLI), then save and push.`
              : `Push was refused: this copy's "${b}" and the one at ${url} have diverged (both have saves the other lacks), so pushing would overwrite history.`,
            { url, branch: b, reason: behind ? 'behind' : 'diverged' },
          );
        }
        // notes: the remote's are fetched and merged first unless ours already contain them; never overwritten
        const remoteNotes = remote.get(NOTES_REF) ?? null;
        let notesAction: BrowserPushResult['notes'] = 'none';
        let localNotes = await tryResolve(c, NOTES_REF);
        if (remoteNotes && remoteNotes !== localNotes && !((await hasObject(c, remoteNotes)) && localNotes && (await isAncestor(c, remoteNotes, localNotes)))) {
          try {
            await git.fetch({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, ...net(), ref: NOTES_REF, remoteRef: NOTES_REF, singleBranch: true, tags: false, ...(po.onProgress ? { onProgress: progressOf(po.onProgress, 'fetch notes') } : {}) });
          } catch (e) {
            throw remoteError(e, url);
          }
          const { person } = await personNow();
          const merged = await mergeNotesInto(c, localNotes, remoteNotes, person, url);
          notesAction = merged.action;
          localNotes = merged.tip;
        }
        // tags on the history branch that the remote lacks; a remote tag with another target is reported, never replaced
        const onBranch = new Set((await loadHistory()).commits.map((x) => x.oid));
        const tagConflicts: string[] = [];
        const tagRefs: string[] = [];
        for (const [name, commit] of (await loadHistory()).tags) {
          if (!onBranch.has(commit)) continue;
          const ref = `refs/tags/${name}`;
          const mine = await tryResolve(c, ref);
          const theirs = remote.get(ref);
          if (theirs === mine) continue;
          if (theirs) tagConflicts.push(name);
          else tagRefs.push(ref);
        }
        const updates: string[] = [];
        if (remoteTip !== local) updates.push(branchRef);
        if (localNotes && remoteNotes !== localNotes) updates.push(NOTES_REF);
        updates.push(...tagRefs);
        const pushed: string[] = [];
        let retry = false;
        for (const ref of updates) {
          let r;
          try {
            r = await git.push({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, ...net(), ref, remoteRef: ref, ...(po.onProgress ? { onProgress: progressOf(po.onProgress, `push ${ref}`) } : {}) });
          } catch (e) {
            const code = (e as { code?: string }).code;
            if (code === 'PushRejectedError') {
              lastReason = `${ref}: ${(e as Error).message}`;
              retry = true;
              break;
            }
            throw remoteError(e, url);
          }
          if (!r.ok) {
            const why = r.error ?? Object.values(r.refs ?? {}).map((x) => (x as { error?: string }).error).filter(Boolean).join('; ');
            lastReason = `${ref}: ${why}`;
            if (/fetch first|non-fast-forward|stale|lock/i.test(why)) {
              retry = true;
              break;
            }
            throw new SavepointError('E_PUSH_REJECTED', `${url} refused the push of ${ref}: ${why}. Nothing was overwritten; fix the cause on the server and push again.`, { url, ref, reason: why });
          }
          pushed.push(ref);
        }
        if (retry) continue;
        cached = null;
        return { pushed, notes: notesAction, tagConflicts };
      }
      throw new SavepointError('E_PUSH_REJECTED', `${url} kept changing while pushing (${lastReason || 'notes moved'}). Try again in a moment.`, { url, reason: lastReason });
    },
  };
  return vault;
}

/** A vault path a browser save may write: relative, `/`-separated, no `.`/`..`/empty parts, not inside .git. */
function assertVaultPath(p: string): void {
  if (p === '' || p.includes('\0')) throw new SavepointError('E_INVALID_ARGUMENT', 'Empty file name or a name containing a NUL byte. Give the path of a file inside the vault.', { path: p });
  const parts = p.split('/');
  if (p.startsWith('/') || parts.some((s) => s === '..' || s === '' || s === '.') || p.includes('\\')) {
    throw new SavepointError('E_PATH_OUTSIDE_VAULT', `Refusing the path "${p}": give a path inside the vault such as "data/results.csv" (no leading "/", no "." or ".." parts, "/" between folders).`, { path: p });
  }
  if (parts[0] === '.git') throw new SavepointError('E_INVALID_ARGUMENT', `${p} is inside .git; Savepoint never writes git's own files as data.`, { path: p });
}

async function hasObject(c: Ctx, oid: string): Promise<boolean> {
  try {
    await git.readObject({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid, cache: c.cache, format: 'deflated' });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

async function isAncestor(c: Ctx, ancestor: string, oid: string): Promise<boolean> {
  if (ancestor === oid) return true;
  if (!(await hasObject(c, ancestor)) || !(await hasObject(c, oid))) return false;
  return git.isDescendent({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid, ancestor, depth: -1, cache: c.cache });
}

/**
 * Bring the remote's notes commit `theirs` (objects already fetched) into refs/notes/savepoint: fast-forward
 * when possible, else a merge commit whose tree is the union by commit, same-commit notes merged with the
 * same join as the CLI (remote/note-merge.ts).
 */
async function mergeNotesInto(c: Ctx, ours: string | null, theirs: string, person: { name: string; email: string; timestamp: number; timezoneOffset: number }, from: string): Promise<{ action: 'none' | 'fast-forward' | 'merged'; tip: string }> {
  if (!ours || (await isAncestor(c, ours, theirs))) {
    await git.writeRef({ fs: c.fs, gitdir: c.gitdir, ref: NOTES_REF, value: theirs, force: true });
    return { action: 'fast-forward', tip: theirs };
  }
  if (await isAncestor(c, theirs, ours)) return { action: 'none', tip: ours };
  const a = await readNotesMap(c, ours);
  const b = await readNotesMap(c, theirs);
  const { union } = await unionNotes(a, b, { readText: (oid) => readBlobText(c, oid), writeText: (text) => git.writeBlob({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, blob: new TextEncoder().encode(text) }) });
  const tree = await writeNotesFanout(treeIO(c), union);
  const commit = await git.writeCommit({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, commit: { message: `Notes merged from ${from} by 'savepoint'\n`, tree, parent: [ours, theirs], author: person, committer: person } });
  await git.writeRef({ fs: c.fs, gitdir: c.gitdir, ref: NOTES_REF, value: commit, force: true });
  return { action: 'merged', tip: commit };
}

