/** The savepoint command: builds the commander program and runs it. Only this app exits or reads env. */
import path from 'node:path';
import { keyProviderFromEnv } from './passphrase.js';
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import type { Io } from './output.js';
import { createOutput } from './output.js';
import type { CommandContext, Core, Registrar } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { msg } from './messages.js';
import { registerCoreCommands } from './commands/index.js';
import { addExamples, commandPath, usageError } from './examples.js';

/** The version is the package's own: dist/main.js and the bundle's chunks both sit one folder below package.json. */
function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
  return pkg.version;
}

let corePromise: Promise<Core> | null = null;
let loadedCore: Core | null = null;
/** @savepoint/core (and isomorphic-git behind it) load only when a command needs them. */
function loadCore(): Promise<Core> {
  corePromise ??= import('@savepoint/core').then((m) => (loadedCore = m));
  return corePromise;
}

let interruptHandler: (() => void) | null = null;

// --- audit log (issue 13 item 5): commands that change the vault or read it for export -------------------
/** Command paths (`retention apply`) whose every run appends one line to .git/savepoint/audit.log. */
export const AUDITED_COMMANDS = new Set([
  'init', 'save', 'restore', 'tag', 'export', 'cat', 'compact', 'verify', 'repair', 'maintain', 'watch',
  'retention apply', 'remote add', 'remote remove', 'remote push', 'remote fetch', 'remote pull',
  'schedule install', 'schedule remove', 'hooks', 'doctor --fix',
]);

// ----------------------------------------------------------------------------------------------------------

/**
 * On Ctrl-C: a command that took over the signal (watch) gets it once and returns true; otherwise remove
 * the temp files and locks core registered (the user's files are never written in place) and return false.
 */
export function interrupted(): boolean {
  const handler = interruptHandler;
  interruptHandler = null;
  if (handler) {
    handler();
    return true;
  }
  loadedCore?.cleanupNow();
  return false;
}

function authorFromEnv(env: NodeJS.ProcessEnv): { name: string; email: string } | undefined {
  const name = env.SAVEPOINT_AUTHOR_NAME ?? env.GIT_AUTHOR_NAME;
  const email = env.SAVEPOINT_AUTHOR_EMAIL ?? env.GIT_AUTHOR_EMAIL;
  return name && email ? { name, email } : undefined;
}

/** SAVEPOINT_NOW (ISO date) pins the clock, for reproducible demos and tests. */
function clockFromEnv(env: NodeJS.ProcessEnv): (() => Date) | undefined {
  const fixed = env.SAVEPOINT_NOW;
  if (!fixed) return undefined;
  const ms = Date.parse(fixed);
  if (Number.isNaN(ms)) return undefined;
  let tick = 0;
  // advance one second per call so successive saves keep their order
  return () => new Date(ms + 1000 * tick++);
}

/**
 * The command word of argv when nothing but the program's own options (--json, --no-color, -q, -C <dir>) comes
 * before it; otherwise undefined (help, version, a misspelt option: those need the whole tree).
 */
export function invokedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-C' || a === '--cwd') i++;
    else if (a === '--json' || a === '--no-color' || a === '-q' || a === '--quiet' || a.startsWith('--cwd=')) continue;
    else return a.startsWith('-') ? undefined : a;
  }
  return undefined;
}

/**
 * The command tree, ready to parse: `exitCode()` is the code of the command that ran. Tests and
 * `savepoint completion` walk the same tree. With `only` (the command about to run, see invokedCommand) just
 * that command's part of the tree is built; its parsing, help and errors are the same as in the whole tree.
 */
export function createProgram(io: Io, only?: string): { program: Command; exitCode(): number } {
  let exitCode: number = EXIT.ok;
  const program = new Command('savepoint');
  program
    .description(msg.programDescription)
    .version(packageVersion(), '-V, --version')
    .option('--json', 'print machine-readable JSON')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'print nothing but errors (data asked for, such as cat, still goes to stdout)')
    .option('-C, --cwd <dir>', 'run as if started in <dir>')
    .showHelpAfterError('(run `savepoint --help` or `savepoint <command> --help` for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // usage errors read like every other error: `error [E_USAGE] unknown command 'x'`
      outputError: (s, write) => write(s.replace(/^error: /, 'error [E_USAGE] ')),
    });

  const registrar: Registrar = {
    program,
    action(handler) {
      return async (...args: unknown[]) => {
        const cmd = args[args.length - 1] as Command;
        const g = cmd.optsWithGlobals() as { json?: boolean; color?: boolean; quiet?: boolean; cwd?: string };
        const out = createOutput(io, { json: !!g.json, color: g.color !== false, quiet: !!g.quiet });
        const cwd = g.cwd ? path.resolve(io.cwd, g.cwd) : io.cwd;
        let vaultPromise: ReturnType<CommandContext['vault']> | null = null;
        const versions: string[] = [];
        const ctx: CommandContext = {
          out,
          io,
          cwd,
          core: await loadCore(),
          vault() {
            vaultPromise ??= ctx.core.openVault({ dir: cwd, ...(clockFromEnv(io.env) ? { clock: clockFromEnv(io.env)! } : {}), ...(authorFromEnv(io.env) ? { author: authorFromEnv(io.env)! } : {}), key: keyProviderFromEnv(io, ctx.core.SavepointError) });
            return vaultPromise;
          },
          onProgress: (e) => out.progress(e.phase, e.loaded, e.total, e.item),
          onInterrupt: (handler) => {
            interruptHandler = handler;
          },
          auditVersions: (...v) => void versions.push(...v),
        };
        const name = commandPath(cmd);
        const audited = AUDITED_COMMANDS.has(name) || (name === 'doctor' && (cmd.opts() as { fix?: boolean }).fix === true);
        let failure: { code: string; message: string } | null = null;
        const onSave = (e: { versions?: { path: string; version: number }[] }) => versions.push(...(e.versions ?? []).map((v) => `${v.path}@${v.version}`));
        if (audited && name !== 'init') void ctx.vault().then((v) => v.events.on('save', onSave), () => {});
        try {
          const code = await (handler as (c: CommandContext, ...a: unknown[]) => Promise<number | void>)(ctx, ...args.slice(0, -1));
          exitCode = code ?? EXIT.ok;
        } catch (e) {
          out.endProgress();
          exitCode = reportError(e, out);
          const err = e as { code?: string; message?: string };
          failure = { code: typeof err?.code === 'string' && err.code.startsWith('E_') ? err.code : 'E_INTERNAL', message: err?.message ?? String(e) };
        } finally {
          out.endProgress();
        }
        // --quiet: a failed command still says why (verify's list of damaged versions …); differences found by
        // `diff --exit-code` are its answer, not a failure
        if (exitCode !== EXIT.ok && !(name === 'diff' && exitCode === EXIT.problems)) out.releaseHeld();
        if (audited) await writeAuditLine(ctx, name === 'doctor' ? 'doctor --fix' : name, args.slice(0, -2), versions, exitCode, failure);
      };
    },
  };
  registerCoreCommands(registrar, only);
  addExamples(program);
  return { program, exitCode: () => exitCode };
}

export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 && io.stdin.isTTY && io.stdout.isTTY && !io.env.CI) {
    argv = ['tui'];
  }
  const { program, exitCode } = createProgram(io, invokedCommand(argv));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      // `savepoint help` is asked for; a command group without its subcommand (`savepoint remote`) is a usage error
      if (e.code === 'commander.help') {
        if (e.exitCode === 0) return EXIT.ok;
        if (argv.includes('--json')) io.stdout.write(JSON.stringify(usageError(argv.filter((a) => !a.startsWith('-')).join(' ')), null, 2) + '\n');
        return EXIT.usage;
      }
      if (argv.includes('--json')) io.stdout.write(JSON.stringify({ ok: false, error: { code: 'E_USAGE', message: e.message.replace(/^error: /, '') } }, null, 2) + '\n');
      return EXIT.usage;
    }
    throw e;
  }
  return exitCode();
}

/** Best effort: a vault that cannot be opened or written (read-only media) gets no line; the command's result stands. */
async function writeAuditLine(ctx: CommandContext, command: string, operands: unknown[], versions: string[], exitCode: number, failure: { code: string; message: string } | null): Promise<void> {
  try {
    const vault = await ctx.vault();
    const paths = operands.flat().filter((a): a is string => typeof a === 'string');
    const result = failure ? failure.code : exitCode === EXIT.ok ? 'ok' : `exit ${exitCode}`;
    await ctx.core.appendAudit(vault.gitdir, ctx.core.auditEntry({ command, paths, versions: [...new Set(versions)], result, ...(failure ? { message: failure.message } : {}) }));
  } catch {
    // not a vault (yet), or .git not writable: nothing to record
  }
}

function reportError(e: unknown, out: ReturnType<typeof createOutput>): number {
  const err = e as { code?: string; message?: string; toJSON?: () => unknown; stack?: string };
  const known = typeof err?.code === 'string' && err.code.startsWith('E_');
  // a read-only-media error core did not map itself is still E_READ_ONLY, not an internal error (issue 19 item 4)
  const code = known ? err.code! : err?.code === 'EROFS' ? 'E_READ_ONLY' : err?.code === 'ENOSPC' ? 'E_NO_SPACE' : 'E_INTERNAL';
  const message = code === 'E_READ_ONLY' && !known ? msg.readOnlyWrite(err?.message ?? String(e)) : code === 'E_NO_SPACE' && !known ? msg.noSpace(err?.message ?? String(e)) : (err?.message ?? String(e));
  if (out.json) {
    out.emitJson({ ok: false, error: known && err.toJSON ? err.toJSON() : { code, message, details: {} } });
  } else {
    out.io.stderr.write(`${out.c.red('error')} ${out.c.dim(`[${code}]`)} ${message}\n`);
    if (!known && err?.stack && out.io.env.DEBUG) out.io.stderr.write(err.stack + '\n');
  }
  return exitCodeFor(code);
}
