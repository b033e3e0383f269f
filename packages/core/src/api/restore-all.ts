/**
 * Whole-vault time travel (issue 14 item 4): `savepoint restore --all @2026-05-01` (or a tag, a commit, @latest)
 * puts every tracked file back as it was at that moment, or writes that state into another folder (`to`).
 *
 * In place it follows single-file restore (restore.ts), once for the whole vault: every version is read into a
 * temp file beside its target and sha256-checked first (a damaged one changes nothing); then ONE pre-restore
 * snapshot save holds every working file that matches no saved version of its path; then ONE save (kind
 * `restore`) records the restored content; only then are the temp files renamed over the targets. Files that
 * had no version at that moment are left alone and reported as `not-present` (Savepoint never deletes them).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError, fromNodeError } from '../errors.js';
import { parseVersionSpec, selectVersion } from '../model/version.js';
import type { VersionRecord, VersionSpec } from '../model/version.js';
import { loadHistory } from '../history/versions.js';
import type { History } from '../history/versions.js';
import { recorded } from '../health/record.js';
import { trackTemp } from '../util/cleanup.js';
import { resolveVaultPath } from '../util/paths.js';
import type { ProgressCallback } from '../util/progress.js';
import { readStatCache, recordStats } from '../util/stat-cache.js';
import type { StatRecord } from '../util/stat-cache.js';
import { assertNotInUse, isSqliteFile, removeStaleSidecars, sidecarSignature } from '../util/sqlite.js';
import type { Vault } from '../vault.js';
import { refResolver } from './query.js';
import { materialize } from './restore.js';
import { save } from './save.js';
import { afterSave } from './after-save.js';
import type { AfterSaveOptions, AfterSaveReport } from './after-save.js';
import { workingDigest } from './working-content.js';

/** The moment as typed: `@2026-05-01`, `2026-05-01T12:00Z`, a tag name, a commit SHA prefix, `@latest`. */
export function parseMoment(at: string): VersionSpec {
  const text = at.startsWith('@') ? at.slice(1) : at;
  if (text === '') throw new SavepointError('E_BAD_ADDRESS', 'Name a moment after "@": an ISO date (@2026-05-01), a tag name or a commit SHA prefix.', { at });
  const spec = parseVersionSpec(text);
  if (spec.kind === 'number' || spec.kind === 'relative') {
    throw new SavepointError('E_INVALID_ARGUMENT', `"@${text}" is a version number of one file; a whole vault is addressed by a moment: an ISO date (@2026-05-01), a tag name, a commit SHA prefix or @latest.`, { at });
  }
  return spec;
}

/** Every tracked path's version at `at` (path → version; paths without a version then are absent). Pure over `history`. */
export function vaultStateAt(history: History, at: string): Map<string, VersionRecord> {
  const spec = parseMoment(at);
  const byPath = new Map<string, VersionRecord[]>();
  for (const v of history.versions) {
    if (!byPath.has(v.path)) byPath.set(v.path, []);
    byPath.get(v.path)!.push(v);
  }
  if (byPath.size === 0) throw new SavepointError('E_NOT_TRACKED', 'The vault has no saved versions yet. Save files first with `savepoint save <file>`.', {});
  const resolve = refResolver(history);
  if (spec.kind === 'ref' && !history.versions.some((v) => v.tags.includes(spec.text)) && !resolve(spec.text)) {
    throw new SavepointError('E_BAD_ADDRESS', `"@${spec.text}" is not a date, tag or commit of this vault. List saves with \`savepoint log\` and tags with \`git tag\`.`, { at: spec.text });
  }
  const out = new Map<string, VersionRecord>();
  for (const [p, versions] of [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    try {
      out.set(p, selectVersion(p, versions, spec, resolve));
    } catch (e) {
      if (e instanceof SavepointError && e.code === 'E_UNKNOWN_VERSION') continue; // no version of p at that moment
      throw e;
    }
  }
  if (out.size === 0) {
    const first = history.versions.reduce<string | null>((a, v) => (a === null || v.savedAt < a ? v.savedAt : a), null);
    throw new SavepointError('E_UNKNOWN_VERSION', `Nothing was saved at ${spec.kind === 'date' ? `or before ${spec.text}` : `@${at.replace(/^@/, '')}`}: the first save is from ${first}. Pick a later moment (\`savepoint log\` lists saves).`, { at, firstSave: first });
  }
  return out;
}

export interface StateChange {
  path: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  from?: VersionRecord;
  to?: VersionRecord;
}

/** What changed between two vault states (from vaultStateAt), by path: added, removed, changed (sha256), unchanged. Pure. */
export function compareStates(a: Map<string, VersionRecord>, b: Map<string, VersionRecord>): StateChange[] {
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.map((p): StateChange => {
    const from = a.get(p);
    const to = b.get(p);
    const status = !from ? 'added' : !to ? 'removed' : from.sha256 === to.sha256 ? 'unchanged' : 'changed';
    return { path: p, status, ...(from ? { from } : {}), ...(to ? { to } : {}) };
  });
}

export interface RestoreAllOptions {
  /** the moment: `@2026-05-01`, a tag, a commit SHA prefix, `@latest` */
  at: string;
  /** write the vault as it was into this folder (absolute, or relative to cwd) instead of in place; it must be empty or new */
  to?: string;
  cwd?: string;
  onProgress?: ProgressCallback;
  afterSave?: AfterSaveOptions | false;
}

export interface RestoreAllFile {
  path: string;
  /** restored: written; unchanged: the file already held that content; not-present: no version then (left alone) */
  status: 'restored' | 'unchanged' | 'not-present';
  version?: number;
  sha256?: string;
  size?: number;
  /** the file did not exist before this restore */
  created?: boolean;
}

export interface RestoreAllResult {
  at: string;
  /** the folder written (vault-relative "." in place, else absolute) */
  to: string;
  inPlace: boolean;
  files: RestoreAllFile[];
  counts: { restored: number; unchanged: number; notPresent: number };
  /** one save of every working file that matched no saved version (before anything was overwritten) */
  preRestoreSave?: { commit: string | null; files: { path: string; version: number }[] };
  /** one save (kind `restore`) of the restored content: the latest versions are what the files now hold */
  recorded?: { commit: string | null; files: { path: string; version: number }[] };
  afterSave?: AfterSaveReport;
}

let seq = 0;

/** Restore the whole vault, and record the outcome in the health record (op `restore`, like single-file restores). */
export async function restoreAll(vault: Vault, opts: RestoreAllOptions): Promise<RestoreAllResult> {
  return recorded(vault, 'restore', () => restoreAllFiles(vault, opts), (r) => ({ details: { all: true, at: opts.at, ...(r ? { inPlace: r.inPlace, counts: r.counts } : {}) } }));
}

async function restoreAllFiles(vault: Vault, opts: RestoreAllOptions): Promise<RestoreAllResult> {
  const cwd = opts.cwd ?? vault.dir;
  const history = await loadHistory(vault);
  const state = vaultStateAt(history, opts.at);
  const tracked = [...new Set(history.versions.map((v) => v.path))].sort();
  const notPresent: RestoreAllFile[] = tracked.filter((p) => !state.has(p)).map((p) => ({ path: p, status: 'not-present' }));
  const outDir = opts.to === undefined ? vault.dir : path.resolve(cwd, opts.to);
  const inPlace = path.resolve(outDir) === path.resolve(vault.dir);
  if (!inPlace) return restoreInto(vault, state, outDir, opts, notPresent);

  // 1. plan: what each target holds now
  const cache = await readStatCache(vault);
  const plan: { rec: VersionRecord; rel: string; abs: string; exists: boolean; mode: number | null; snapshot: boolean; db: boolean }[] = [];
  const files: RestoreAllFile[] = [];
  for (const rec of state.values()) {
    const rel = await resolveVaultPath(vault.dir, vault.dir, rec.path);
    const abs = path.join(vault.dir, rel);
    const st = await fsp.lstat(abs).catch(() => null);
    if (st && !st.isFile()) {
      throw new SavepointError('E_NOT_A_FILE', `${rel} exists and is ${st.isDirectory() ? 'a folder' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; Savepoint will not replace it. Move it away, or restore into another folder with --to. Nothing was changed.`, { path: rel });
    }
    if (st) {
      const cur = await workingDigest(vault, rel, abs, st, cache);
      if (cur.sha256 === rec.sha256) {
        files.push({ path: rel, status: 'unchanged', version: rec.version, sha256: rec.sha256, size: rec.size });
        continue;
      }
      const known = history.versions.some((v) => v.path === rel && v.sha256 === cur.sha256);
      plan.push({ rec, rel, abs, exists: true, mode: st.mode & 0o7777, snapshot: !known, db: cur.database });
    } else {
      plan.push({ rec, rel, abs, exists: false, mode: null, snapshot: false, db: false });
    }
  }
  // a live database is replaced only when nobody has it open (checked for all before anything changes)
  for (const p of plan) if (p.db) await assertNotInUse(p.abs, p.rel);

  // 2. read and check every version into a temp file beside its target
  const temps = new Map<string, string>();
  const untracks: (() => void)[] = [];
  let preRestoreSave: RestoreAllResult['preRestoreSave'];
  let recorded: RestoreAllResult['recorded'];
  try {
    const total = plan.reduce((n, p) => n + Math.max(0, p.rec.size), 0);
    let done = 0;
    for (const p of plan) {
      await fsp.mkdir(path.dirname(p.abs), { recursive: true });
      seq += 1;
      const tmp = path.join(path.dirname(p.abs), `.${path.basename(p.abs)}.savepoint-tmp-${process.pid}-all${seq}`);
      untracks.push(trackTemp(tmp));
      temps.set(p.rel, tmp);
      await materialize(vault, p.rec, tmp);
      await fsp.chmod(tmp, p.mode ?? 0o644);
      const h = await fsp.open(tmp, 'r');
      await h.sync();
      await h.close();
      done += Math.max(0, p.rec.size);
      opts.onProgress?.({ phase: 'restore', loaded: done, total, item: p.rel });
    }
    const label = opts.at.startsWith('@') ? opts.at : `@${opts.at}`;
    // 3. one pre-restore snapshot of everything that would be lost
    const snap = plan.filter((p) => p.snapshot).map((p) => p.rel);
    if (snap.length) {
      const r = await save(vault, { files: snap, message: `Pre-restore snapshot before restoring the vault to ${label}`, kind: 'pre-restore', keep: 'pre-change', source: 'pre-restore' });
      preRestoreSave = { commit: r.commit, files: r.files.map((f) => ({ path: f.path, version: f.version })) };
    }
    // 4. one save recording the restored content (skipped per file when its latest version already holds it
    //    and nothing was snapshotted, e.g. a deleted file brought back from its latest version)
    const after = await loadHistory(vault);
    const latestSha = new Map<string, { version: number; sha256: string }>();
    for (const v of after.versions) if ((latestSha.get(v.path)?.version ?? 0) < v.version) latestSha.set(v.path, v);
    const record = plan.filter((p) => latestSha.get(p.rel)?.sha256 !== p.rec.sha256);
    if (record.length) {
      const contentFrom = Object.fromEntries(record.map((p) => [p.rel, temps.get(p.rel)!]));
      const r = await save(vault, { files: record.map((p) => p.rel), contentFrom, force: true, message: `Restore vault to ${label}\n\n${record.map((p) => `${p.rel} v${p.rec.version}`).join('\n')}`, kind: 'restore', source: 'restore' });
      recorded = { commit: r.commit, files: r.files.map((f) => ({ path: f.path, version: f.version })) };
    }
    // 5. into place
    for (const p of plan) {
      if (p.rec.sqlite || p.db || (await isSqliteFile(temps.get(p.rel)!))) await removeStaleSidecars(p.abs);
      await fsp.rename(temps.get(p.rel)!, p.abs);
      temps.delete(p.rel);
      files.push({ path: p.rel, status: 'restored', version: p.rec.version, sha256: p.rec.sha256, size: p.rec.size, ...(p.exists ? {} : { created: true }) });
    }
  } catch (e) {
    for (const tmp of temps.values()) await fsp.rm(tmp, { force: true });
    throw e instanceof SavepointError ? e : fromNodeError(e, 'restoring the vault');
  } finally {
    untracks.forEach((u) => u());
  }
  const stats: StatRecord[] = [];
  for (const p of plan) {
    if (await isSqliteFile(p.abs)) stats.push({ rel: p.rel, abs: p.abs, sha256: p.rec.sha256, size: p.rec.size, db: { stat: await fsp.stat(p.abs), side: await sidecarSignature(p.abs) } });
    else stats.push({ rel: p.rel, abs: p.abs, sha256: p.rec.sha256, size: p.rec.size });
  }
  await recordStats(vault, stats);
  for (const p of plan) vault.events.emit('restore', { path: p.rec.path, version: p.rec.version, to: p.rel });
  let report: AfterSaveReport | undefined;
  const lastCommit = recorded?.commit ?? preRestoreSave?.commit;
  if (lastCommit && opts.afterSave !== false) report = await afterSave(vault, { commit: lastCommit }, opts.afterSave ?? {});
  return finish(opts.at, '.', true, [...files, ...notPresent], { ...(preRestoreSave ? { preRestoreSave } : {}), ...(recorded ? { recorded } : {}), ...(report ? { afterSave: report } : {}) });
}

function finish(at: string, to: string, inPlace: boolean, files: RestoreAllFile[], extra: Partial<RestoreAllResult>): RestoreAllResult {
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const n = (s: RestoreAllFile['status']) => files.filter((f) => f.status === s).length;
  return { at, to, inPlace, files, counts: { restored: n('restored'), unchanged: n('unchanged'), notPresent: n('not-present') }, ...extra };
}

/** `--to DIR`: write the state into a new or empty folder (outside or inside the vault); nothing is saved. */
async function restoreInto(vault: Vault, state: Map<string, VersionRecord>, outDir: string, opts: RestoreAllOptions, notPresent: RestoreAllFile[]): Promise<RestoreAllResult> {
  const entries = await fsp.readdir(outDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    if (e.code === 'ENOTDIR') throw new SavepointError('E_NOT_A_FILE', `--to ${opts.to} is a file, not a folder. Name a new or empty folder.`, { to: outDir });
    throw fromNodeError(e, `reading ${outDir}`);
  });
  if (entries.length > 0) {
    throw new SavepointError('E_INVALID_ARGUMENT', `--to ${opts.to} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}). Name a new or empty folder; Savepoint does not mix a past state with other files. Nothing was changed.`, { to: outDir });
  }
  if ((path.resolve(outDir) + path.sep).startsWith(path.join(vault.gitdir) + path.sep)) {
    throw new SavepointError('E_PATH_OUTSIDE_VAULT', `--to ${opts.to} is inside the git directory. Name a folder elsewhere.`, { to: outDir });
  }
  await fsp.mkdir(outDir, { recursive: true });
  const files: RestoreAllFile[] = [];
  const total = [...state.values()].reduce((n, v) => n + Math.max(0, v.size), 0);
  let done = 0;
  for (const rec of state.values()) {
    const abs = path.join(outDir, ...rec.path.split('/'));
    await fsp.mkdir(path.dirname(abs), { recursive: true });
    seq += 1;
    const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.savepoint-tmp-${process.pid}-all${seq}`);
    const untrack = trackTemp(tmp);
    try {
      await materialize(vault, rec, tmp);
      await fsp.chmod(tmp, 0o644);
      await fsp.rename(tmp, abs);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e instanceof SavepointError ? e : fromNodeError(e, `writing ${abs}`);
    } finally {
      untrack();
    }
    done += Math.max(0, rec.size);
    opts.onProgress?.({ phase: 'restore', loaded: done, total, item: rec.path });
    files.push({ path: rec.path, status: 'restored', version: rec.version, sha256: rec.sha256, size: rec.size, created: true });
  }
  return finish(opts.at, outDir, false, [...files, ...notPresent], {});
}
