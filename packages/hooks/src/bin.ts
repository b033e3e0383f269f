#!/usr/bin/env node
import { runHooksCli } from './cli.js';
import { EXIT_INTERNAL } from './exit-codes.js';

// The only place in this package that reads process.argv / env.
const color = !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') && (process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : Boolean(process.stderr.isTTY));
runHooksCli(process.argv.slice(2), { cwd: process.cwd(), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, color }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`savepoint-hooks: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);
