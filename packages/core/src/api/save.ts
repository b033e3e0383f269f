/** save: one commit on the history branch per call, holding only the saved paths, plus its checksum note. */
import type fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import { updateIndexEntries } from '../history/git-index.js';
import path from 'node:path';
import { SavepointError, fromNodeError } from '../errors.js';
import { buildSaveMessage, defaultSummary, descriptionOf } from '../model/commit-message.js';
import { serializeNote } from '../model/note.js';
import type { SaveKind, SaveNote } from '../model/note.js';
import type { VersionRecord } from '../model/version.js';
import { isValidRefName, readCommit, updateRef, updateTree, writeAnnotatedTag, writeCommit } from '../history/git.js';
import type { TreeChange } from '../history/git.js';
import { writeNotesDetailed } from '../history/notes.js';
import { appendSaveToCache, loadHistory } from '../history/versions.js';
import { writeBlobFromFile } from '../store/object-store.js';
import type { BlobInfo } from '../store/object-store.js';
import { sweepStaleTemps } from '../store/temp-sweep.js';
import { withLock } from '../util/lock.js';
import { resolveVaultPath } from '../util/paths.js';
import type { ProgressCallback } from '../util/progress.js';
import { recordStats } from '../util/stat-cache.js';
import type { Vault } from '../vault.js';
import { historyBranchCheckedOut, personAt } from '../vault.js';

export interface SaveOptions {
  files: string[];
  /** folder the file names are relative to (the CLI passes process.cwd()) */
  cwd?: string;
  message?: string;
  description?: string;
  experiment?: string;
  tag?: string;
  force?: boolean;
  kind?: SaveKind;
  /** retention hint: permanent | days:N | pre-change */
  keep?: string;
  source?: string;
  onProgress?: ProgressCallback;
  /** called per file before it is stored (e.g. @savepoint/hooks validation); throw to refuse the save */
  validate?: (absPath: string, vaultPath: string) => Promise<void>;
}

export interface SavedFile {
  path: string;
  status: 'saved' | 'unchanged';
  version: number;
  sha256: string;
  md5?: string;
  size: number;
  blob: string;
}

export interface SaveResult {
  commit: string | null;
  files: SavedFile[];
  tag?: string;
}

export async function assertRegularFile(abs: string, shown: string): Promise<fs.Stats> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SavepointError('E_FILE_NOT_FOUND', `${shown} does not exist. Check the name (\`savepoint status\` lists tracked files).`, { path: shown });
    }
    throw fromNodeError(e, `reading ${shown}`);
  }
  if (!st.isFile()) {
    throw new SavepointError('E_NOT_A_FILE', `${shown} is ${st.isDirectory() ? 'a folder' : 'not a regular file'}. Save the data files inside it by name, e.g. \`savepoint save ${shown}/*.csv\`.`, { path: shown });
  }
  return st;
}

const KEEP_RE = /^(permanent|pre-change|days:\d+)$/;

export async function save(vault: Vault, opts: SaveOptions): Promise<SaveResult> {
  if (opts.files.length === 0) throw new SavepointError('E_INVALID_ARGUMENT', 'Name at least one file to save.', {});
  if (opts.tag !== undefined && !isValidRefName(opts.tag)) {
    throw new SavepointError('E_BAD_TAG_NAME', `"${opts.tag}" is not a valid tag name (no spaces, ~ ^ : ? * [ \\, "..", or leading "-").`, { tag: opts.tag });
  }
  if (opts.keep !== undefined && !KEEP_RE.test(opts.keep)) {
    throw new SavepointError('E_INVALID_ARGUMENT', `--keep must be permanent, pre-change or days:N (got "${opts.keep}").`, { keep: opts.keep });
  }
  const cwd = opts.cwd ?? vault.dir;
  // Resolve and check every file before writing anything, so a bad name leaves the vault untouched.
  const targets: { rel: string; abs: string }[] = [];
  const seen = new Set<string>();
  for (const input of opts.files) {
    const rel = await resolveVaultPath(vault.dir, cwd, input);
    if (seen.has(rel)) continue;
    seen.add(rel);
    const abs = path.join(vault.dir, rel);
    await assertRegularFile(abs, input);
    if (opts.validate) await opts.validate(abs, rel);
    targets.push({ rel, abs });
  }
  return withLock(vault.gitdir, 'save', async () => {
    // temp objects of saves that were killed (kill -9, power loss) go now, before this one adds its own
    await sweepStaleTemps(vault.gitdir);
    const history = await loadHistory(vault);
    const latest = new Map<string, VersionRecord>();
    for (const v of history.versions) {
      const cur = latest.get(v.path);
      if (!cur || v.version > cur.version) latest.set(v.path, v);
    }
    if (opts.tag !== undefined && history.tags.has(opts.tag)) {
      throw new SavepointError('E_TAG_EXISTS', `Tag "${opts.tag}" already exists. Pick another name or delete it with \`git tag -d ${opts.tag}\`.`, { tag: opts.tag });
    }
    const md5 = vault.config.checksum.md5;
    const results: SavedFile[] = [];
    const stored: { rel: string; abs: string; info: BlobInfo; version: number; mode: string }[] = [];
    for (const t of targets) {
      const before = await fsp.stat(t.abs);
      const info = await writeBlobFromFile(vault.gitdir, t.abs, {
        md5,
        onProgress: opts.onProgress && ((e) => opts.onProgress!({ ...e, item: t.rel })),
      });
      const prev = latest.get(t.rel);
      const unchanged = !!prev && prev.sha256 === info.sha256 && !opts.force;
      const version = unchanged ? prev!.version : (prev?.version ?? 0) + 1;
      if (!unchanged) stored.push({ ...t, info, version, mode: before.mode & 0o111 ? '100755' : '100644' });
      results.push({ path: t.rel, status: unchanged ? 'unchanged' : 'saved', version, sha256: info.sha256, size: info.size, blob: info.oid, ...(info.md5 ? { md5: info.md5 } : {}) });
    }
    // every file was just hashed, unchanged ones too: `status` need not read them again
    await recordStats(vault, targets.map((t, i) => ({ rel: t.rel, abs: t.abs, sha256: results[i]!.sha256, size: results[i]!.size })));
    if (stored.length === 0) return { commit: null, files: results };

    const now = vault.clock();
    const person = personAt(vault.author, now);
    const tip = history.tip;
    const baseTree = tip ? (await readCommit(vault, tip)).tree : null;
    const changes = new Map<string, TreeChange>(stored.map((s) => [s.rel, { oid: s.info.oid, mode: s.mode }]));
    const tree = await updateTree(vault, baseTree, changes);
    const files = stored.map((s) => ({ path: s.rel, version: s.version, sha256: s.info.sha256 }));
    const message = buildSaveMessage({
      summary: opts.message?.split('\n')[0] || defaultSummary(files),
      description: opts.description ?? opts.message?.split('\n').slice(1).join('\n'),
      files,
      ...(opts.experiment ? { experiment: opts.experiment } : {}),
    });
    const commit = await writeCommit(vault, { tree, parents: tip ? [tip] : [], message, author: person });
    const note: SaveNote = { schema: 1, files: {}, status: 'active', kind: opts.kind ?? 'manual' };
    if (opts.keep) note.keep = opts.keep;
    for (const s of stored) {
      note.files[s.rel] = {
        version: s.version,
        sha256: s.info.sha256,
        ...(s.info.md5 ? { md5: s.info.md5 } : {}),
        size: s.info.size,
        savedAt: now.toISOString(),
        ...(opts.experiment ? { experiment: opts.experiment } : {}),
        ...(opts.message ? { description: opts.message } : {}),
        source: opts.source ?? 'api',
      };
    }
    // Note first, then branch: a crash in between leaves only an unreachable note, never an unnoted save.
    const notes = await writeNotesDetailed(vault, new Map([[commit, serializeNote(note)]]), person);
    await updateRef(vault, `refs/heads/${vault.branch}`, commit, tip);
    await appendSaveToCache(vault, { tip, notesTip: history.notesTip }, {
      commit,
      tip: commit,
      notesTip: notes.commit,
      summary: message.split('\n')[0]!,
      description: descriptionOf(message),
      timestamp: person.timestamp,
      files: stored.map((s) => ({ path: s.rel, version: s.version, sha256: s.info.sha256, blob: s.info.oid })),
      ...(opts.experiment ? { experiment: opts.experiment } : {}),
      note,
      noteBlob: notes.blobs.get(commit)!,
    });
    let tag: string | undefined;
    if (opts.tag !== undefined) {
      await writeAnnotatedTag(vault, { name: opts.tag, commit, message: `${opts.tag}\n\n${files.map((f) => `${f.path} v${f.version}`).join('\n')}\n`, tagger: person });
      tag = opts.tag;
    }
    if (await historyBranchCheckedOut(vault)) {
      await updateIndexEntries(vault.dir, vault.gitdir, stored.map((x) => ({ path: x.rel, oid: x.info.oid, mode: Number.parseInt(x.mode, 8) })));
    }
    vault.events.emit('save', { versions: files, commit });
    return { commit, files: results, ...(tag ? { tag } : {}) };
  });
}
