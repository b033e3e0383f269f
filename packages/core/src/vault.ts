/** Opening and creating vaults. A vault = a git repository + savepoint.json at its top level. */
import type { KeyProvider } from './crypto/chunked.js';
import { EventEmitter } from 'node:events';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { isogit } from './history/isogit.js';
import { SavepointError } from './errors.js';
import { defaultConfig, parseConfig, serializeConfig } from './model/config.js';
import type { VaultConfig, VaultConfigInput } from './model/config.js';
import type { GitCtx, GitPerson } from './history/git.js';
import { readTreeEntries, resolveRef, updateRef, writeBlobText, writeCommit, writeTree } from './history/git.js';
import { writeFileAtomic } from './util/atomic.js';

export const CONFIG_FILE = 'savepoint.json';

export interface Author {
  name: string;
  email: string;
}

export interface VaultOptions {
  /** any folder inside the vault */
  dir: string;
  /** the clock for savedAt and commit dates (tests pass a fixed one) */
  clock?: () => Date;
  /** commit author; defaults to git config user.name/email, then "Savepoint" */
  author?: Author;
  /** issue 12: the key for encrypted archives, asked only when one is read or written */
  key?: KeyProvider;
}

/** What a vault's `events` emitter carries: the event names and their arguments (typed on the emitter). */
export interface VaultEvents {
  save: [{ versions: { path: string; version: number; sha256: string }[]; commit: string }];
  restore: [{ path: string; version: number; to: string }];
  verify: [{ verified: number; corrupted: number; missing: number }];
}

export interface Vault extends GitCtx {
  dir: string;
  config: VaultConfig;
  branch: string;
  clock: () => Date;
  author: Author;
  events: EventEmitter<VaultEvents>;
  /** issue 12: the key for encrypted archives (never stored) */
  key?: KeyProvider;
}

async function exists(p: string): Promise<boolean> {
  return fsp.access(p).then(
    () => true,
    () => false,
  );
}

/** Find the vault containing `start`: the nearest folder upwards with savepoint.json and .git. */
async function findVaultRoot(start: string): Promise<string | null> {
  let dir = path.resolve(start);
  for (;;) {
    if ((await exists(path.join(dir, CONFIG_FILE))) && (await exists(path.join(dir, '.git')))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

async function resolveGitdir(dir: string): Promise<string> {
  const dotgit = path.join(dir, '.git');
  const st = await fsp.stat(dotgit);
  if (st.isDirectory()) return dotgit;
  // worktrees and submodules: ".git" is a file "gitdir: <path>"
  const text = await fsp.readFile(dotgit, 'utf8');
  const m = /^gitdir: (.*)$/m.exec(text);
  if (!m) throw new SavepointError('E_NOT_A_VAULT', `${dotgit} is not a git directory.`, { dir });
  return path.resolve(dir, m[1]!.trim());
}

/** [user] name/email from an ini-style git config file. */
function userFromGitConfig(text: string): Partial<Author> {
  const out: Partial<Author> = {};
  let inUser = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inUser = /^\[user\]$/i.test(line);
      continue;
    }
    const m = inUser ? /^(name|email)\s*=\s*(.*)$/i.exec(line) : null;
    if (m) out[m[1]!.toLowerCase() as keyof Author] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** The author git would use: repository config, then ~/.gitconfig, then a neutral default. */
async function authorFromGit(gitdir: string): Promise<Author> {
  const local = userFromGitConfig(await fsp.readFile(path.join(gitdir, 'config'), 'utf8').catch(() => ''));
  const global = userFromGitConfig(await fsp.readFile(path.join(os.homedir(), '.gitconfig'), 'utf8').catch(() => ''));
  return { name: local.name || global.name || 'Savepoint', email: local.email || global.email || 'savepoint@localhost' };
}

/** Parsed savepoint.json, cached by content so an unchanged file skips validation (and loading zod). */
async function loadConfig(dir: string, gitdir: string): Promise<VaultConfig> {
  const file = path.join(dir, CONFIG_FILE);
  const text = await fsp.readFile(file, 'utf8');
  const key = createHash('sha256').update(text).digest('hex');
  const cacheFile = path.join(gitdir, 'savepoint', 'config-cache.json');
  try {
    const cached = JSON.parse(await fsp.readFile(cacheFile, 'utf8')) as { key: string; config: VaultConfig };
    if (cached.key === key) return cached.config;
  } catch {
    // no cache yet
  }
  const config = await parseConfig(text, file);
  try {
    await writeFileAtomic(cacheFile, JSON.stringify({ key, config }), { fsync: false });
  } catch {
    // read-only .git: validate every time
  }
  return config;
}

export async function openVault(opts: VaultOptions): Promise<Vault> {
  const start = path.resolve(opts.dir);
  const st = await fsp.stat(start).catch(() => null);
  if (!st || !st.isDirectory()) {
    throw new SavepointError('E_FILE_NOT_FOUND', `The folder ${start} does not exist. Check the path (or -C option) and try again.`, { dir: start });
  }
  const found = await findVaultRoot(start);
  if (!found) {
    throw new SavepointError('E_NOT_A_VAULT', `${start} is not inside a Savepoint vault (no savepoint.json next to a .git folder). Run \`savepoint init\` to make one.`, { dir: start });
  }
  const dir = await fsp.realpath(found);
  const gitdir = await resolveGitdir(dir);
  const config = await loadConfig(dir, gitdir);
  const author = opts.author ?? (await authorFromGit(gitdir));
  return { dir, gitdir, cache: {}, config, branch: config.historyBranch, clock: opts.clock ?? (() => new Date()), author, events: new EventEmitter<VaultEvents>(), ...(opts.key ? { key: opts.key } : {}) };
}

export function personAt(author: Author, when: Date): GitPerson {
  return { name: author.name, email: author.email, timestamp: Math.floor(when.getTime() / 1000), timezoneOffset: 0 };
}

export interface InitResult {
  dir: string;
  branch: string;
  created: boolean;
  existingRepo: boolean;
  config: VaultConfig;
}

/**
 * Make a vault in `dir`. A new folder (or one without git) gets `git init -b main` and an initial commit of
 * savepoint.json on main. Inside an existing git repository Savepoint writes to its own `savepoint` branch and
 * leaves the user's HEAD, index and files alone (savepoint.json is written but not committed).
 */
export interface InitOptions extends VaultOptions {
  config?: VaultConfigInput;
  /**
   * Seed 000's defaults, written explicitly into the new savepoint.json (the schema defaults stay as they were,
   * so vaults made before keep their behaviour): `"retention": {"auto": true}` (keep the newest `maxVersions`
   * of each file, archive older ones after saves) unless false or config.retention.auto says otherwise.
   */
  autoRetention?: boolean;
  /** `"exportDir"` for checksums.txt/manifest.json; default "backups" unless that path already exists; false: none */
  exportDir?: string | false;
}

/** Defaults a new vault gets written into its savepoint.json (see InitOptions). */
async function newVaultConfig(dir: string, opts: InitOptions): Promise<VaultConfigInput> {
  const given = opts.config ?? {};
  const out: VaultConfigInput = { ...given };
  if (given.retention?.auto === undefined) out.retention = { ...given.retention, auto: opts.autoRetention ?? true };
  if (given.exportDir === undefined && opts.exportDir !== false) {
    const wanted = opts.exportDir ?? 'backups';
    // never write into a folder the user already has (unless they named it themselves)
    if (opts.exportDir !== undefined || !(await exists(path.join(dir, wanted)))) out.exportDir = wanted;
  }
  return out;
}

export async function initVault(opts: InitOptions): Promise<InitResult> {
  const target = path.resolve(opts.dir);
  const st = await fsp.stat(target).catch(() => null);
  if (st && !st.isDirectory()) {
    throw new SavepointError('E_NOT_A_FILE', `${target} exists and is not a folder. Pick a folder for the vault.`, { dir: target });
  }
  await fsp.mkdir(target, { recursive: true });
  const dir = await fsp.realpath(target);
  if (await exists(path.join(dir, CONFIG_FILE))) {
    throw new SavepointError('E_VAULT_EXISTS', `${dir} is already a Savepoint vault (savepoint.json exists). Use it as it is, or remove savepoint.json to start over.`, { dir });
  }
  const existingRepo = await exists(path.join(dir, '.git'));
  if (!existingRepo) {
    // refuse to nest inside another repository's working tree: its status would show our files
    let up = path.dirname(dir);
    for (;;) {
      if (await exists(path.join(up, '.git'))) {
        throw new SavepointError('E_INVALID_ARGUMENT', `${dir} is inside the git repository ${up}. Run \`savepoint init\` at ${up} (Savepoint will use its own history branch there), or pick a folder outside it.`, { dir, repo: up });
      }
      const next = path.dirname(up);
      if (next === up) break;
      up = next;
    }
  }
  const branch = existingRepo ? 'savepoint' : 'main';
  const input = await newVaultConfig(dir, opts);
  const config = await defaultConfig({ ...input, historyBranch: input.historyBranch ?? branch });
  const text = serializeConfig({ ...input, historyBranch: config.historyBranch });
  // archives and exports stay out of git: .gitignore in a new repo, info/exclude in the user's own repo
  const ignoreLines = [`/${config.archiveLocation.replace(/^\.?\//, '').split('/')[0]}/`, ...(config.exportDir ? [`/${config.exportDir.replace(/^\.\//, '').replace(/\/$/, '')}/`] : [])];
  const clock = opts.clock ?? (() => new Date());
  if (existingRepo) {
    const gitdir = await resolveGitdir(dir);
    await fsp.writeFile(path.join(dir, CONFIG_FILE), text, { flag: 'wx' });
    // keep archives out of the user's `git status` without touching their tracked .gitignore
    const exclude = path.join(gitdir, 'info', 'exclude');
    await fsp.mkdir(path.dirname(exclude), { recursive: true });
    const current = await fsp.readFile(exclude, 'utf8').catch(() => '');
    const missing = ignoreLines.filter((l) => !current.split('\n').includes(l));
    if (missing.length) await fsp.appendFile(exclude, `${current && !current.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`);
    return { dir, branch: config.historyBranch, created: true, existingRepo, config };
  }
  const git = await isogit();
  await git.init({ fs, dir, defaultBranch: 'main' });
  const gitdir = path.join(dir, '.git');
  const ctx: GitCtx = { gitdir, cache: {} };
  const gitignore = ignoreLines.join('\n') + '\n';
  await fsp.writeFile(path.join(dir, CONFIG_FILE), text, { flag: 'wx' });
  await fsp.writeFile(path.join(dir, '.gitignore'), gitignore);
  const author = opts.author ?? (await authorFromGit(gitdir));
  const configBlob = await writeBlobText(ctx, text);
  const ignoreBlob = await writeBlobText(ctx, gitignore);
  const tree = await writeTree(ctx, [
    { mode: '100644', path: '.gitignore', oid: ignoreBlob, type: 'blob' },
    { mode: '100644', path: CONFIG_FILE, oid: configBlob, type: 'blob' },
  ]);
  const commit = await writeCommit(ctx, { tree, parents: [], message: 'Initialize Savepoint vault\n', author: personAt(author, clock()) });
  await updateRef(ctx, `refs/heads/${config.historyBranch}`, commit, null);
  for (const filepath of ['.gitignore', CONFIG_FILE]) await git.add({ fs, dir, gitdir, filepath });
  return { dir, branch: config.historyBranch, created: true, existingRepo, config };
}

/** True when HEAD points at the history branch (a fresh vault), so saves also update the index. */
export async function historyBranchCheckedOut(vault: Vault): Promise<boolean> {
  const head = await fsp.readFile(path.join(vault.gitdir, 'HEAD'), 'utf8').catch(() => '');
  return head.trim() === `ref: refs/heads/${vault.branch}`;
}

export async function branchTip(vault: Vault): Promise<string | null> {
  return resolveRef(vault, `refs/heads/${vault.branch}`);
}

export { readTreeEntries };
