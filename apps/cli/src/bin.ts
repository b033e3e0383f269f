#!/usr/bin/env node
import module from 'node:module';
import { interrupted, main } from './main.js';

// Node ≥ 22.1 caches compiled code between runs: a large share of start-up time.
(module as { enableCompileCache?: () => void }).enableCompileCache?.();

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


main(process.argv.slice(2), { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`savepoint: unexpected failure: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
