// Runs every bench/*.bench.mjs (or the ones named on the command line, e.g. `node bench/run.mjs store`),
// each in its own process, one after the other. Exit code is non-zero if any benchmark crashed.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here).filter((n) => n.endsWith('.bench.mjs')).sort();
const wanted = process.argv.slice(2);
const selected = wanted.length ? all.filter((n) => wanted.some((w) => n === w || n === `${w}.bench.mjs` || n.startsWith(`${w}.`))) : all;
if (wanted.length && selected.length === 0) {
  console.error(`No benchmark matches ${wanted.join(', ')}. Available: ${all.join(', ')}`);
  process.exitCode = 2;
}
let failed = 0;
for (const f of selected) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [path.join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${f} failed (exit ${r.status ?? r.signal})`);
  }
}
if (failed) process.exitCode = 1;
