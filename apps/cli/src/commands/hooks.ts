/** `savepoint hooks install|uninstall|check …`: the pre-commit checks of @savepoint/hooks. */
import type { Registrar } from '../context.js';

export function registerHooks({ program, action }: Registrar): void {
  program
    .command('hooks')
    .description('pre-commit checks for data files (husky + lint-staged, or a plain git hook): install | uninstall | check <files…>')
    .argument('[args...]', 'install [--mode auto|husky|plain] [--command CMD] | uninstall | check [--stdin0] [--filter] [--no-checksums] <files…>')
    .allowUnknownOption()
    .helpOption(false)
    .action(
      action(async (ctx, args: string[] = []) => {
        const { runHooksCli } = await import('@savepoint/hooks');
        const argv = [...args];
        // the global --json was taken by the program; hand it on
        if (ctx.out.json && !argv.includes('--json')) argv.push('--json');
        // hooks installed from here run this same command
        if (argv[0] === 'install' && !argv.includes('--command')) argv.push('--command', 'savepoint hooks check');
        return runHooksCli(argv, { cwd: ctx.cwd, stdin: ctx.io.stdin, stdout: ctx.io.stdout, stderr: ctx.io.stderr, color: ctx.out.color });
      }),
    );
}
