/** `savepoint hooks install|uninstall|check …`: the pre-commit checks of @savepoint/hooks. */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { Registrar } from '../context.js';
import { msg, usageMsg } from '../messages.js';
import { examplesText, usageError } from '../examples.js';
import { EXIT } from '../exit-codes.js';

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      await access(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

async function hookCommand(env: NodeJS.ProcessEnv): Promise<string> {
  if (await onPath('savepoint', env)) return 'savepoint hooks check';
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `${quote(process.execPath)} ${quote(process.argv[1] ?? 'savepoint')} hooks check`;
}

export function registerHooks({ program, action }: Registrar): void {
  program
    .command('hooks')
    .description('pre-commit checks for data files (husky + lint-staged, or a plain git hook): install | uninstall | check <files…>')
    .argument('[args...]', 'install [--mode auto|husky|plain] [--command CMD] | uninstall | check [--stdin0] [--filter] [--no-checksums] <files…>')
    .allowUnknownOption()
    .helpOption(false)
    .action(
      action(async (ctx, args: string[] = []) => {
        const argv = [...args];
        const sub = argv[0];
        // asked for: help on stdout; no subcommand: help on stderr and a usage error, like the other command groups
        if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
          (sub === undefined ? ctx.io.stderr : ctx.io.stdout).write(msg.hooksUsage + examplesText('hooks'));
          if (sub === undefined && ctx.out.json) ctx.out.emitJson(usageError('hooks'));
          return sub === undefined ? EXIT.usage : EXIT.ok;
        }
        if (!['install', 'uninstall', 'check'].includes(sub)) {
          throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', usageMsg.notHooksCommand(sub), { command: sub });
        }
        const { runHooksCli } = await import('@savepoint/hooks');
        // the global --json was taken by the program; hand it on
        if (ctx.out.json && !argv.includes('--json')) argv.push('--json');
        // A plain hook (.git/hooks: this clone only) runs this same program: `savepoint` when it is on PATH, else
        // this exact node + script, so it works without a global install. Husky mode commits its lint-staged
        // config, so it keeps the portable default `savepoint-hooks check` (from node_modules/.bin of every clone).
        if (argv[0] === 'install' && !argv.includes('--command') && !argv.includes('--local-command')) argv.push('--local-command', await hookCommand(ctx.io.env));
        // --quiet: the report of a passing check and install's summary go; a blocked commit and errors stay (stderr)
        const stdout = ctx.out.quiet && !ctx.out.json ? { write: () => true } : ctx.io.stdout;
        return runHooksCli(argv, { cwd: ctx.cwd, stdin: ctx.io.stdin, stdout, stderr: ctx.io.stderr, color: ctx.out.color });
      }),
    );
}
