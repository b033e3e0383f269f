// CLI wall times on vaults with many saves (1,000 by default; 10,000 for the log figures when
// BENCH_10K=1, since building that vault takes a while). Vaults are built in-process with the core API.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, cliAvailable, fmtS, measure, requireBuilt, rss } from './lib.mjs';

requireBuilt();
if (!cliAvailable()) {
  console.log('cli bench skipped: apps/cli/bundle/bin.js is not built');
  process.exit(0);
}
const WORK = process.env.BENCH_WORK ?? path.join(os.tmpdir(), `savepoint-clibench-${process.pid}`);
const BUILD = path.join(ROOT, 'bench/child/build-vault.mjs');
const target = (s, limit) => (s <= limit ? 'ok' : `over the ${limit} s target`);

async function build(n) {
  const dir = path.join(WORK, `vault-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = await measure('node', [BUILD, dir, String(n)]);
  const info = JSON.parse(r.stdout.trim().split('\n').pop());
  console.log(`built a vault with ${n} saves in ${fmtS(r.seconds)} (${info.msPerSave.toFixed(1)} ms/save in-process, peak RSS ${rss(r)})`);
  return dir;
}

async function time(label, dir, args, limit) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await measure('node', [CLI, ...args], { cwd: dir }));
  const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
  console.log(`${label}: ${fmtS(best.seconds)} (best of 3), peak RSS ${rss(best)} — ${target(best.seconds, limit)}`);
}

try {
  const v1k = await build(1000);
  const json = path.join(v1k, 'big.json');
  const rows = Array.from({ length: 9000 }, (_, i) => ({ id: i, name: `sample-${i}`, value: Math.sin(i), tags: ['a', 'b'] }));
  let saveN = 0;
  const runs = [];
  for (let i = 0; i < 3; i++) {
    writeFileSync(json, JSON.stringify({ version: saveN++, rows }));
    runs.push(await measure('node', [CLI, 'save', 'big.json', '-m', 'bench'], { cwd: v1k }));
  }
  const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
  console.log(`save 1MB JSON on 1,000 saves: ${fmtS(best.seconds)} (best of 3), peak RSS ${rss(best)} — ${target(best.seconds, 0.15)}`);
  await time('log on 1,000 saves', v1k, ['log'], 0.15);
  await time('status on 1,000 saves', v1k, ['status'], 0.15);
  await time('node start-up + CLI help (floor)', v1k, ['--help'], 0.15);
  if (process.env.BENCH_10K === '1') {
    const v10k = await build(10_000);
    await time('log --limit 50 on 10,000 saves', v10k, ['log', '--limit', '50'], 0.3);
    await time('log data.csv on 10,000 saves', v10k, ['log', 'data.csv'], 1);
  } else {
    console.log('log on 10,000 saves: skipped (set BENCH_10K=1)');
  }
} finally {
  rmSync(WORK, { recursive: true, force: true });
}
