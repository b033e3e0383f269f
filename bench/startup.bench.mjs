// CLI start-up (issue 17 item 4b): wall time of `save` (1 MB JSON), `log`, `status`, `--version` and `--help` through the
// bundled CLI, Node start-up included, beside `git log -1` / `git status` on the same vault and `node -e 0` as
// the floor every Node program pays. Target: save, log and status each ≤ 0.1 s. Best of RUNS (default 7).
//   node bench/startup.bench.mjs            (BENCH_SAVES=N saves in the vault first, default 1,000)
// BENCH_BASELINE_CLI=/path/to/other/bundle/bin.js also times another build (e.g. the previous commit's) in the same run.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, cliAvailable, fmtS, measure, requireBuilt, rss } from './lib.mjs';

requireBuilt();
if (!cliAvailable()) {
  console.log('startup bench skipped: apps/cli/bundle/bin.js is not built');
  process.exit(0);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SAVES = Number(process.env.BENCH_SAVES ?? 1000);
const TARGET = 0.1;
const WORK = process.env.BENCH_WORK ?? path.join(os.tmpdir(), `savepoint-startup-${process.pid}`);

async function best(cmd, args, cwd, before) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    before?.(i);
    runs.push(await measure(cmd, args, { cwd }));
  }
  return runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
}

const fastest = (runs) => runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));

const BASELINE = process.env.BENCH_BASELINE_CLI;
let floor;

function report(name, ours, git, baseline, target = TARGET) {
  const verdict = ours.seconds <= target ? 'ok' : `over the ${target} s target`;
  const above = `${fmtS3(ours.seconds - floor.seconds)} above node -e 0`;
  const base = baseline ? `; baseline build ${fmtS3(baseline.seconds)} (${rss(baseline)})` : '';
  console.log(`${name}: ours ${fmtS3(ours.seconds)} (${above}), git ${fmtS3(git.seconds)}, ratio ${(ours.seconds / git.seconds).toFixed(1)}, peak RSS ${rss(ours)} vs ${rss(git)}${base} — ${verdict}`);
}
const cli = (bin, args, dir, before) => best('node', [bin, ...args], dir, before);
// with a baseline the two builds alternate run by run, so both meet the same vault: every save adds a version,
// and once a file has more than the default keep-last 10, every further save also archives one (much slower)
async function both(args, dir, before) {
  if (!BASELINE) return [await cli(CLI, args, dir, before), undefined];
  const ours = [];
  const base = [];
  for (let i = 0; i < RUNS; i++) {
    for (const [bin, runs] of [[CLI, ours], [BASELINE, base]]) {
      before?.(i);
      runs.push(await measure('node', [bin, ...args], { cwd: dir }));
    }
  }
  return [fastest(ours), fastest(base)];
}
const fmtS3 = (s) => `${s.toFixed(3)} s`;

try {
  const dir = path.join(WORK, 'vault');
  mkdirSync(dir, { recursive: true });
  const built = await measure('node', [path.join(ROOT, 'bench/child/build-vault.mjs'), dir, String(SAVES)]);
  console.log(`built a vault with ${SAVES} saves in ${fmtS(built.seconds)}; best of ${RUNS} runs each`);

  floor = await best('node', ['-e', '0'], dir);
  console.log(`node -e 0 (floor): ${fmtS3(floor.seconds)}, peak RSS ${rss(floor)}`);
  {
    const [ours, base] = await both(['--version'], dir);
    report('savepoint --version', ours, await best('git', ['--version'], dir), base);
  }
  {
    const [ours, base] = await both(['--help'], dir);
    report('savepoint --help', ours, await best('git', ['help', '-a'], dir), base);
  }

  // 1 MB JSON, different content each run so every save writes a new version
  const rows = Array.from({ length: 13000 }, (_, i) => ({ id: i, name: `sample-${i}`, value: Math.sin(i), tags: ['a', 'b'] }));
  const big = path.join(dir, 'big.json');
  let n = 0;
  const rewrite = () => writeFileSync(big, JSON.stringify({ version: n++, rows }));
  rewrite();
  const size = JSON.stringify({ version: 0, rows }).length;
  const [save, saveBase] = await both(['save', 'big.json', '-m', 'bench'], dir, rewrite);
  // git's nearest equivalent, in a plain repo beside the vault (so the vault's history stays Savepoint's own)
  const plain = path.join(WORK, 'plain');
  mkdirSync(plain);
  await measure('git', ['init', '-q'], { cwd: plain });
  const rewritePlain = () => writeFileSync(path.join(plain, 'big.json'), JSON.stringify({ version: n++, rows }));
  const gitSave = await best('sh', ['-c', 'git add big.json && git commit -q -m bench --no-verify'], plain, rewritePlain);
  report(`save ${(size / 1e6).toFixed(1)} MB JSON (vs git add + commit)`, save, gitSave, saveBase);
  {
    // a save past keep-last 10 also archives that file's oldest version (retention.auto): on this many saves it
    // rewrites the history branch after that version and prunes, so it grows with history, not with the file
    const arch = path.join(dir, 'arch.json');
    let a = 0;
    const rewriteArch = () => writeFileSync(arch, JSON.stringify({ version: a++, rows: rows.slice(0, 500) }));
    for (let i = 0; i < 10; i++) {
      rewriteArch();
      await measure('node', [CLI, 'save', 'arch.json', '-q'], { cwd: dir });
    }
    const runs = [];
    for (let i = 0; i < 3; i++) {
      rewriteArch();
      runs.push(await measure('node', [CLI, 'save', 'arch.json', '-q'], { cwd: dir }));
    }
    const sorted = runs.map((r) => r.seconds).sort((x, y) => x - y);
    console.log(`save that archives a version (${SAVES}-save history, keep-last 10): best ${fmtS3(sorted[0])}, median ${fmtS3(sorted[1])} of 3, peak RSS ${rss(runs[0])}`);
  }
  {
    const [ours, base] = await both(['log'], dir);
    report('log (vs git log -1)', ours, await best('git', ['log', '-1'], dir), base);
  }
  {
    const [ours, base] = await both(['status'], dir);
    report('status (vs git status)', ours, await best('git', ['status'], dir), base);
  }
} finally {
  rmSync(WORK, { recursive: true, force: true });
}
