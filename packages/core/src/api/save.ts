/** save: one commit on the history branch per call, holding only the saved paths, plus its checksum note. */
import type fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import { updateIndexEntries } from '../history/git-index.js';
import path from 'node:path';
import { SavepointError, fromNodeError } from '../errors.js';
import { buildSaveMessageFor, buildSaveTagMessage, checkSaveTexts, descriptionOf } from '../model/commit-message.js';
import { buildSaveNote, serializeNote } from '../model/note.js';
import type { SaveKind } from '../model/note.js';
import type { VersionRecord } from '../model/version.js';
import { assertTagName, readCommit, updateRef, updateTree, writeAnnotatedTag, writeCommit } from '../history/git.js';
import type { TreeChange } from '../history/git.js';
import { writeNotesDetailed } from '../history/notes.js';
import { appendSaveToCatalog, withHistoryIndex } from '../history/versions.js';
import { writeBlobFromFile } from '../store/object-store.js';
import type { BlobInfo } from '../store/object-store.js';
import { recorded } from '../health/record.js';
import { sweepStaleTemps } from '../store/temp-sweep.js';
import { withLock } from '../util/lock.js';
import { exportDirPrefix } from './export.js';
import { resolveVaultPath } from '../util/paths.js';
import type { ProgressCallback } from '../util/progress.js';
import { recordStats } from '../util/stat-cache.js';
import type { StatRecord } from '../util/stat-cache.js';
import { isSqliteFile, sidecarDatabase, sidecarSignature, withSqliteSnapshot } from '../util/sqlite.js';
import type { SqliteInfo } from '../util/sqlite.js';
import type { PgDumpInfo } from './postgres.js';
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
  /**
   * Store these bytes for a path instead of reading the path's own file (vault path → absolute file). Used by
   * restore to record exactly the content it wrote; such files are stored raw (no SQLite snapshot).
   */
  contentFrom?: Record<string, string>;
  /** kind `restore`: the version whose content is being recorded (goes into the note) */
  restoredFrom?: number;
  /** Postgres dumps (api/postgres.ts): what the note records about each dumped path (never a password) */
  pg?: Record<string, PgDumpInfo>;
  /** record a failure in the health record (default true; the auto-saver records only its final attempt) */
  recordFailure?: boolean;
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

/** Save, and record the outcome (duration, error code, files) in the health record (health/). */
export async function save(vault: Vault, opts: SaveOptions): Promise<SaveResult> {
  const trace = { files: [] as string[] };
  return recorded(vault, 'save', () => saveFiles(vault, opts, trace), (r) => {
    if (!r && opts.recordFailure === false) return null;
    const counts = r ? { saved: r.files.filter((f) => f.status === 'saved').length, unchanged: r.files.filter((f) => f.status === 'unchanged').length, commit: r.commit } : {};
    return { details: { files: trace.files, kind: opts.kind ?? 'manual', source: opts.source ?? 'api', ...counts } };
  });
}

async function saveFiles(vault: Vault, opts: SaveOptions, trace: { files: string[] }): Promise<SaveResult> {
  if (opts.files.length === 0) throw new SavepointError('E_INVALID_ARGUMENT', 'Name at least one file to save.', {});
  if (opts.tag !== undefined) await assertTagName(vault, opts.tag);
  opts = { ...opts, ...checkSaveTexts(opts) };
  if (opts.keep !== undefined && !KEEP_RE.test(opts.keep)) {
    throw new SavepointError('E_INVALID_ARGUMENT', `--keep must be permanent, pre-change or days:N (got "${opts.keep}").`, { keep: opts.keep });
  }
  const cwd = opts.cwd ?? vault.dir;
  // Resolve and check every file before writing anything, so a bad name leaves the vault untouched.
  const targets: { rel: string; abs: string }[] = [];
  const seen = new Set<string>();
  const exports = exportDirPrefix(vault);
  for (const input of opts.files) {
    const rel = await resolveVaultPath(vault.dir, cwd, input);
    if (exports && rel.startsWith(exports)) {
      throw new SavepointError('E_INVALID_ARGUMENT', `${input} is inside exportDir (${exports}), which Savepoint rewrites after every save; it is not saved as data. Save the data files themselves, or change "exportDir" in savepoint.json.`, { path: rel, exportDir: vault.config.exportDir });
    }
    if (seen.has(rel)) continue;
    seen.add(rel);
    const abs = path.join(vault.dir, rel);
    const from = opts.contentFrom?.[rel];
    await assertRegularFile(from ?? abs, input);
    const db = from === undefined ? await sidecarDatabase(abs) : null;
    if (db !== null) {
      const dbRel = path.relative(vault.dir, db).split(path.sep).join('/');
      throw new SavepointError('E_DB_SIDECAR', `${input} belongs to the SQLite database ${dbRel}; its bytes mean nothing on their own and are never saved raw. Save the database instead (\`savepoint save ${dbRel}\`): Savepoint snapshots it with the WAL content included.`, { path: rel, database: dbRel });
    }
    if (opts.validate) await opts.validate(abs, rel);
    targets.push({ rel, abs });
  }
  trace.files = targets.map((t) => t.rel);
  return withLock(vault.gitdir, 'save', async () => {
    // temp objects of saves that were killed (kill -9, power loss) go now, before this one adds its own
    await sweepStaleTemps(vault.gitdir);
    // the catalog answers "latest version of each target" without materializing history (issue 14); it is
    // closed again before the (possibly long) content write, and the new save is appended after the ref moved
    const latest = new Map<string, VersionRecord>();
    const history = await withHistoryIndex(vault, (index) => {
      for (const t of targets) {
        const rec = index.catalog.latest(t.rel);
        if (rec) latest.set(t.rel, rec);
      }
      return { tip: index.tip, notesTip: index.notesTip, tags: index.tags };
    });
    if (opts.tag !== undefined && history.tags.has(opts.tag)) {
      throw new SavepointError('E_TAG_EXISTS', `Tag "${opts.tag}" already exists. Pick another name or delete it with \`git tag -d ${opts.tag}\`.`, { tag: opts.tag });
    }
    const md5 = vault.config.checksum.md5;
    const results: SavedFile[] = [];
    const stored: { rel: string; abs: string; info: BlobInfo; version: number; mode: string; sqlite?: SqliteInfo }[] = [];
    const stats: StatRecord[] = [];
    for (const t of targets) {
      const from = opts.contentFrom?.[t.rel];
      const before = await fsp.stat(from ?? t.abs);
      const write = (file: string) =>
        writeBlobFromFile(vault.gitdir, file, {
          md5,
          onProgress: opts.onProgress && ((e) => opts.onProgress!({ ...e, item: t.rel })),
        });
      let info: BlobInfo;
      let sqlite: SqliteInfo | undefined;
      if (from !== undefined) {
        info = await write(from);
      } else if (await isSqliteFile(t.abs)) {
        // a live database: store a consistent backup-API snapshot (WAL included) that passed integrity_check;
        // its stat and sidecars are taken first, so a write during the snapshot makes the cache entry stale
        const side = await sidecarSignature(t.abs);
        [info, sqlite] = await withSqliteSnapshot(vault.gitdir, t.abs, t.rel, async (file, i) => [await write(file), i] as const);
        stats.push({ rel: t.rel, abs: t.abs, sha256: info.sha256, size: info.size, db: { stat: before, side } });
      } else {
        info = await write(t.abs);
        stats.push({ rel: t.rel, abs: t.abs, sha256: info.sha256, size: info.size });
      }
      const prev = latest.get(t.rel);
      const unchanged = !!prev && prev.sha256 === info.sha256 && !opts.force;
      const version = unchanged ? prev!.version : (prev?.version ?? 0) + 1;
      if (!unchanged) stored.push({ ...t, info, version, mode: before.mode & 0o111 ? '100755' : '100644', ...(sqlite ? { sqlite } : {}) });
      results.push({ path: t.rel, status: unchanged ? 'unchanged' : 'saved', version, sha256: info.sha256, size: info.size, blob: info.oid, ...(info.md5 ? { md5: info.md5 } : {}) });
    }
    // every file was just hashed, unchanged ones too: `status` need not read them again
    await recordStats(vault, stats);
    if (stored.length === 0) return { commit: null, files: results };

    const now = vault.clock();
    const person = personAt(vault.author, now);
    const tip = history.tip;
    const baseTree = tip ? (await readCommit(vault, tip)).tree : null;
    const changes = new Map<string, TreeChange>(stored.map((s) => [s.rel, { oid: s.info.oid, mode: s.mode }]));
    const tree = await updateTree(vault, baseTree, changes);
    const files = stored.map((s) => ({ path: s.rel, version: s.version, sha256: s.info.sha256 }));
    const message = buildSaveMessageFor(opts, files);
    const commit = await writeCommit(vault, { tree, parents: tip ? [tip] : [], message, author: person });
    const note = buildSaveNote({
      files: stored.map((s) => ({ path: s.rel, version: s.version, sha256: s.info.sha256, ...(s.info.md5 ? { md5: s.info.md5 } : {}), size: s.info.size, ...(s.sqlite ? { sqlite: s.sqlite } : {}), ...(opts.pg?.[s.rel] ? { pg: opts.pg[s.rel] } : {}) })),
      savedAt: now.toISOString(),
      source: opts.source ?? 'api',
      kind: opts.kind ?? 'manual',
      ...(opts.keep ? { keep: opts.keep } : {}),
      ...(opts.restoredFrom !== undefined ? { restoredFrom: opts.restoredFrom } : {}),
      ...(opts.experiment ? { experiment: opts.experiment } : {}),
      ...(opts.message ? { message: opts.message } : {}),
    });
    // Note first, then branch: a crash in between leaves only an unreachable note, never an unnoted save.
    const notes = await writeNotesDetailed(vault, new Map([[commit, serializeNote(note)]]), person);
    await updateRef(vault, `refs/heads/${vault.branch}`, commit, tip);
    await appendSaveToCatalog(vault, { tip, notesTip: history.notesTip }, {
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
      await writeAnnotatedTag(vault, { name: opts.tag, commit, message: buildSaveTagMessage(opts.tag, files), tagger: person });
      tag = opts.tag;
    }
    if (await historyBranchCheckedOut(vault)) {
      await updateIndexEntries(vault.dir, vault.gitdir, stored.map((x) => ({ path: x.rel, oid: x.info.oid, mode: Number.parseInt(x.mode, 8), ...(opts.contentFrom?.[x.rel] ? { statFrom: opts.contentFrom[x.rel]! } : {}) })));
    }
    vault.events.emit('save', { versions: files, commit });
    return { commit, files: results, ...(tag ? { tag } : {}) };
  });
}
