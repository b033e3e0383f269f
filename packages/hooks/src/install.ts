import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import createDebug from 'debug';
import { loadHooksConfig } from './config.js';
import { HooksError } from './errors.js';
import { git, repoRoot } from './git.js';
import {
  hasBlock,
  huskyBlock,
  insertBlock,
  isShellInterpreter,
  plainBlock,
  removeBlock,
  runsLintStaged,
  shebangInterpreter,
} from './hook-script.js';
import { installText } from './messages.js';
import { hookPatterns, lintStagedEntry } from './rules/patterns.js';

const debug = createDebug('savepoint:hooks');

export const DEFAULT_CHECK_COMMAND = 'savepoint-hooks check';
export const HUSKY_RANGE = '^9.1.7';
export const LINT_STAGED_RANGE = '^16.4.0';
/** This package, added to devDependencies in husky mode so every clone's `npm install` provides `savepoint-hooks`. */
export const HOOKS_PACKAGE = '@savepoint/hooks';
export const HOOKS_RANGE = '^0.1.0';
export const STATE_FILE = 'savepoint-hooks.json';

export type InstallMode = 'husky' | 'plain';

export interface InstallHooksOptions {
  /** Any directory inside the repository. */
  repoDir: string;
  /**
   * Shell text the hook runs to check files (default `savepoint-hooks check`); inserted verbatim. In husky mode
   * it goes into the committed lint-staged config, so it must work on every clone: no absolute paths.
   */
  command?: string;
  /**
   * Command for a plain hook only (`.git/hooks`, never committed), which may name this machine's paths
   * (e.g. this node and script). Husky mode ignores it and uses `command`.
   */
  localCommand?: string;
  /** `auto` (default): husky + lint-staged when the repo has a package.json and that would not hide an existing hook. */
  mode?: 'auto' | InstallMode;
}

export interface InstallHooksResult {
  mode: InstallMode;
  /** False when everything was already installed (nothing was written). */
  changed: boolean;
  /** Human-readable list of what was done. */
  changes: string[];
  warnings: string[];
  nextSteps: string[];
  /** The pre-commit script that runs the check (absolute path). */
  hookFile: string;
  /** lint-staged glob (husky mode) or the patterns the plain hook filters on. */
  patterns: string;
  stateFile: string;
}

export interface UninstallHooksResult {
  changed: boolean;
  changes: string[];
  warnings: string[];
}

type Action =
  /** A file install created; removed on uninstall if unchanged, else only our block is removed. */
  | { kind: 'created-file'; path: string; sha256: string; block?: string }
  | { kind: 'created-dir'; path: string }
  /** Our block inserted into an existing script. */
  | { kind: 'block'; path: string; block: string; inserted: string }
  /** Keys added to a JSON file; `original` (null: we created the file) restores it exactly when untouched since. */
  | {
      kind: 'json-edit';
      path: string;
      original: string | null;
      writtenSha256: string;
      added: { keys: string[]; value: unknown }[];
      createdContainers: string[][];
    };

interface InstallState {
  schema: 1;
  mode: InstallMode;
  command: string;
  patterns: string;
  /** core.hooksPath before install (husky mode), so uninstall can undo what `husky` set. */
  previousHooksPath: string | null;
  huskyAdded: boolean;
  actions: Action[];
}

const LINT_STAGED_FILES = [
  'package.yaml', 'package.yml', '.lintstagedrc', '.lintstagedrc.json', '.lintstagedrc.yaml', '.lintstagedrc.yml',
  '.lintstagedrc.mjs', '.lintstagedrc.mts', '.lintstagedrc.js', '.lintstagedrc.ts', '.lintstagedrc.cjs', '.lintstagedrc.cts',
  'lint-staged.config.mjs', 'lint-staged.config.mts', 'lint-staged.config.js', 'lint-staged.config.ts',
  'lint-staged.config.cjs', 'lint-staged.config.cts',
];

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

function toStatePath(root: string, abs: string): string {
  const rel = path.relative(root, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}
const fromStatePath = (root: string, p: string): string => (path.isAbsolute(p) ? p : path.join(root, p));

async function gitDir(root: string): Promise<string> {
  const out = (await git(['rev-parse', '--git-common-dir'], { cwd: root })).stdout.toString('utf8').trim();
  return path.resolve(root, out);
}

async function hooksPathConfig(root: string): Promise<string | null> {
  const r = await git(['config', '--get', 'core.hooksPath'], { cwd: root, allowFail: true });
  return r.code === 0 ? r.stdout.toString('utf8').trim() : null;
}

async function effectiveHooksDir(root: string): Promise<string> {
  const out = (await git(['rev-parse', '--git-path', 'hooks'], { cwd: root })).stdout.toString('utf8').trim();
  return path.resolve(root, out);
}

const isHuskyHooksPath = (p: string | null): boolean => p !== null && /^\.?\/?\.husky(\/_)?\/?$/.test(p);

async function readState(file: string): Promise<InstallState | null> {
  const text = await readText(file);
  if (text === null) return null;
  try {
    const s = JSON.parse(text) as InstallState;
    if (s.schema === 1 && Array.isArray(s.actions)) return s;
  } catch {
    // fall through
  }
  throw new HooksError('E_CONFIG_INVALID', installText.stateDamaged(file), { file });
}

function detectIndent(text: string): string | number {
  const m = /^([ \t]+)"/m.exec(text);
  return m?.[1] ?? 2;
}

function stringifyLike(original: string | null, value: unknown): string {
  const out = JSON.stringify(value, null, original ? detectIndent(original) : 2);
  return original === null || original.endsWith('\n') ? `${out}\n` : out;
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Add keys (only where absent) to a JSON file; returns the action, or null when nothing was added. */
async function addJsonKeys(
  root: string,
  file: string,
  edits: { keys: string[]; value: unknown }[],
): Promise<Extract<Action, { kind: 'json-edit' }> | null> {
  const original = await readText(file);
  let doc: unknown = {};
  if (original !== null) {
    try {
      doc = JSON.parse(original);
    } catch (e) {
      throw new HooksError('E_HOOKS_CONFLICT', installText.conflictPackageJson(`${path.basename(file)} is not valid JSON (${(e as Error).message})`), { file });
    }
  }
  if (!isObject(doc)) throw new HooksError('E_HOOKS_CONFLICT', installText.conflictPackageJson(`${path.basename(file)} is not a JSON object`), { file });
  const added: { keys: string[]; value: unknown }[] = [];
  const createdContainers: string[][] = [];
  for (const edit of edits) {
    let obj: JsonObject = doc;
    const parents = edit.keys.slice(0, -1);
    const leaf = edit.keys[edit.keys.length - 1] as string;
    let ok = true;
    for (let i = 0; i < parents.length; i++) {
      const k = parents[i] as string;
      if (obj[k] === undefined) {
        obj[k] = {};
        createdContainers.push(parents.slice(0, i + 1));
      }
      const next = obj[k];
      if (!isObject(next)) {
        ok = false;
        break;
      }
      obj = next;
    }
    if (!ok) throw new HooksError('E_HOOKS_CONFLICT', installText.conflictPackageJson(`"${parents.join('.')}" is not an object`), { file });
    if (obj[leaf] !== undefined) continue;
    obj[leaf] = edit.value;
    added.push(edit);
  }
  if (added.length === 0) return null;
  const written = stringifyLike(original, doc);
  await writeFile(file, written);
  return { kind: 'json-edit', path: toStatePath(root, file), original, writtenSha256: sha256(written), added, createdContainers };
}

async function undoJsonEdit(root: string, a: Extract<Action, { kind: 'json-edit' }>, warnings: string[]): Promise<string | null> {
  const file = fromStatePath(root, a.path);
  const current = await readText(file);
  if (current === null) return null;
  if (sha256(current) === a.writtenSha256) {
    if (a.original === null) await unlink(file);
    else await writeFile(file, a.original);
    return a.original === null ? installText.removedFile(a.path) : installText.restoredFile(a.path);
  }
  // Edited since install: remove only the keys we added (if they still hold our values).
  let doc: unknown;
  try {
    doc = JSON.parse(current);
  } catch {
    warnings.push(installText.jsonNowInvalid(a.path, a.added.map((x) => x.keys.join('.'))));
    return null;
  }
  const get = (keys: string[]): JsonObject | null => {
    let o: unknown = doc;
    for (const k of keys) o = isObject(o) ? o[k] : undefined;
    return isObject(o) ? o : null;
  };
  for (const e of a.added) {
    const parent = get(e.keys.slice(0, -1));
    const leaf = e.keys[e.keys.length - 1] as string;
    if (parent && JSON.stringify(parent[leaf]) === JSON.stringify(e.value)) delete parent[leaf];
  }
  for (const c of [...a.createdContainers].reverse()) {
    const parent = get(c.slice(0, -1));
    const leaf = c[c.length - 1] as string;
    const v = parent?.[leaf];
    if (parent && isObject(v) && Object.keys(v).length === 0) delete parent[leaf];
  }
  if (a.original === null && isObject(doc) && Object.keys(doc).length === 0) {
    await unlink(file);
    return installText.removedFile(a.path);
  }
  await writeFile(file, stringifyLike(current, doc));
  return installText.removedLintStagedKey(a.path, a.added.map((x) => x.keys.join('.')).join(', '));
}

/** Create directories from the first missing one down; returns actions for the ones created. */
async function mkdirs(root: string, dir: string): Promise<Action[]> {
  const missing: string[] = [];
  for (let d = dir; !(await exists(d)); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  await mkdir(dir, { recursive: true });
  return missing.map((d) => ({ kind: 'created-dir', path: toStatePath(root, d) }));
}

async function addBlockTo(
  root: string,
  file: string,
  block: string,
  createdPrefix: string,
  res: { changes: string[]; warnings: string[] },
  opts: { requireShell: boolean; skipIfRunsLintStaged: boolean },
): Promise<Action[]> {
  const existing = await readText(file);
  const shown = toStatePath(root, file);
  if (existing === null) {
    const actions = await mkdirs(root, path.dirname(file));
    const content = createdPrefix + block;
    await writeFile(file, content, { mode: 0o755 });
    await chmod(file, 0o755);
    res.changes.push(installText.createdFile(shown));
    return [...actions, { kind: 'created-file', path: shown, sha256: sha256(content), block }];
  }
  if (hasBlock(existing)) return [];
  if (opts.skipIfRunsLintStaged && runsLintStaged(existing)) {
    res.warnings.push(installText.lintStagedAlreadyInHook(shown));
    return [];
  }
  const interp = shebangInterpreter(existing);
  if (opts.requireShell && !isShellInterpreter(interp)) {
    throw new HooksError('E_HOOKS_CONFLICT', installText.conflictNonShellHook(shown, interp ?? 'non-shell'), { file: shown, interpreter: interp });
  }
  const ins = insertBlock(existing, block);
  await writeFile(file, ins.text);
  if (ins.beforeExit) res.warnings.push(installText.hookEndsWithExit(shown));
  if (opts.requireShell && ((await stat(file)).mode & 0o111) === 0) res.warnings.push(installText.hookNotExecutable(shown));
  res.changes.push(installText.appendedTo(shown));
  return [{ kind: 'block', path: shown, block, inserted: ins.inserted }];
}

async function chooseMode(root: string, requested: InstallHooksOptions['mode'], warnings: string[]): Promise<InstallMode> {
  if (requested === 'husky' || requested === 'plain') return requested;
  if (!(await exists(path.join(root, 'package.json')))) return 'plain';
  const hp = await hooksPathConfig(root);
  if (hp !== null && !isHuskyHooksPath(hp)) {
    warnings.push(installText.huskyOverridesHooksPath(hp));
    return 'plain';
  }
  if (hp === null) {
    const hook = path.join(await effectiveHooksDir(root), 'pre-commit');
    if (await exists(hook)) {
      warnings.push(installText.huskyWouldHideHook(toStatePath(root, hook)));
      return 'plain';
    }
  }
  return 'husky';
}

interface Progress {
  changes: string[];
  warnings: string[];
  nextSteps: string[];
}

/** husky + lint-staged: package.json entries, the lint-staged config entry, the .husky/pre-commit block. */
async function installHusky(
  root: string,
  command: string,
  entry: { glob: string; command: string },
  res: Progress,
  actions: Action[],
  out: { huskyAdded: boolean },
): Promise<string> {
  const patterns = entry.glob;
  const pkgFile = path.join(root, 'package.json');
  const pkgText = await readText(pkgFile);
  if (pkgText === null) throw new HooksError('E_HOOKS_CONFLICT', installText.conflictPackageJson('there is no package.json (use mode "plain")'), {});
  let pkg: unknown;
  try {
    pkg = JSON.parse(pkgText);
  } catch (e) {
    throw new HooksError('E_HOOKS_CONFLICT', installText.conflictPackageJson(`it is not valid JSON (${(e as Error).message})`), {});
  }
  const pkgObj = isObject(pkg) ? pkg : {};
  const edits: { keys: string[]; value: unknown }[] = [
    { keys: ['devDependencies', 'husky'], value: HUSKY_RANGE },
    { keys: ['devDependencies', 'lint-staged'], value: LINT_STAGED_RANGE },
  ];
  // lint-staged finds `savepoint-hooks` in node_modules/.bin of every clone that ran `npm install`
  if (command.split(/\s+/)[0] === 'savepoint-hooks') edits.push({ keys: ['devDependencies', HOOKS_PACKAGE], value: HOOKS_RANGE });
  const hasDep = (name: string): boolean =>
    ['dependencies', 'devDependencies'].some((k) => isObject(pkgObj[k]) && (pkgObj[k] as JsonObject)[name] !== undefined);
  const scripts = isObject(pkgObj.scripts) ? pkgObj.scripts : {};
  if (scripts.prepare === undefined) edits.push({ keys: ['scripts', 'prepare'], value: 'husky' });
  else if (!/\bhusky\b/.test(String(scripts.prepare))) res.nextSteps.push(installText.addHuskyToPrepare);

  // Where lint-staged will read its config from: package.json, a JSON rc file, or a new .lintstagedrc.json.
  const ls = pkgObj['lint-staged'];
  if (ls !== undefined) {
    if (!isObject(ls)) throw new HooksError('E_HOOKS_CONFLICT', installText.conflictLintStagedConfig('package.json', patterns, entry.command), {});
    if (ls[patterns] !== undefined && ls[patterns] !== entry.command) {
      throw new HooksError('E_HOOKS_CONFLICT', installText.conflictLintStagedKey('package.json', patterns), {});
    }
    edits.push({ keys: ['lint-staged', patterns], value: entry.command });
  }
  let rcFile: string | null = null;
  let rcText: string | null = null;
  if (ls === undefined) {
    const other = [];
    for (const f of LINT_STAGED_FILES) if (await exists(path.join(root, f))) other.push(f);
    const jsonRc = other.find((f) => f === '.lintstagedrc.json' || f === '.lintstagedrc');
    if (other.length > 0 && !(jsonRc && other.length === 1)) {
      throw new HooksError('E_HOOKS_CONFLICT', installText.conflictLintStagedConfig(other[0] as string, patterns, entry.command), { file: other[0] });
    }
    rcFile = path.join(root, jsonRc ?? '.lintstagedrc.json');
    rcText = await readText(rcFile);
    if (rcText !== null) {
      let rc: unknown;
      try {
        rc = JSON.parse(rcText);
      } catch {
        throw new HooksError('E_HOOKS_CONFLICT', installText.conflictLintStagedConfig(path.basename(rcFile), patterns, entry.command), { file: rcFile });
      }
      if (isObject(rc) && rc[patterns] !== undefined && rc[patterns] !== entry.command) {
        throw new HooksError('E_HOOKS_CONFLICT', installText.conflictLintStagedKey(path.basename(rcFile), patterns), {});
      }
    }
  }
  const huskyWasThere = hasDep('husky');
  const pkgEdit = await addJsonKeys(root, pkgFile, edits.filter((e) => !(e.keys[0] === 'devDependencies' && hasDep(e.keys[1] as string))));
  if (pkgEdit) {
    actions.push(pkgEdit);
    res.changes.push(installText.updatedPackageJson(pkgEdit.added.map((a) => a.keys.join('.'))));
    if (!huskyWasThere && pkgEdit.added.some((a) => a.keys[1] === 'husky')) out.huskyAdded = true;
  }
  if (rcFile !== null) {
    const rcEdit = await addJsonKeys(root, rcFile, [{ keys: [patterns], value: entry.command }]);
    if (rcEdit) {
      actions.push(rcEdit);
      res.changes.push(rcText === null ? installText.createdFile(rcEdit.path) : installText.addedLintStagedKey(rcEdit.path, patterns));
    }
  }
  const hookFile = path.join(root, '.husky', 'pre-commit');
  actions.push(...(await addBlockTo(root, hookFile, huskyBlock(), '', res, { requireShell: false, skipIfRunsLintStaged: true })));
  const hp = await hooksPathConfig(root);
  if (!isHuskyHooksPath(hp) || !(await exists(path.join(root, 'node_modules', '.bin', 'savepoint-hooks')))) res.nextSteps.push(installText.runInstall);
  if (!command.startsWith('savepoint-hooks')) res.nextSteps.push(installText.makeCommandAvailable(command.split(/\s+/)[0] ?? command));
  return hookFile;
}

/**
 * The first word of `command` that names a path only this machine has (absolute, `~/…`, a drive letter), or
 * null. Quotes are removed first, so `'/usr/bin/node' '/home/me/x.js' check` is caught.
 */
export function machineSpecificPath(command: string): string | null {
  const words = command.match(/'[^']*'|"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  for (const w of words) {
    const word = w.replace(/^(['"])(.*)\1$/s, '$2');
    if (word.startsWith('/') || word.startsWith('~') || /^[A-Za-z]:[\\/]/.test(word) || word.startsWith('\\\\')) return word;
  }
  return null;
}

/**
 * Install the pre-commit check. Idempotent: a second call with the same options writes nothing.
 * What was done is recorded in `<git dir>/savepoint-hooks.json` so uninstallHooks can undo exactly it.
 */
export async function installHooks(options: InstallHooksOptions): Promise<InstallHooksResult> {
  const root = await repoRoot(options.repoDir);
  const sharedCommand = (options.command ?? DEFAULT_CHECK_COMMAND).trim();
  const localCommand = options.localCommand?.trim();
  for (const c of [sharedCommand, localCommand]) {
    if (c !== undefined && (!c || /[\n\r]/.test(c))) throw new HooksError('E_INVALID_ARGUMENT', installText.badCommand, { command: c });
  }
  const stateFile = path.join(await gitDir(root), STATE_FILE);
  const config = await loadHooksConfig(root);
  const entry = lintStagedEntry(hookPatterns(config.trackedPatterns), sharedCommand);
  const patterns = entry.glob;
  const res = { changes: [] as string[], warnings: [] as string[], nextSteps: [] as string[] };

  let state = await readState(stateFile);
  let mode: InstallMode;
  if (state && (options.mode === undefined || options.mode === 'auto' || options.mode === state.mode)) mode = state.mode;
  else mode = await chooseMode(root, options.mode, res.warnings);
  // the plain hook is this clone's own file; the husky/lint-staged config is committed and shared
  const command = mode === 'plain' ? (localCommand ?? sharedCommand) : sharedCommand;
  const machinePath = mode === 'husky' ? machineSpecificPath(sharedCommand) : null;
  if (machinePath !== null) {
    throw new HooksError('E_INVALID_ARGUMENT', installText.machinePathInSharedConfig(sharedCommand, machinePath), { command: sharedCommand, path: machinePath });
  }
  if (state && (state.mode !== mode || state.command !== command || state.patterns !== patterns)) {
    // Different settings: undo the old install first so exactly one block / one config entry exists.
    const undone = await uninstallHooks({ repoDir: root });
    res.changes.push(...undone.changes);
    res.warnings.push(...undone.warnings);
    state = null;
  }
  const prevHooksPath = state ? state.previousHooksPath : await hooksPathConfig(root);
  const actions: Action[] = [];
  let huskyAdded = state?.huskyAdded ?? false;
  let hookFile = '';
  const persist = async (): Promise<void> => {
    if (actions.length === 0) return;
    const next: InstallState = {
      schema: 1,
      mode,
      command,
      patterns,
      previousHooksPath: prevHooksPath,
      huskyAdded,
      actions: [...(state?.actions ?? []), ...actions],
    };
    await writeFile(stateFile, `${JSON.stringify(next, null, 2)}\n`);
  };

  try {
    if (mode === 'plain') {
      hookFile = path.join(await effectiveHooksDir(root), 'pre-commit');
      actions.push(...(await addBlockTo(root, hookFile, plainBlock(command), '#!/bin/sh\n', res, { requireShell: true, skipIfRunsLintStaged: false })));
    } else {
      const out = { huskyAdded };
      try {
        hookFile = await installHusky(root, command, entry, res, actions, out);
      } finally {
        huskyAdded = out.huskyAdded;
      }
    }
  } catch (e) {
    await persist(); // whatever was done before the failure can still be uninstalled
    throw e;
  }
  await persist();
  debug('install (%s): %o', mode, res.changes);
  return {
    mode,
    changed: res.changes.length > 0,
    changes: res.changes,
    warnings: res.warnings,
    nextSteps: res.nextSteps,
    hookFile,
    patterns,
    stateFile,
  };
}

/** Undo exactly what installHooks recorded; files changed since keep the user's changes. */
export async function uninstallHooks(options: { repoDir: string }): Promise<UninstallHooksResult> {
  const root = await repoRoot(options.repoDir);
  const stateFile = path.join(await gitDir(root), STATE_FILE);
  const state = await readState(stateFile);
  const changes: string[] = [];
  const warnings: string[] = [];
  if (!state) return { changed: false, changes, warnings };

  for (const a of [...state.actions].reverse()) {
    const file = fromStatePath(root, a.path);
    if (a.kind === 'block') {
      const text = await readText(file);
      const next = text === null ? null : removeBlock(text, a.inserted, a.block);
      if (next === null) {
        if (text !== null) warnings.push(installText.noBlockFound(a.path));
        continue;
      }
      await writeFile(file, next);
      changes.push(installText.removedBlock(a.path));
    } else if (a.kind === 'created-file') {
      const text = await readText(file);
      if (text === null) continue;
      if (sha256(text) === a.sha256) {
        await unlink(file);
        changes.push(installText.removedFile(a.path));
      } else {
        const next = a.block ? removeBlock(text, a.block, a.block) : null;
        if (next !== null) {
          await writeFile(file, next);
          changes.push(installText.removedBlock(a.path));
        }
        warnings.push(installText.keptChangedFile(a.path));
      }
    } else if (a.kind === 'json-edit') {
      const msg = await undoJsonEdit(root, a, warnings);
      if (msg) changes.push(msg);
    } else if (a.kind === 'created-dir') {
      if (state.huskyAdded && path.basename(file) === '.husky') {
        // `husky` (run by "prepare") generated .husky/_ and pointed core.hooksPath at it; undo that too.
        const hp = await hooksPathConfig(root);
        if (isHuskyHooksPath(hp)) {
          if (state.previousHooksPath === null) await git(['config', '--unset', 'core.hooksPath'], { cwd: root, allowFail: true });
          else await git(['config', 'core.hooksPath', state.previousHooksPath], { cwd: root });
          changes.push(installText.restoredHooksPath(state.previousHooksPath));
        }
        await rm(path.join(file, '_'), { recursive: true, force: true });
      }
      try {
        await rmdir(file);
        changes.push(installText.removedDir(a.path));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      }
    }
  }
  await unlink(stateFile);
  debug('uninstall: %o', changes);
  return { changed: changes.length > 0, changes, warnings };
}
