import { realpathSync } from 'node:fs';
import { lstat, mkdtemp, readFile, rename, rm, writeFile, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import createDebug from 'debug';
import { validateDataFile } from '@savepoint/diff';
import { CHECKSUMS_FILE, mergeChecksums, type ChecksumEntry } from './checksums.js';
import { loadHooksConfig, resolveHooksConfig, type HooksConfig, type HooksConfigInput } from './config.js';
import { HooksError } from './errors.js';
import { scanFile } from './file-scan.js';
import { git, readIndex, repoRoot, writeBlobToFile, type IndexEntry } from './git.js';
import { problemText, errorText } from './messages.js';
import { backupReason, secretNameReason } from './rules/names.js';
import { compileMatcher, hookPatterns, isChecksummed } from './rules/patterns.js';

const debug = createDebug('savepoint:hooks');

export type ProblemCode =
  | 'E_FORMAT_INVALID'
  | 'E_FILE_TOO_LARGE'
  | 'E_BACKUP_FILE'
  | 'E_SECRET_FILE'
  | 'E_SECRET_CONTENT'
  | 'E_FILE_MISSING'
  | 'E_FILE_UNREADABLE';

export interface FileProblem {
  code: ProblemCode;
  /** What is wrong (without the file name, which is in FileReport.path). Never contains a secret. */
  message: string;
  /** How to fix it. */
  hint: string;
  line?: number;
}

export interface FileReport {
  /** Repo-relative POSIX path. */
  path: string;
  ok: boolean;
  problems: FileProblem[];
  /** Where the checked bytes came from: the working tree, or the staged blob when they differ. */
  source: 'worktree' | 'index' | 'none';
  size?: number;
  sha256?: string;
  format?: string;
}

export interface CheckResult {
  ok: boolean;
  /** Repository top level the paths are relative to. */
  repoDir: string;
  config: HooksConfig;
  files: FileReport[];
  checksums: {
    file: string;
    /** Entries set in checksums.txt by this run (empty when blocked or nothing to record). */
    updated: ChecksumEntry[];
    /** True when checksums.txt was written and staged. */
    staged: boolean;
  };
}

export interface CheckFilesOptions {
  /** Any directory inside the repository. */
  repoDir: string;
  /** Files to check: absolute, or relative to `cwd` (default: the repo's top level). */
  files: readonly string[];
  /** Overrides on top of the repo's savepoint.json (which is read when present). */
  config?: HooksConfigInput;
  cwd?: string;
  /** Record sha256 of passing data files in checksums.txt and stage it (default true). */
  recordChecksums?: boolean;
  /** Only check files matching the tracked data patterns or secret-looking names (the plain hook passes every staged file). */
  onlyHookFiles?: boolean;
}

const MAX_FORMAT_PROBLEMS = 5;

/**
 * Check files about to be committed. Reads the staged content (the working tree copy when git
 * considers it identical, the staged blob otherwise). Nothing is written unless every file passes;
 * then their sha256 go into checksums.txt (sha256sum -c format) which is staged.
 */
export async function checkFiles(options: CheckFilesOptions): Promise<CheckResult> {
  const root = await repoRoot(options.repoDir);
  const fileConfig = await loadHooksConfig(root);
  const config = options.config ? mergeConfig(root, fileConfig, options.config) : fileConfig;
  const cwd = options.cwd ?? root;

  const tracked = compileMatcher(config.trackedPatterns);
  const inScope = compileMatcher(hookPatterns(config.trackedPatterns));
  const rels: string[] = [];
  for (const f of options.files) {
    const rel = toRepoPath(root, cwd, f);
    if (rel === CHECKSUMS_FILE) continue;
    if (options.onlyHookFiles && !inScope(rel)) continue;
    if (!rels.includes(rel)) rels.push(rel);
  }
  debug('checking %d files in %s', rels.length, root);

  const index = rels.length > 0 ? await readIndex(root, new Set(rels)) : new Map<string, IndexEntry>();
  const blobSizes = await readBlobSizes(root, [...index.values()].map((e) => e.oid));
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'savepoint-hooks-'));
  const reports: FileReport[] = [];
  try {
    for (const rel of rels) {
      reports.push(await checkOne(root, rel, index.get(rel), blobSizes, config, tmp));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }

  const ok = reports.every((r) => r.ok);
  const updated: ChecksumEntry[] = [];
  let staged = false;
  if (ok && options.recordChecksums !== false) {
    for (const r of reports) {
      if (r.sha256 && isChecksummed(r.path, tracked)) updated.push({ path: r.path, sha256: r.sha256 });
    }
    if (updated.length > 0) staged = await recordChecksums(root, updated);
  }
  return { ok, repoDir: root, config, files: reports, checksums: { file: CHECKSUMS_FILE, updated: staged ? updated : [], staged } };
}

function mergeConfig(root: string, base: HooksConfig, over: HooksConfigInput): HooksConfig {
  return resolveHooksConfig(root, {
    maxFileSize: over.maxFileSize ?? base.maxFileSize,
    archiveLocation: over.archiveLocation !== undefined ? over.archiveLocation : base.archiveLocation,
    trackedPatterns: over.trackedPatterns ?? base.trackedPatterns,
  });
}

const outside = (rel: string): boolean => rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);

/** Best-effort real path (the file itself may be gone; its directory usually is not). */
function realPath(abs: string): string {
  try {
    return realpathSync(abs);
  } catch {
    try {
      return path.join(realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

function toRepoPath(root: string, cwd: string, file: string): string {
  const abs = path.resolve(cwd, file);
  let rel = path.relative(root, abs);
  if (outside(rel)) rel = path.relative(root, realPath(abs)); // e.g. cwd reached through a symlink (/tmp → /private/tmp)
  if (outside(rel)) {
    throw new HooksError('E_INVALID_ARGUMENT', errorText.outsideRepo(file, root), { file, repoDir: root });
  }
  return rel.split(path.sep).join('/');
}

async function readBlobSizes(root: string, oids: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (oids.length === 0) return sizes;
  const { stdout } = await git(['cat-file', '--batch-check=%(objectname) %(objectsize)'], { cwd: root, input: `${oids.join('\n')}\n` });
  for (const line of stdout.toString('utf8').split('\n')) {
    const [oid, size] = line.split(' ');
    if (oid && size && /^\d+$/.test(size)) sizes.set(oid, Number(size));
  }
  return sizes;
}

async function checkOne(
  root: string,
  rel: string,
  entry: IndexEntry | undefined,
  blobSizes: Map<string, number>,
  config: HooksConfig,
  tmp: string,
): Promise<FileReport> {
  const problems: FileProblem[] = [];
  const report = (extra: Partial<FileReport> = {}): FileReport => ({
    path: rel,
    ok: problems.length === 0,
    problems,
    source: 'none',
    ...extra,
  });

  const secretName = secretNameReason(rel);
  if (secretName) problems.push({ code: 'E_SECRET_FILE', ...problemText.secretFile(secretName) });
  const backup = backupReason(rel, config.archiveLocation);
  if (backup) problems.push({ code: 'E_BACKUP_FILE', ...problemText.backup(backup) });

  // Symlinks and submodules have no content of their own to check.
  if (entry && (entry.mode === '120000' || entry.mode === '160000')) return report();

  const abs = path.join(root, rel);
  const st = await lstat(abs).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
    throw e;
  });
  if (!st && !entry) {
    problems.push({ code: 'E_FILE_MISSING', ...problemText.missing() });
    return report();
  }
  if (st && !st.isFile() && !entry) return report(); // a directory or a symlink passed by hand

  const size = entry ? blobSizes.get(entry.oid) ?? st?.size ?? 0 : (st?.size ?? 0);
  if (size > config.maxFileSize) {
    problems.push({ code: 'E_FILE_TOO_LARGE', ...problemText.tooLarge(size, config.maxFileSize) });
    return report({ size });
  }

  const wantSecrets = !secretName;
  const oidAlgo = entry && entry.oid.length === 64 ? 'sha256' : 'sha1';
  let contentPath = abs;
  let source: FileReport['source'] = 'worktree';
  // Read the working copy when it is what gets committed; a size that differs from the staged blob
  // means it is not (unless a clean filter / eol conversion makes them equal, which git diff knows).
  let worktreeOk = st?.isFile() ?? false;
  if (entry && st?.isFile() && st.size !== size) worktreeOk = await sameAsIndexAfterFilters(root, rel);
  let scan = worktreeOk && st ? await scanFile(abs, st.size, { secrets: wantSecrets, oidAlgo }).catch(() => null) : null;
  if (entry && (!scan || scan.gitOid !== entry.oid) && !(scan && (await sameAsIndexAfterFilters(root, rel)))) {
    // The working tree differs from what is staged (partially staged file): check the staged blob.
    contentPath = path.join(await mkdtemp(path.join(tmp, 'blob-')), path.basename(rel));
    await writeBlobToFile(root, entry.oid, contentPath);
    scan = await scanFile(contentPath, size, { secrets: wantSecrets, oidAlgo });
    source = 'index';
  }
  if (!scan) {
    problems.push({ code: 'E_FILE_UNREADABLE', ...problemText.notChecked('the file could not be read') });
    return report();
  }
  for (const f of scan.secrets) problems.push({ code: 'E_SECRET_CONTENT', line: f.line, ...problemText.secretContent(f) });

  const v = await validateDataFile(contentPath, { name: rel });
  for (const p of v.problems.slice(0, MAX_FORMAT_PROBLEMS)) {
    const message = p.line !== undefined ? p.message.replace(new RegExp(`^line ${p.line}: `), '') : p.message;
    problems.push({ code: 'E_FORMAT_INVALID', ...(p.line !== undefined ? { line: p.line } : {}), ...problemText.formatInvalid(v.format, message) });
  }
  if (v.problems.length > MAX_FORMAT_PROBLEMS) {
    problems.push({
      code: 'E_FORMAT_INVALID',
      ...problemText.formatInvalid(v.format, `and ${v.problems.length - MAX_FORMAT_PROBLEMS} more problems`),
    });
  }
  return report({ source, size: scan.size, sha256: scan.sha256, format: v.format });
}

/** `git diff --quiet` compares after clean filters / eol conversion: equal means the worktree is what gets committed. */
async function sameAsIndexAfterFilters(root: string, rel: string): Promise<boolean> {
  const r = await git(['--literal-pathspecs', 'diff', '--quiet', '--', rel], { cwd: root, allowFail: true });
  return r.code === 0;
}

/**
 * Merge entries into checksums.txt: the staged version gets the merge of the staged text, the working
 * tree the merge of its own text, so unstaged edits to checksums.txt are never staged by accident.
 * Serialised with an exclusive lock file (lint-staged may run chunks of files one after another).
 */
async function recordChecksums(root: string, updates: ChecksumEntry[]): Promise<boolean> {
  const file = path.join(root, CHECKSUMS_FILE);
  const release = await lock(`${file}.lock`);
  try {
    const work = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    const idx = await git(['show', `:${CHECKSUMS_FILE}`], { cwd: root, allowFail: true });
    const staged = idx.code === 0 ? idx.stdout.toString('utf8') : null;
    const newWork = mergeChecksums(work ?? staged ?? '', updates);
    const newStaged = mergeChecksums(staged ?? work ?? '', updates);
    if (newWork === work && newStaged === staged) return true;
    if (newWork !== work) {
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, newWork);
      await rename(tmp, file);
    }
    if (newStaged === newWork) {
      await gitRetry(['add', '--', CHECKSUMS_FILE], root);
    } else {
      const oid = (await git(['hash-object', '-w', '--stdin', `--path=${CHECKSUMS_FILE}`], { cwd: root, input: newStaged })).stdout
        .toString('utf8')
        .trim();
      await gitRetry(['update-index', '--add', '--cacheinfo', `100644,${oid},${CHECKSUMS_FILE}`], root);
    }
    debug('recorded %d checksums', updates.length);
    return true;
  } finally {
    await release();
  }
}

async function gitRetry(args: string[], cwd: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const r = await git(args, { cwd, allowFail: true });
    if (r.code === 0) return;
    if (attempt >= 20 || !r.stderr.includes('index.lock')) {
      throw new HooksError('E_GIT_FAILED', errorText.gitFailed(args, r.stderr), { args, stderr: r.stderr });
    }
    await sleep(50 * (attempt + 1));
  }
}

async function lock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.close();
      return () => rm(lockPath, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (attempt >= 100) {
        throw new HooksError('E_LOCKED', errorText.locked(lockPath), {
          lock: lockPath,
        });
      }
      await sleep(100);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
