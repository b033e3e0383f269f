// The terminal app at scale (issue 15): first frame on a vault with 10,000 saves (BENCH_TUI_N) across 100 files,
// and a single file with 100,000 versions (BENCH_TUI_BIG) opened and scrolled to its oldest version. Vaults are
// generated with native `git fast-import` (bench/child/gen-saves.mjs, as the catalog bench does), unpacked to
// loose objects, and indexed once with `savepoint reindex`. The native reference is `git log --oneline | head`
// on the same vault. Target: first frame under 0.5 s. The app runs as users run it: the built CLI
// (`savepoint tui`) in a pseudo-terminal (script(1)), timed from spawn to the first frame with the history.
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, cliAvailable, fmtS, measure, requireBuilt, rss, sh, unpackAll } from './lib.mjs';

requireBuilt();
if (!cliAvailable()) {
  console.log('tui bench skipped: apps/cli/bundle/bin.js is not built');
  process.exit(0);
}
const N = Number(process.env.BENCH_TUI_N ?? 10_000);
const BIG = Number(process.env.BENCH_TUI_BIG ?? 100_000);
const WORK = process.env.BENCH_WORK ?? path.join(os.tmpdir(), `savepoint-tuibench-${process.pid}`);

async function makeVault(name, saves, files) {
  const dir = path.join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const g = await measure('node', [path.join(ROOT, 'bench/child/gen-saves.mjs'), dir, String(saves), String(files)]);
  unpackAll(dir, path.join(WORK, `${name}-packs`));
  await measure('node', [CLI, 'reindex', '--json'], { cwd: dir });
  console.log(`generated ${saves} saves in ${files} file${files === 1 ? '' : 's'} (git fast-import, unpacked, reindexed) in ${fmtS(g.seconds)} + index`);
  return dir;
}

async function best(fn, runs = 3) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await fn());
  return all.reduce((a, b) => (a.seconds < b.seconds ? a : b));
}

async function frames(dir, file, versions) {
  return best(async () => {
    // the child runs the app under script(1) and GNU time itself; this measure's own RSS is the driver's
    const r = await measure('node', [path.join(ROOT, 'bench/child/tui-frames.mjs'), dir, file, String(versions)], { cwd: dir });
    const j = JSON.parse(r.stdout.trim().split('\n').pop());
    return { ...j, seconds: j.firstFrameMs / 1000 };
  });
}

const gitHead = (dir) => best(() => sh('git log --oneline | head -n 20 > /dev/null', { cwd: dir }));
const floor = (dir) => best(() => measure('node', [CLI, '--help'], { cwd: dir }));

try {
  mkdirSync(WORK, { recursive: true });
  const many = await makeVault(`vault-${N}`, N, 100);
  const ours = await frames(many, 'data-0.csv', N / 100);
  const git = await gitHead(many);
  console.log(`tui first frame on ${N} saves: "Opening vault…" after ${fmtS(ours.drawnMs / 1000)}, files and history after ${fmtS(ours.seconds)}`);
  console.log(`tui first frame on ${N} saves (100 files, 80×24): ours ${fmtS(ours.seconds)}, git ${fmtS(git.seconds)} (git log --oneline | head), ratio ${(ours.seconds / git.seconds).toFixed(1)}, peak RSS ${rss(ours)} vs ${rss(git)} — ${ours.seconds <= 0.5 ? 'ok' : 'over the 0.5 s target'}`);

  const f = await floor(many);
  console.log(`node start-up + CLI help (floor, same run): ${fmtS(f.seconds)}, peak RSS ${rss(f)}`);

  const big = await makeVault(`vault-big-${BIG}`, BIG, 1);
  const b = await frames(big, 'data-0.csv', BIG);
  const bgit = await gitHead(big);
  console.log(`tui first frame on one file with ${BIG} versions: ours ${fmtS(b.seconds)}, git ${fmtS(bgit.seconds)} (git log --oneline | head), ratio ${(b.seconds / bgit.seconds).toFixed(1)}, peak RSS ${rss(b)} vs ${rss(bgit)}`);
  console.log(`tui scroll ${BIG} versions: G to the oldest ${b.endMs.toFixed(0)} ms, one step there ${b.stepMs.toFixed(0)} ms (only the visible rows are drawn)`);
} finally {
  if (!process.env.BENCH_KEEP) rmSync(WORK, { recursive: true, force: true });
}
