/**
 * Every user-facing string of @savepoint/hooks. Problem messages say what is wrong with which file;
 * hints say how to fix it; the report says how to bypass on purpose (`git commit --no-verify`).
 */
import { formatBytes } from '@savepoint/core/format';
import type { BackupReason, SecretNameReason } from './rules/names.js';
import type { SecretFinding } from './rules/secrets.js';

export const BYPASS = 'git commit --no-verify';

export { formatBytes };

const SECRET_LABEL: Record<SecretFinding['kind'], string> = {
  'private-key': 'a private key (-----BEGIN … PRIVATE KEY-----)',
  'aws-access-key': 'an AWS access key id (AKIA…)',
  'github-token': 'a GitHub token (ghp_…)',
  'slack-token': 'a Slack token or webhook',
  assignment: 'a credential assignment',
};

const FORMAT_NAMES: Record<string, string> = { csv: 'CSV', tsv: 'TSV', json: 'JSON', xlsx: 'XLSX', sqlite: 'SQLite', text: 'text' };

export const problemText = {
  formatInvalid: (format: string, message: string) => ({
    message: `not valid ${FORMAT_NAMES[format] ?? format}: ${message}`,
    hint: 'fix the file (or save the working copy with `savepoint save`), then `git add` it again',
  }),
  tooLarge: (size: number, limit: number) => ({
    message: `${formatBytes(size)} is over the ${formatBytes(limit)} limit for files committed to git`,
    hint: 'keep big files out of the commit and use `savepoint save <file>` for their history (limit: hooks.maxFileSize in savepoint.json)',
  }),
  backup: (reason: BackupReason) => ({
    message:
      reason.kind === 'folder'
        ? `is inside a backup/archive folder (${reason.folder})`
        : reason.kind === 'archive-location'
          ? `is inside the vault's archive location (${reason.folder}/)`
          : `looks like a backup copy (${reason.pattern})`,
    hint: 'Savepoint keeps old versions for you: unstage it with `git restore --staged <file>` and use `savepoint history` / `savepoint restore`',
  }),
  secretFile: (reason: SecretNameReason) => ({
    message: reason.kind === 'env' ? 'is an environment file (.env*) that usually holds secrets' : 'is an SSH private key',
    hint: 'unstage it with `git restore --staged <file>` and add it to .gitignore (commit a .env.example instead)',
  }),
  secretContent: (f: SecretFinding) => ({
    message: `contains ${SECRET_LABEL[f.kind]}${f.key ? ` (${f.key}=…)` : ''}`,
    hint: 'remove the secret from the file (rotate it if it was ever shared), then `git add` it again',
  }),
  missing: () => ({
    message: 'does not exist in the working tree or the index',
    hint: 'check the path',
  }),
  notChecked: (reason: string) => ({
    message: `could not be checked: ${reason}`,
    hint: 'make the file readable, then try again',
  }),
};

export interface Palette {
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  bold: (s: string) => string;
  dim: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function palette(color: boolean): Palette {
  return color
    ? { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), bold: wrap(1, 22), dim: wrap(2, 22) }
    : { red: plain, green: plain, yellow: plain, bold: plain, dim: plain };
}

/** What the report needs from a CheckResult (kept structural so messages.ts imports no logic). */
export interface ReportInput {
  ok: boolean;
  files: readonly {
    path: string;
    ok: boolean;
    problems: readonly { code: string; message: string; hint: string; line?: number }[];
  }[];
  checksums: { file: string; updated: readonly { path: string }[]; staged: boolean };
}

export function formatCheckReport(result: ReportInput, opts: { color: boolean }): string {
  const c = palette(opts.color);
  const lines: string[] = [];
  if (result.ok) {
    const n = result.files.length;
    lines.push(`${c.green('✔')} savepoint: ${n} ${n === 1 ? 'file' : 'files'} checked, no problems`);
    if (result.checksums.staged && result.checksums.updated.length > 0) {
      const k = result.checksums.updated.length;
      lines.push(`  recorded sha256 of ${k} ${k === 1 ? 'file' : 'files'} in ${result.checksums.file} (staged)`);
    }
    return `${lines.join('\n')}\n`;
  }
  const bad = result.files.filter((f) => !f.ok);
  const count = bad.reduce((s, f) => s + f.problems.length, 0);
  lines.push(
    c.red(c.bold(`✖ savepoint: commit blocked — ${count} ${count === 1 ? 'problem' : 'problems'} in ${bad.length} ${bad.length === 1 ? 'file' : 'files'}`)),
    '',
  );
  for (const f of bad) {
    lines.push(`  ${c.bold(f.path)}`);
    for (const p of f.problems) {
      const where = p.line !== undefined ? `line ${p.line}: ` : '';
      lines.push(`    ${c.red('✖')} ${where}${p.message} ${c.dim(`[${p.code}]`)}`);
      lines.push(`      ${c.dim('→')} ${p.hint}`);
    }
  }
  lines.push(
    '',
    'Nothing was committed; your files and the staging area are unchanged.',
    `To commit anyway on purpose: ${c.yellow(BYPASS)}`,
  );
  return `${lines.join('\n')}\n`;
}

export const cliText = {
  usage: `Usage: savepoint-hooks <command> [options]

Commands:
  check [files…]       check files about to be committed (what the pre-commit hook runs)
      --stdin0         read NUL-separated paths from stdin (implies --filter)
      --filter         only check tracked data files and secret-looking names; skip the rest
      --no-checksums   do not update or stage checksums.txt
      --json           print the result as JSON
  install              install the pre-commit hook (husky + lint-staged when there is a package.json)
      --command <cmd>  command the hook runs (default: "savepoint-hooks check"); husky mode commits it, so no absolute paths
      --local-command <cmd>  command for a plain hook only (.git/hooks, this clone), may name local paths
      --mode <m>       auto | husky | plain (default: auto)
  uninstall            remove exactly what install added

Bypass the hook for one commit on purpose: ${BYPASS}
`,
  unknownCommand: (cmd: string) => `savepoint-hooks: unknown command "${cmd}". Run \`savepoint-hooks --help\`.`,
  unknownOption: (opt: string) => `savepoint-hooks: unknown option "${opt}". Run \`savepoint-hooks --help\`.`,
  missingValue: (opt: string) => `savepoint-hooks: option ${opt} needs a value.`,
  nothingToCheck: 'savepoint: no data files to check',
  error: (code: string, message: string) => `savepoint-hooks: ${message} [${code}]`,
  installed: (mode: string, changes: readonly string[]) =>
    changes.length === 0
      ? `savepoint: pre-commit hook already installed (${mode}); nothing changed`
      : `savepoint: installed the pre-commit hook (${mode}):\n${changes.map((x) => `  ${x}`).join('\n')}`,
  uninstalled: (changes: readonly string[]) =>
    changes.length === 0
      ? 'savepoint: no pre-commit hook installed by savepoint; nothing changed'
      : `savepoint: removed the pre-commit hook:\n${changes.map((x) => `  ${x}`).join('\n')}`,
  nextSteps: (steps: readonly string[]) => (steps.length ? `Next:\n${steps.map((s) => `  ${s}`).join('\n')}` : ''),
  warnings: (ws: readonly string[]) => ws.map((w) => `warning: ${w}`).join('\n'),
};

export const installText = {
  createdFile: (f: string) => `created ${f}`,
  appendedTo: (f: string) => `added the savepoint block to ${f}`,
  updatedPackageJson: (what: readonly string[]) => `package.json: added ${what.join(', ')}`,
  addedLintStagedKey: (file: string, key: string) => `${file}: added "${key}"`,
  removedFile: (f: string) => `removed ${f}`,
  removedBlock: (f: string) => `removed the savepoint block from ${f}`,
  restoredFile: (f: string) => `restored ${f}`,
  removedPackageJson: (what: readonly string[]) => `package.json: removed ${what.join(', ')}`,
  removedLintStagedKey: (file: string, key: string) => `${file}: removed "${key}"`,
  removedDir: (d: string) => `removed empty ${d}/`,
  runInstall: 'run `npm install` (its "prepare": "husky" script activates .husky/ hooks)',
  makeCommandAvailable: (cmd: string) => `make sure \`${cmd}\` runs in this repo (e.g. npm i -D @savepoint/hooks, or install the savepoint CLI)`,
  machinePathInSharedConfig: (cmd: string, p: string) =>
    `"${cmd}" names ${p}, a path on this machine only, but in husky mode the command goes into the committed lint-staged config, so teammates' commits would fail. Use a command every clone has after \`npm install\`: the default \`savepoint-hooks check\` (install adds @savepoint/hooks to devDependencies), or use --mode plain for a hook in this clone only.`,
  hookEndsWithExit: (f: string) => `${f} ends with \`exit\`; the savepoint block was inserted before it so it still runs`,
  hookNotExecutable: (f: string) => `${f} is not executable, so git will not run it (chmod +x ${f})`,
  lintStagedAlreadyInHook: (f: string) => `${f} already runs lint-staged; not adding a second call`,
  conflictNonShellHook: (f: string, interp: string) =>
    `${f} is a ${interp} script, so a shell block cannot be appended to it. Call \`savepoint-hooks check --stdin0\` from it yourself (pipe \`git diff --cached --name-only --diff-filter=ACM -z\` into it), or remove it and run install again.`,
  conflictLintStagedConfig: (f: string, key: string, cmd: string) =>
    `lint-staged is configured in ${f}, which savepoint cannot edit safely. Add "${key}": "${cmd}" to it yourself, then run install again with --mode husky.`,
  conflictLintStagedKey: (f: string, key: string) =>
    `${f} already maps "${key}" to another command. Add the savepoint check to that entry yourself, or rename it.`,
  conflictPackageJson: (reason: string) => `package.json cannot be updated: ${reason}. Fix package.json and run install again.`,
  huskyOverridesHooksPath: (p: string) =>
    `core.hooksPath is set to ${p}, so husky would replace your hooks; installing a plain git hook there instead`,
  addHuskyToPrepare: 'add `husky` to your "prepare" script (or run `npx husky` once)',
  noBlockFound: (f: string) => `no savepoint block found in ${f}; left it as it is`,
  keptChangedFile: (f: string) => `${f} was changed after install, so it was kept (without the savepoint block)`,
  jsonNowInvalid: (f: string, keys: readonly string[]) => `${f} is no longer valid JSON; remove ${keys.join(', ')} by hand`,
  restoredHooksPath: (prev: string | null) => (prev === null ? 'unset core.hooksPath (set by husky)' : `restored core.hooksPath to ${prev}`),
  badCommand: 'The hook command must be one non-empty line of shell text.',
  stateDamaged: (f: string) => `${f} is damaged. Delete it and remove the savepoint block from your pre-commit hook by hand.`,
  huskyWouldHideHook: (p: string) =>
    `${p} already exists and husky would stop git running it; installing a plain git hook there instead`,
};

export const errorText = {
  outsideRepo: (file: string, root: string) => `${file} is outside the repository at ${root}. Pass files inside it.`,
  gitFailed: (args: readonly string[], stderr: string) => `git ${args.join(' ')} failed: ${stderr.trim()}`,
  gitMissing: (reason: string) => `Could not run git (${reason}). Is git installed and on PATH?`,
  notARepo: (dir: string) => `${dir} is not inside a git work tree. Run this in your repository (or \`git init\` first).`,
  locked: (lock: string) => `${lock} exists: another savepoint check is running, or one crashed. If none is running, delete it and retry.`,
  badMaxFileSize: (value: unknown, file: string) =>
    `hooks.maxFileSize must be a positive number of bytes or a size like "50MB" (got ${JSON.stringify(value)}). Fix ${file}.`,
  badConfigKey: (file: string, key: string, problem: string) => `${file}: invalid value for "${key}": ${problem}. Fix ${file} and try again.`,
  configNotJson: (file: string, reason: string) => `${file} is not valid JSON (${reason}). Fix it and try again.`,
};
