// The catalog on a vault with 100,000 saves (BENCH_CATALOG_N to change): the vault is generated with native
// `git fast-import` (save commits with Savepoint trailers + one notes commit with every checksum note, real
// sha256s), then unpacked to loose objects (Savepoint's pack reader is slow on fast-import's deep delta
// chains, see README), then the catalog is built once with `savepoint reindex`. Measured through the CLI:
// log --limit 50, status, log --experiment, log <file> --limit 50, find --sha256, experiments; in-process:
// the time of one save. Targets (issue 14): save < 60 ms, the CLI queries < 0.3 s each.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, cliAvailable, fmtS, measure, requireBuilt, rss } from './lib.mjs';

requireBuilt();
if (!cliAvailable()) {
  console.log('catalog bench skipped: apps/cli/bundle/bin.js is not built');
  process.exit(0);
}
const N = Number(process.env.BENCH_CATALOG_N ?? 100_000);
const WORK = process.env.BENCH_WORK ?? path.join(os.tmpdir(), `savepoint-catalogbench-${process.pid}`);
const target = (s, limit) => (s <= limit ? 'ok' : `over the ${limit} s target`);
const dir = path.join(WORK, `vault-${N}`);

async function time(label, args, limit) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await measure('node', [CLI, ...args], { cwd: dir }));
  const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
  if (best.code !== undefined && best.code !== 0) throw new Error(`${args.join(' ')} failed: ${best.stderr}`);
  console.log(`${label}: ${fmtS(best.seconds)} (best of 3), peak RSS ${rss(best)} — ${target(best.seconds, limit)}`);
}

try {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const g = await measure('node', [path.join(ROOT, 'bench/child/gen-saves.mjs'), dir, String(N)]);
  console.log(`generated ${N} saves with git fast-import in ${fmtS(g.seconds)}`);
  const packDir = path.join(dir, '.git/objects/pack');
  const aside = path.join(WORK, 'packs');
  mkdirSync(aside, { recursive: true });
  const t0 = performance.now();
  for (const f of readdirSync(packDir)) renameSync(path.join(packDir, f), path.join(aside, f));
  for (const f of readdirSync(aside).filter((x) => x.endsWith('.pack'))) {
    const fd = openSync(path.join(aside, f), 'r');
    execFileSync('git', ['unpack-objects', '-q'], { cwd: dir, stdio: [fd, 'inherit', 'inherit'] });
    closeSync(fd);
  }
  console.log(`unpacked to loose objects in ${fmtS((performance.now() - t0) / 1000)}`);
  const r = await measure('node', [CLI, 'reindex', '--json'], { cwd: dir });
  console.log(`reindex (cold catalog build from branch + notes) on ${N} saves: ${fmtS(r.seconds)}, peak RSS ${rss(r)}`);
  await time(`log --limit 50 on ${N} saves`, ['log', '--limit', '50'], 0.3);
  await time(`status on ${N} saves (100 files)`, ['status'], 0.3);
  await time(`log --experiment EXP-7 on ${N} saves`, ['log', '--experiment', 'EXP-7'], 0.3);
  await time(`log data-7.csv --limit 50 on ${N} saves`, ['log', 'data-7.csv', '--limit', '50'], 0.3);
  await time(`experiments on ${N} saves`, ['experiments'], 0.3);
  await time(`find --kind manual --limit 50 on ${N} saves`, ['find', '--kind', 'manual', '--limit', '50'], 0.3);
  await time('node start-up + CLI help (floor)', ['--help'], 0.3);
  const s = await measure('node', [path.join(ROOT, 'bench/child/save-timing.mjs'), dir, '20'], { cwd: dir });
  const st = JSON.parse(s.stdout.trim().split('\n').pop());
  console.log(`save in-process on ${N} saves: median ${st.medianMs.toFixed(1)} ms, min ${st.minMs.toFixed(1)}, max ${st.maxMs.toFixed(1)} (first ${st.firstMs.toFixed(1)}, 20 saves) — ${st.medianMs <= 60 ? 'ok' : 'over the 60 ms target'}`);
  await time(`log --limit 50 after 20 more saves (catalog appended in the save)`, ['log', '--limit', '50'], 0.3);
} finally {
  if (!process.env.BENCH_KEEP) rmSync(WORK, { recursive: true, force: true });
}
