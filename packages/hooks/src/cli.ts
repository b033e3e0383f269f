import { readFile } from 'node:fs/promises';
import { checkFiles } from './check.js';
import { isHooksError } from './errors.js';
import { EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, HOOKS_EXIT_CODES } from './exit-codes.js';
import { installHooks, uninstallHooks, type InstallMode } from './install.js';
import { cliText, formatCheckReport } from './messages.js';

export interface HooksCliIO {
  cwd: string;
  /** NUL-separated paths for `check --stdin0`. */
  stdin?: AsyncIterable<Uint8Array | string>;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Colour the report (the bin passes false when NO_COLOR is set or stderr is not a TTY). */
  color: boolean;
}

/** 0 ok, 1 blocked, 2 usage; errors exit by their code (exit-codes.ts: the savepoint CLI's table). */
export { EXIT_BLOCKED, EXIT_OK, EXIT_USAGE };

class UsageError extends Error {}

interface Parsed {
  flags: Set<string>;
  values: Map<string, string>;
  rest: string[];
}

function parseArgs(args: readonly string[], booleans: readonly string[], valued: readonly string[]): Parsed {
  const out: Parsed = { flags: new Set(), values: new Map(), rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      out.rest.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a : a.slice(0, eq);
      if (booleans.includes(name) && eq === -1) out.flags.add(name);
      else if (valued.includes(name)) {
        const v = eq !== -1 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw new UsageError(cliText.missingValue(name));
        out.values.set(name, v);
      } else throw new UsageError(cliText.unknownOption(a));
    } else out.rest.push(a);
  }
  return out;
}

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * The `savepoint-hooks` command line, as a function: argv without node and script, returns the exit code.
 * apps/cli can delegate `savepoint hooks check|install|uninstall` to it.
 */
export async function runHooksCli(argv: readonly string[], io: HooksCliIO): Promise<number> {
  const [cmd, ...args] = argv;
  let json = false;
  try {
    if (cmd === undefined) {
      io.stderr.write(cliText.usage);
      return EXIT_USAGE;
    }
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.stdout.write(cliText.usage);
      return EXIT_OK;
    }
    if (cmd === '--version' || cmd === '-v') {
      io.stdout.write(`${await version()}\n`);
      return EXIT_OK;
    }
    if (cmd === 'check') {
      const p = parseArgs(args, ['--stdin0', '--filter', '--no-checksums', '--json'], []);
      json = p.flags.has('--json');
      const files = [...p.rest];
      if (p.flags.has('--stdin0') && io.stdin) files.push(...(await readAll(io.stdin)).split('\0').filter((f) => f.length > 0));
      const result = await checkFiles({
        repoDir: io.cwd,
        cwd: io.cwd,
        files,
        recordChecksums: !p.flags.has('--no-checksums'),
        onlyHookFiles: p.flags.has('--stdin0') || p.flags.has('--filter'),
      });
      if (json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.files.length === 0) {
        // The plain hook runs on every commit; stay quiet when no data file is staged.
        if (!p.flags.has('--stdin0') && !p.flags.has('--filter')) io.stdout.write(`${cliText.nothingToCheck}\n`);
      }
      else if (result.ok) io.stdout.write(formatCheckReport(result, { color: io.color }));
      else io.stderr.write(formatCheckReport(result, { color: io.color }));
      return result.ok ? EXIT_OK : EXIT_BLOCKED;
    }
    if (cmd === 'install') {
      const p = parseArgs(args, ['--json'], ['--command', '--local-command', '--mode']);
      json = p.flags.has('--json');
      if (p.rest.length > 0) throw new UsageError(cliText.unknownOption(p.rest[0] as string));
      const mode = p.values.get('--mode') ?? 'auto';
      if (!['auto', 'husky', 'plain'].includes(mode)) throw new UsageError(cliText.unknownOption(`--mode ${mode}`));
      const command = p.values.get('--command');
      const localCommand = p.values.get('--local-command');
      const r = await installHooks({ repoDir: io.cwd, mode: mode as InstallMode | 'auto', ...(command !== undefined ? { command } : {}), ...(localCommand !== undefined ? { localCommand } : {}) });
      if (json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        io.stdout.write(`${cliText.installed(r.mode, r.changes)}\n`);
        if (r.warnings.length) io.stderr.write(`${cliText.warnings(r.warnings)}\n`);
        if (r.nextSteps.length) io.stdout.write(`${cliText.nextSteps(r.nextSteps)}\n`);
      }
      return EXIT_OK;
    }
    if (cmd === 'uninstall') {
      const p = parseArgs(args, ['--json'], []);
      json = p.flags.has('--json');
      if (p.rest.length > 0) throw new UsageError(cliText.unknownOption(p.rest[0] as string));
      const r = await uninstallHooks({ repoDir: io.cwd });
      if (json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        io.stdout.write(`${cliText.uninstalled(r.changes)}\n`);
        if (r.warnings.length) io.stderr.write(`${cliText.warnings(r.warnings)}\n`);
      }
      return EXIT_OK;
    }
    throw new UsageError(cliText.unknownCommand(cmd));
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`${e.message}\n`);
      return EXIT_USAGE;
    }
    if (isHooksError(e)) {
      if (json) io.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
      else io.stderr.write(`${cliText.error(e.code, e.message)}\n`);
      return HOOKS_EXIT_CODES[e.code];
    }
    throw e;
  }
}
