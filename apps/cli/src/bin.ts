#!/usr/bin/env node
/**
 * The `savepoint` executable. Kept tiny on purpose: Node ≥ 22.1 caches compiled code between runs once
 * enableCompileCache() is called, and that only covers modules loaded after the call, so everything else
 * (commander, the commands, core) comes in through the dynamic import below.
 */
import module from 'node:module';
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // what commander prints for the program's version option, without building the command tree
  // (dist/bin.js and bundle/bin.js both sit one folder below package.json)
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  await import('./run.js');
}
