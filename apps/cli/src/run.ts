/** What bin.ts runs: process-level wiring (pipes, signals, exit code) around main(). */
import { interrupted, main } from './main.js';

// `savepoint log | head`: the reader went away; stop quietly, as git does
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted()) return;
    process.stderr.write(`\nsavepoint: interrupted; nothing was changed by the unfinished step.\n`);
    process.exit(130);
  });
}

// process.stdin is created on first access (a few ms); most commands never read it
const io = {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  get stdin() {
    return process.stdin;
  },
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`savepoint: unexpected failure: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
