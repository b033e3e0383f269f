/** Building only the invoked command's part of the tree (issue 17 item 4b) must not change what the CLI does. */
import os from 'node:os';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { allCommands, commandPath } from '../examples.js';
import { createProgram, invokedCommand, main } from '../main.js';
import type { Io } from '../output.js';
import { REGISTRARS, registerCoreCommands } from './index.js';

function capture(): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const io: Io = { env: { NO_COLOR: '1' }, cwd: os.tmpdir(), stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), stdin: process.stdin };
  return { io, out: () => out, err: () => err };
}

const topNames = (program: Command) => program.commands.map((c) => [c.name(), ...c.aliases()]).flat();

describe('REGISTRARS', () => {
  it.each(REGISTRARS.map(([names, register]) => [names.join(' '), names, register] as const))('%s: the names listed are exactly the top-level commands the function adds', (_, names, register) => {
    const program = new Command('savepoint');
    register({ program, action: () => async () => {} });
    // aliases too, so a command run by its alias also gets the small tree
    expect(topNames(program)).toEqual(names);
  });

  it('together they are the whole tree, in --help order', () => {
    const whole = createProgram(capture().io).program;
    expect(whole.commands.map((c) => c.name())).toEqual(REGISTRARS.flatMap(([names]) => names));
  });

  it('every name and alias of a top-level command selects the function that registers it', () => {
    const whole = createProgram(capture().io).program;
    for (const name of topNames(whole)) {
      const program = new Command('savepoint');
      registerCoreCommands({ program, action: () => async () => {} }, name);
      expect(topNames(program)).toContain(name);
      if (name !== 'completion') expect(program.commands.length).toBeLessThan(whole.commands.length);
    }
  });

  it('an unknown word and `completion` get the whole tree', () => {
    const whole = createProgram(capture().io).program.commands.length;
    for (const only of ['lgo', 'help', 'completion', undefined]) expect(createProgram(capture().io, only).program.commands.length).toBe(whole);
  });
});

describe('invokedCommand', () => {
  it.each([
    [['log'], 'log'],
    [['log', '--json'], 'log'],
    [['--json', 'status'], 'status'],
    [['-q', '--no-color', 'save', 'a.csv'], 'save'],
    [['-C', 'vault', 'log'], 'log'],
    [['--cwd', 'log', 'status'], 'status'],
    [['--cwd=vault', 'remote', 'add'], 'remote'],
    [[], undefined],
    [['--help'], undefined],
    [['-V'], undefined],
    [['--bogus', 'log'], undefined],
    [['-Cvault', 'log'], undefined],
    [['--', 'log'], undefined],
  ] as const)('%j → %s', (argv, expected) => {
    expect(invokedCommand(argv)).toBe(expected);
  });
});

describe('the partial tree answers like the whole one', () => {
  const whole = createProgram(capture().io).program;
  const paths = allCommands(whole).map(commandPath);

  /** what the whole tree prints and returns for argv (parsed without the selection main makes) */
  async function viaWholeTree(argv: string[]): Promise<{ out: string; err: string }> {
    const c = capture();
    const { program } = createProgram(c.io);
    await program.parseAsync(argv, { from: 'user' }).catch(() => {});
    return { out: c.out(), err: c.err() };
  }

  it.each(paths)('`savepoint %s --help`', async (p) => {
    const c = capture();
    expect(await main([...p.split(' '), '--help'], c.io)).toBe(0);
    expect({ out: c.out(), err: c.err() }).toEqual(await viaWholeTree([...p.split(' '), '--help']));
  });

  // commander's message on stderr (main adds the --json document on stdout itself, whichever tree)
  it.each([['log', '--bogus'], ['show'], ['log', 'a', 'b'], ['remote', 'bogus'], ['--json', 'tag']])('usage errors: %j', async (...argv) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err()).toBe((await viaWholeTree(argv)).err);
  });
});
