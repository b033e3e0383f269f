/** `savepoint completion bash|zsh|fish`: a completion script generated from this program's command tree. */
import type { Registrar } from '../context.js';
import { SHELLS, completionScript, type Shell } from '../completion.js';

export function registerCompletion({ program, action }: Registrar): void {
  program
    .command('completion')
    .argument('<shell>', SHELLS.join(', '))
    .description('print a shell completion script for commands, subcommands and options (bash, zsh, fish)')
    .action(
      action(async (ctx, shell: string) => {
        if (!(SHELLS as readonly string[]).includes(shell)) {
          throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', `No completion for "${shell}": use one of ${SHELLS.join(', ')} (e.g. savepoint completion bash > ~/.local/share/bash-completion/completions/savepoint).`, { shell });
        }
        const script = completionScript(shell as Shell, program);
        // the script is the output asked for, so --quiet does not hide it
        if (ctx.out.json) ctx.out.emitJson({ ok: true, shell, script });
        else ctx.io.stdout.write(script);
      }),
    );
}
