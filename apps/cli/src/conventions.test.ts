/** Help and completion conventions, for every command in the tree (issue 18). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { completionScript } from './completion.js';
import { EXAMPLES, allCommands, commandPath } from './examples.js';
import { createProgram, main } from './main.js';
import type { Io } from './output.js';

function capture(): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const io: Io = {
    env: { NO_COLOR: '1' },
    cwd: os.tmpdir(),
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    stdin: process.stdin,
  };
  return { io, out: () => out, err: () => err };
}

const program = createProgram(capture().io).program;
const paths = allCommands(program).map(commandPath);

describe('help', () => {
  it('knows every command', () => {
    expect(paths.length).toBeGreaterThan(40);
    expect(paths).toEqual(expect.arrayContaining(['init', 'save', 'log', 'remote add', 'retention plan', 'schedule status', 'completion']));
  });

  it.each(['', ...paths])('`savepoint %s --help` ends with two or three examples', async (p) => {
    const c = capture();
    expect(await main([...(p ? p.split(' ') : []), '--help'], c.io)).toBe(0);
    const help = c.out();
    const section = help.slice(help.lastIndexOf('\nExamples:\n'));
    expect(section, help).toMatch(/^\nExamples:\n/);
    const examples = section.split('\n').filter((l) => l.startsWith('  $ '));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    // each example runs the command it documents
    for (const e of examples) expect(e).toMatch(new RegExp(`\\bsavepoint (-C \\S+ )?${p.replace(/ /g, ' ')}\\b`));
    // the section is the end of the help: examples and their comments only
    expect(section.split('\n').slice(2).filter((l) => l !== '' && !/^  [$#] /.test(l))).toEqual([]);
  });

  it('no examples for commands that do not exist', () => {
    expect(Object.keys(EXAMPLES).filter((k) => k !== '' && !paths.includes(k))).toEqual([]);
  });

  it.each(paths.filter((p) => allCommands(program).find((c) => commandPath(c) === p)!.commands.length > 0).concat('hooks'))(
    '`savepoint %s` without a subcommand prints help to stderr and exits 2',
    async (p) => {
      const c = capture();
      expect(await main(p.split(' '), c.io)).toBe(2);
      expect(c.err()).toMatch(/Usage: savepoint/);
      expect(c.out()).toBe('');
    },
  );
});

describe('completion', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sp-completion-'));
  const bashFile = path.join(dir, 'savepoint.bash');
  writeFileSync(bashFile, completionScript('bash', program));
  /** the words after `savepoint` → what bash's completion function offers for the last one */
  const complete = (...words: string[]) => {
    const script = `source '${bashFile}'; COMP_WORDS=(savepoint ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _savepoint; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean).sort();
  };

  it('bash: the script is valid and registered for savepoint', () => {
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `source '${bashFile}' && complete -p savepoint`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('-F _savepoint savepoint');
  });

  it('bash: commands, subcommands (with aliases) and options come from the command tree', () => {
    expect(complete('re')).toEqual(['reindex', 'remote', 'repair', 'restore', 'retention']);
    expect(complete('')).toEqual(program.commands.filter((c) => c.name() !== 'help').map((c) => c.name()).sort());
    expect(complete('remote', '')).toEqual(['add', 'list', 'remove', 'rm']);
    // the program's options are accepted after any command
    expect(complete('remote', 'rm', '--')).toEqual(['--cwd', '--help', '--json', '--no-color', '--quiet', '--version']);
    expect(complete('log', '--li')).toEqual(['--limit']);
    expect(complete('--json', 'schedule', 'st')).toEqual(['status']);
    expect(complete('retention', 'apply', '-')).toEqual(expect.arrayContaining(['--keep-last', '-y', '--yes', '--json', '-q']));
    // a command without subcommands leaves the word to bash's default (file names)
    expect(complete('save', 'da')).toEqual([]);
  });

  it('zsh and fish scripts name every command and subcommand', () => {
    const zsh = completionScript('zsh', program);
    const fish = completionScript('fish', program);
    expect(zsh.startsWith('#compdef savepoint\n')).toBe(true);
    for (const p of paths) {
      const name = p.split(' ').at(-1)!;
      expect(zsh, p).toContain(`'${p}') echo`);
      expect(fish, p).toContain(`-a '${name}'`);
    }
    expect(fish).toContain("complete -c savepoint -n '__fish_seen_subcommand_from log' -l limit -s n -r -F");
    for (const [shell, text] of [['zsh', zsh], ['fish', fish]] as const) {
      // syntax check where the shell is installed
      if (spawnSync(shell, ['--version']).status !== 0) continue;
      const f = path.join(dir, `savepoint.${shell}`);
      writeFileSync(f, text);
      const r = spawnSync(shell, ['-n', f], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
  });
});
