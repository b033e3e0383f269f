/**
 * doctor: find (and, with fix, mend) what interrupted runs, other tools and wrong permissions leave behind.
 * Each check reports findings; a finding is `fixed` only when doctor changed something and re-checked it.
 *   stale-lock          a lock whose owner on this host is dead (removed with fix)
 *   foreign-lock        a lock held by another host (a NAS share): never removed, only reported
 *   temp-file           temp files of dead processes in .git (removed with fix; store/temp-sweep.ts)
 *   orphan-archive      an archive file that index.json does not list: a retention run killed before the
 *                       index moved. Its versions are still on the branch; fix moves it to <archives>/orphaned/
 *   missing-note        save commits without a checksum note (fix: run `savepoint repair`, not done here)
 *   history-cache       the catalog (.git/savepoint/catalog.db) answers differently from a rebuild, or is unreadable
 *                       (rebuilt with fix; a cache merely behind the refs is normal and refreshed by any read)
 *   export-drift        exportDir's checksums.txt differs from what the notes say (rewritten with fix)
 *   permission          .git not writable; archive files or the audit log readable by others (chmod with fix)
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { archiveDir, readArchiveIndex } from '../history/archived.js';
import { loadHistory, reindexCatalog } from '../history/versions.js';
import type { History } from '../history/versions.js';
import { catalogFile } from '../history/catalog.js';
import { buildChecksums } from '../model/exports.js';
import { sweepStaleTemps } from '../store/temp-sweep.js';
import { lockIsStale, parseLockFile, processAlive } from '../util/lock.js';
import type { Vault } from '../vault.js';
import { auditFile } from '../audit/log.js';
import { exportDirPrefix, refreshExports } from './export.js';

export type DoctorCheck = 'stale-lock' | 'foreign-lock' | 'temp-file' | 'orphan-archive' | 'missing-note' | 'history-cache' | 'export-drift' | 'permission';

export interface DoctorFinding {
  check: DoctorCheck;
  /** what is wrong, for a person */
  message: string;
  /** the file or ref concerned (vault-relative where possible) */
  subject: string;
  /** true when this run changed something and the problem is gone */
  fixed: boolean;
  /** what to do when it is not fixed */
  hint?: string;
}

export interface DoctorResult {
  fix: boolean;
  findings: DoctorFinding[];
  /** findings not fixed */
  remaining: number;
  ok: boolean;
}

export interface DoctorOptions {
  fix?: boolean;
  /** for tests: which pids run here */
  alive?: (pid: number) => boolean;
}

const rel = (vault: Vault, p: string) => path.relative(vault.dir, p).split(path.sep).join('/') || '.';

async function lockFiles(gitdir: string): Promise<string[]> {
  const dir = path.join(gitdir, 'savepoint');
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const out = names.filter((n) => n === 'lock' || n.endsWith('.lock')).map((n) => path.join(dir, n));
  out.push(path.join(gitdir, 'savepoint-compact.lock'));
  return out;
}

async function checkLocks(vault: Vault, fix: boolean, alive: (pid: number) => boolean, out: DoctorFinding[]): Promise<void> {
  for (const file of await lockFiles(vault.gitdir)) {
    const st = await fsp.stat(file).catch(() => null);
    if (!st) continue;
    const owner = parseLockFile(await fsp.readFile(file, 'utf8').catch(() => ''));
    const subject = rel(vault, file);
    if (owner.host && owner.host !== os.hostname()) {
      out.push({ check: 'foreign-lock', subject, fixed: false, message: `${subject} is held by pid ${owner.pid ?? '?'} (${owner.what ?? 'unknown'}) on host ${owner.host}${owner.started ? ` since ${owner.started}` : ''}`, hint: `locks from another machine are never removed automatically; if nothing runs on ${owner.host}, delete ${subject}` });
      continue;
    }
    if (!lockIsStale(owner, Date.now() - st.mtimeMs, os.hostname(), alive)) continue; // a live owner: not a problem
    let fixed = false;
    if (fix) {
      // re-check right before removing: the same file, still stale
      const again = await fsp.stat(file).catch(() => null);
      if (again && again.ino === st.ino && again.mtimeMs === st.mtimeMs) {
        await fsp.rm(file, { force: true });
        fixed = true;
      }
    }
    out.push({ check: 'stale-lock', subject, fixed, message: `${subject} was left by ${owner.pid ? `pid ${owner.pid} (${owner.what ?? 'unknown'}), which no longer runs` : 'a process that crashed before writing its pid'}`, ...(fixed ? {} : { hint: 'run `savepoint doctor --fix`' }) });
  }
}

async function checkTemps(vault: Vault, fix: boolean, alive: (pid: number) => boolean, out: DoctorFinding[]): Promise<void> {
  const found = await sweepStaleTemps(vault.gitdir, alive, { dryRun: !fix });
  for (const r of found.removed) out.push({ check: 'temp-file', subject: `.git/${r}`, fixed: fix, message: `.git/${r} is a temp file of a process that no longer runs`, ...(fix ? {} : { hint: 'run `savepoint doctor --fix`' }) });
}

async function walkArchives(dir: string, skip: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && p !== skip) out.push(...(await walkArchives(p, skip)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function checkArchives(vault: Vault, fix: boolean, out: DoctorFinding[]): Promise<void> {
  const dir = archiveDir(vault);
  const orphanDir = path.join(dir, 'orphaned');
  const index = await readArchiveIndex(vault);
  const listed = new Set(index.archives.map((a) => path.resolve(dir, a.file)));
  const journal = await fsp.access(path.join(vault.gitdir, 'savepoint', 'retention-journal.json')).then(() => true, () => false);
  for (const file of await walkArchives(dir, orphanDir)) {
    if (file.endsWith('.tar.gz') && !listed.has(file)) {
      const subject = rel(vault, file);
      let fixed = false;
      if (fix && !journal) {
        const dest = path.join(orphanDir, path.relative(dir, file));
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        await fsp.rename(file, dest);
        await fsp.rename(`${file}.sha256`, `${dest}.sha256`).catch(() => {});
        fixed = true;
      }
      out.push({ check: 'orphan-archive', subject, fixed, message: `${subject} is not listed in the archive index (a retention run was interrupted before the index moved; its versions are still in the history)${fixed ? `; moved to ${rel(vault, orphanDir)}/` : ''}`, ...(fixed ? {} : { hint: journal ? 'an interrupted retention run is pending: run `savepoint retention apply` first' : 'run `savepoint doctor --fix` (moves it aside, deletes nothing)' }) });
    }
    // archives hold every archived version: owner-only
    const st = await fsp.stat(file).catch(() => null);
    if (st && (st.mode & 0o077) !== 0 && !file.startsWith(orphanDir)) await permission(vault, file, st.mode, fix, out);
  }
}

async function permission(vault: Vault, file: string, mode: number, fix: boolean, out: DoctorFinding[]): Promise<void> {
  const subject = rel(vault, file);
  let fixed = false;
  if (fix) {
    fixed = await fsp.chmod(file, mode & 0o700).then(() => true, () => false);
  }
  out.push({ check: 'permission', subject, fixed, message: `${subject} is readable by others (mode ${(mode & 0o777).toString(8)}); it should be owner-only`, ...(fixed ? {} : { hint: `chmod go-rwx ${subject}` }) });
}

async function checkPermissions(vault: Vault, fix: boolean, out: DoctorFinding[]): Promise<void> {
  const writable = await fsp.access(vault.gitdir, fsConstants.W_OK).then(() => true, () => false);
  if (!writable) out.push({ check: 'permission', subject: rel(vault, vault.gitdir), fixed: false, message: `${rel(vault, vault.gitdir)} is not writable by this user: saves will fail`, hint: 'check the owner and mode of .git (or whether the media is read-only)' });
  const audit = auditFile(vault.gitdir);
  const st = await fsp.stat(audit).catch(() => null);
  if (st && (st.mode & 0o077) !== 0) await permission(vault, audit, st.mode, fix, out);
}

/** Read-only (no lock, unlike `repair --dry-run`, which would take over a stale lock doctor only reports). */
async function checkNotes(vault: Vault, out: DoctorFinding[]): Promise<void> {
  const missing = new Map<string, string[]>();
  for (const v of (await loadHistory(vault)).versions) if (v.noteMissing) missing.set(v.commit, [...(missing.get(v.commit) ?? []), `${v.path}@${v.version}`]);
  for (const [oid, versions] of missing) {
    out.push({ check: 'missing-note', subject: oid, fixed: false, message: `save commit ${oid.slice(0, 12)} (${versions.join(', ')}) has no checksum note`, hint: 'run `savepoint repair` to rebuild it from the commit trailers' });
  }
}

/** What the history says, in the fields a stale or edited catalog would get wrong. */
function historyFingerprint(h: History): string {
  return JSON.stringify(h.versions.map((v) => [v.path, v.version, v.commit, v.sha256, v.size, v.status, v.archive ?? null, v.summary, [...v.tags].sort()]));
}

/**
 * A catalog behind the refs is normal (every read catches it up from the tips it records). Drift is a catalog
 * that answers differently from a rebuild out of the branch, the notes and the archive index: found by
 * rebuilding and comparing; without --fix the catalog found is put back as it was.
 */
async function checkHistoryCache(vault: Vault, fix: boolean, out: DoctorFinding[]): Promise<void> {
  const file = catalogFile(vault);
  if (!(await fsp.stat(file).then(() => true, () => false))) return; // no catalog yet: nothing to drift
  let why: string | null = null;
  let before: string | null = null;
  try {
    before = historyFingerprint(await loadHistory(vault));
  } catch {
    why = 'it cannot be read';
  }
  const kept = `${file}.doctor-${process.pid}`;
  const sidecars = ['', '-wal', '-shm'];
  for (const s of sidecars) await fsp.copyFile(file + s, kept + s).catch(() => {});
  try {
    await reindexCatalog(vault);
    const after = historyFingerprint(await loadHistory(vault));
    if (!why && before !== after) why = 'it lists other saves, versions or notes than the branch, notes and archive index';
    if (why && !fix) for (const s of sidecars) await fsp.rename(kept + s, file + s).catch(() => fsp.rm(file + s, { force: true }));
  } finally {
    for (const s of sidecars) await fsp.rm(kept + s, { force: true });
  }
  if (!why) return;
  out.push({ check: 'history-cache', subject: rel(vault, file), fixed: fix, message: `the catalog has drifted: ${why}`, ...(fix ? {} : { hint: 'run `savepoint doctor --fix` (or `savepoint reindex`) to rebuild it from the refs' }) });
}

async function checkExports(vault: Vault, fix: boolean, out: DoctorFinding[]): Promise<void> {
  const prefix = exportDirPrefix(vault);
  if (prefix === null) return;
  const file = path.join(vault.dir, prefix, 'checksums.txt');
  const want = buildChecksums((await loadHistory(vault)).versions);
  const have = await fsp.readFile(file, 'utf8').catch(() => null);
  if (have === want) return;
  const subject = rel(vault, file);
  let fixed = false;
  if (fix) {
    await refreshExports(vault);
    fixed = (await fsp.readFile(file, 'utf8').catch(() => null)) === want;
  }
  out.push({ check: 'export-drift', subject, fixed, message: have === null ? `${subject} is missing` : `${subject} does not match the checksum notes`, ...(fixed ? {} : { hint: 'run `savepoint export` (or `savepoint doctor --fix`)' }) });
}

export async function doctor(vault: Vault, opts: DoctorOptions = {}): Promise<DoctorResult> {
  const fix = !!opts.fix;
  const alive = opts.alive ?? processAlive;
  const findings: DoctorFinding[] = [];
  await checkLocks(vault, fix, alive, findings);
  await checkTemps(vault, fix, alive, findings);
  await checkPermissions(vault, fix, findings);
  await checkArchives(vault, fix, findings);
  await checkHistoryCache(vault, fix, findings); // first: anything that loads the history refreshes the cache
  await checkNotes(vault, findings);
  await checkExports(vault, fix, findings);
  const remaining = findings.filter((f) => !f.fixed).length;
  return { fix, findings, remaining, ok: remaining === 0 };
}
