/** `savepoint tui` (and a bare `savepoint` in a terminal): the interactive app. Ink/React load only here. */
import type { Registrar } from '../context.js';
import { remoteAuthFromEnv } from './remote.js';

export function registerTui({ program, action }: Registrar): void {
  program
    .command('tui')
    .description('browse files, history, diffs and checksums in an interactive terminal app (restore, verify, retention)')
    .action(
      action(async (ctx) => {
        const vault = await ctx.vault();
        // React picks its (slower, warning-checking) development build from NODE_ENV when it first loads
        process.env.NODE_ENV ??= 'production';
        const { renderApp } = await import('@savepoint/tui');
        const app = renderApp({
          dir: vault.dir,
          vault,
          stdin: ctx.io.stdin as NodeJS.ReadStream,
          stdout: ctx.io.stdout as NodeJS.WriteStream,
          stderr: ctx.io.stderr as NodeJS.WriteStream,
          color: ctx.out.color,
          // pushing from the app uses the same credentials as `savepoint push` (env, git credential helpers)
          remoteAuth: remoteAuthFromEnv(ctx.io.env),
        });
        await app.waitUntilExit();
        return 0;
      }),
    );
}
