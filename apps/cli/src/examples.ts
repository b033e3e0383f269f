/**
 * Two or three examples at the end of every command's --help, keyed by command path ('' is the program itself).
 * conventions.test.ts fails when a command has none, so a new command brings its examples along.
 */
import type { Command } from 'commander';

export const EXAMPLES: Record<string, readonly (readonly [command: string, what: string])[]> = {
  '': [
    ['savepoint init', 'make a vault in this folder'],
    ['savepoint save data.csv -m "cleaned outliers"', 'save a version'],
    ['savepoint log data.csv', 'its history, newest first'],
  ],
  init: [
    ['savepoint init', 'this folder (inside a code repo, history goes to the "savepoint" branch)'],
    ['savepoint init results --md5', 'a new folder, also recording md5 checksums'],
  ],
  save: [
    ['savepoint save data.csv -m "cleaned outliers"', 'save one file'],
    ['savepoint save raw.csv params.json -e run-42', 'two files in one save, linked to an experiment'],
    ['savepoint save results.xlsx --check -t submitted', 'refuse a file that does not parse; tag the save'],
  ],
  log: [
    ['savepoint log', 'every saved version, newest first'],
    ['savepoint log data.csv -n 5', 'the last five versions of one file'],
    ['savepoint log --experiment run-42 --json', 'versions of an experiment, as JSON'],
  ],
  experiments: [
    ['savepoint experiments', 'every experiment id with its files and saves'],
    ['savepoint experiments --json', 'the same, as JSON'],
  ],
  find: [
    ['savepoint find --sha256 9f86d081…', 'which version has this content'],
    ['savepoint find data.csv --since 2026-05-01 --kind auto', 'automatic saves of a file since a date'],
  ],
  reindex: [
    ['savepoint reindex', 'rebuild the catalog after copying a vault by hand'],
    ['savepoint reindex --json', 'the same, with counts as JSON'],
  ],
  show: [
    ['savepoint show data.csv@3', 'size, checksums, commit and tags of version 3'],
    ['savepoint show data.csv@latest --json', 'the newest version, as JSON'],
  ],
  status: [
    ['savepoint status', 'tracked files: new, modified, unchanged, missing'],
    ['savepoint status --copies', 'where each version has copies (archives, remotes)'],
  ],
  tag: [
    ['savepoint tag data.csv@3', 'tag version 3 as sp/data.csv/v3 (kept by retention)'],
    ['savepoint tag data.csv@latest submitted -m "as sent to the journal"', 'a named tag with a message'],
  ],
  export: [
    ['savepoint export', 'write checksums.txt and manifest.json at the vault root'],
    ['savepoint export -o /media/usb/lab --encrypt', 'write them encrypted into another folder'],
  ],
  cat: [
    ['savepoint cat data.csv@3 > old.csv', 'version 3 to a file of your choice'],
    ['savepoint cat data.csv@-1 | head', 'the previous version'],
  ],
  restore: [
    ['savepoint restore data.csv@3', 'put version 3 back (the current file is saved first if unsaved)'],
    ['savepoint restore data.csv@2026-05-01 --to data-may.csv', 'the version of a date, into another file'],
    ['savepoint restore --all @submitted', 'every tracked file as it was at a tag'],
  ],
  verify: [
    ['savepoint verify', 're-hash every stored version and archive'],
    ['savepoint verify data.csv --json', 'one file, with the report as JSON'],
  ],
  repair: [
    ['savepoint repair --dry-run', 'what could be fixed, and from where'],
    ['savepoint repair', 'fix damaged versions from a remote or archive'],
  ],
  hooks: [
    ['savepoint hooks install', 'add the pre-commit check to this code repository'],
    ['savepoint hooks check data/*.csv', 'check files as the hook would'],
    ['savepoint hooks uninstall', 'remove exactly what install added'],
  ],
  watch: [
    ['savepoint watch', 'save tracked files when they change, until Ctrl-C'],
    ['savepoint watch data --debounce 5000 --json', 'one folder, 5 s quiet time, one JSON event per line'],
  ],
  diff: [
    ['savepoint diff data.csv', 'latest save vs the working file'],
    ['savepoint diff data.csv@2 data.csv@5 --key id', 'two versions, rows matched by the id column'],
    ['savepoint diff --all @submitted @latest --stat', 'every tracked file between two moments, counts only'],
  ],
  compact: [
    ['savepoint compact', 'pack loose versions with deltas between them'],
    ['savepoint compact --if-over 100', 'only when loose objects exceed 100 MB'],
  ],
  tui: [
    ['savepoint tui', 'browse files, history and diffs (also: savepoint with no arguments)'],
    ['savepoint -C ~/lab/vault tui', 'the app for another vault'],
  ],
  completion: [
    ['savepoint completion bash > ~/.local/share/bash-completion/completions/savepoint', 'bash'],
    ['savepoint completion zsh > "${fpath[1]}/_savepoint"', 'zsh'],
    ['savepoint completion fish > ~/.config/fish/completions/savepoint.fish', 'fish'],
  ],
  remote: [
    ['savepoint remote add nas /media/nas/lab.git --media nas', 'a copy on a mounted disk'],
    ['savepoint remote list', 'remotes with their last push and fetch'],
  ],
  'remote add': [
    ['savepoint remote add nas /media/nas/lab.git --media nas', 'a folder on a mounted disk'],
    ['savepoint remote add offsite ssh://me@backup.example.org/srv/lab.git --auto-push', 'ssh, pushed after every save'],
    ['savepoint remote add cloud s3://bucket/lab --region eu-west-1 --encrypt', 'an S3 bucket, encrypted'],
  ],
  'remote list': [
    ['savepoint remote list', 'media, off-site flag, auto-push, last push/fetch'],
    ['savepoint remote list --json', 'the same, as JSON'],
  ],
  'remote remove': [
    ['savepoint remote remove nas', 'forget a remote (the copy itself stays)'],
    ['savepoint remote remove nas --json', 'the same, reporting as JSON (alias: remote rm)'],
  ],
  push: [
    ['savepoint push', 'to every remote'],
    ['savepoint push nas', 'to one remote'],
  ],
  fetch: [
    ['savepoint fetch', 'from every remote'],
    ['savepoint fetch nas', 'from one remote'],
  ],
  pull: [
    ['savepoint pull nas', 'fetch, then fast-forward the history branch'],
    ['savepoint pull', 'from the only remote, or origin'],
  ],
  clone: [
    ['savepoint clone /media/nas/lab.git lab', 'a new vault from a remote'],
    ['savepoint clone s3://bucket/lab lab --region eu-west-1', 'from an S3 bucket'],
  ],
  retention: [
    ['savepoint retention plan', 'which versions would move into archives, and why'],
    ['savepoint retention apply --keep-last 5 -y', 'apply a policy without asking'],
  ],
  'retention plan': [
    ['savepoint retention plan', 'the plan for the configured policy'],
    ['savepoint retention plan --keep-within 30d --monthly 12', 'the plan for another policy'],
  ],
  'retention apply': [
    ['savepoint retention apply', 'show the plan, then apply it when you confirm'],
    ['savepoint retention apply --keep-last 5 -y', 'apply without asking (scripts)'],
  ],
  'retention expiring': [
    ['savepoint retention expiring', 'versions leaving the history within 7 days'],
    ['savepoint retention expiring --within 30d --json', 'within 30 days, as JSON'],
  ],
  archive: [
    ['savepoint archive data.csv@3', 'archive one version by hand (same as archive add)'],
    ['savepoint archive list', 'list archives'],
  ],
  'archive add': [
    ['savepoint archive add data.csv@3', 'archive version 3'],
    ['savepoint archive add data.csv@submitted --force', 'a tagged version too'],
  ],
  'archive list': [
    ['savepoint archive list', 'archives with their versions and sizes'],
    ['savepoint archive list --json', 'the same, as JSON'],
  ],
  'archive verify': [
    ['savepoint archive verify', 'check every archive against its checksums'],
    ['savepoint archive verify --json', 'the report as JSON'],
  ],
  maintain: [
    ['savepoint maintain --dry-run', 'what maintenance would do'],
    ['savepoint maintain --full', 'maintenance with a restoration test of every version'],
  ],
  schedule: [
    ['savepoint schedule install --every 1h', 'run maintain every hour'],
    ['savepoint schedule status', 'the installed timer and its last run'],
  ],
  'schedule install': [
    ['savepoint schedule install', 'hourly (systemd user timer, else cron)'],
    ['savepoint schedule install --daily 02:30 --method cron', 'nightly, with cron'],
  ],
  'schedule remove': [
    ['savepoint schedule remove', 'remove the timer or crontab line'],
    ['savepoint schedule remove --json', 'the same, reporting as JSON'],
  ],
  'schedule status': [
    ['savepoint schedule status', 'the installed timer and its last run'],
    ['savepoint schedule status --json', 'the same, as JSON'],
  ],
  metrics: [
    ['savepoint metrics', 'Prometheus text on stdout (node_exporter textfile collector)'],
    ['savepoint metrics --serve 127.0.0.1:9464', 'serve /metrics until Ctrl-C'],
  ],
  decrypt: [
    ['savepoint decrypt checksums.txt.enc -o checksums.txt', 'decrypt an exported file'],
    ['SAVEPOINT_KEY_FILE=~/.lab.key savepoint decrypt manifest.json.enc', 'key from a file, output to stdout'],
  ],
  doctor: [
    ['savepoint doctor', 'look for stale locks, temp files, drift and permission problems'],
    ['savepoint doctor --fix', 'fix what can be fixed safely'],
  ],
  audit: [
    ['savepoint audit', 'who changed or exported what, and when'],
    ['savepoint audit --since 7d --json', 'the last week, as JSON'],
  ],
};

/** The Examples section printed after a command's help. */
export function examplesText(path: string): string {
  const list = EXAMPLES[path];
  if (!list) return '';
  const width = Math.max(...list.map(([c]) => c.length));
  const fits = width <= 48;
  return `\nExamples:\n${list.map(([c, what]) => (fits ? `  $ ${c.padEnd(width)}  # ${what}` : `  # ${what}\n  $ ${c}`)).join('\n')}\n`;
}

/** Command path without the program name: 'remote add'. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Every command below `program` (depth first), without commander's implicit `help` command. */
export function allCommands(program: Command): Command[] {
  const out: Command[] = [];
  const walk = (c: Command) => {
    for (const sub of c.commands) {
      if (sub.name() === 'help') continue;
      out.push(sub);
      walk(sub);
    }
  };
  walk(program);
  return out;
}

/** Attach each command's examples to its help (a command without examples is caught by the tests). */
export function addExamples(program: Command): void {
  for (const cmd of [program, ...allCommands(program)]) {
    const text = examplesText(commandPath(cmd));
    if (text) cmd.addHelpText('after', text);
  }
}

/** The --json document of a command group run without its subcommand (the help went to stderr). */
export function usageError(path: string): { ok: false; error: { code: 'E_USAGE'; message: string; details: { command: string } } } {
  return { ok: false, error: { code: 'E_USAGE', message: `savepoint ${path} needs a subcommand: see \`savepoint ${path} --help\`.`, details: { command: path } } };
}
