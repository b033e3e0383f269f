#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2), { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`savepoint: unexpected failure: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
