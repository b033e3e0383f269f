// Benchmark: keyed CSV diff of a ~100 MB file with ~1% rows changed, against `git diff --no-index --stat`
// on the same files in the same run. Run after `npx tsc -b`:  node bench/diff.bench.mjs
// Prints: diff 100MB keyed: savepoint X s / git diff Y s = R, peak RSS M MB (and the same for a positional diff)
// and the same for one 48 MB cell that changed (target: peak RSS < 150 MB, output a few KB).
// Each figure is the best of BENCH_RUNS (default 3) runs, ours and git's alternating, with our CPU time
// (user+sys, both threads) and the load average beside it: on a shared machine wall time is noisy.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = pathToFileURL(join(root, 'packages/diff/dist/index.js')).href;

if (process.argv[2] === '--child') {
  // Measured process: one keyed diff, then report wall time and peak RSS.
  const { diffFiles } = await import(dist);
  const t0 = performance.now();
  const opts = process.argv[5] === 'positional' ? { positional: true } : { key: ['id'] };
  const r = await diffFiles({ path: process.argv[3], label: 'a' }, { path: process.argv[4], label: 'b' }, { name: 'bench.csv', ...opts });
  const seconds = (performance.now() - t0) / 1000;
  const outputBytes = JSON.stringify(r).length;
  const ru = process.resourceUsage();
  const cpu = (ru.userCPUTime + ru.systemCPUTime) / 1e6;
  process.stdout.write(JSON.stringify({ seconds, cpu, maxRssKB: ru.maxRSS, summary: r.summary, outputBytes }) + '\n');
} else {
  const dataDir = join(root, '.bench-data');
  mkdirSync(dataDir, { recursive: true });
  const fa = join(dataDir, 'diff-a.csv');
  const fb = join(dataDir, 'diff-b.csv');
  const TARGET = 100 * 1024 * 1024;
  if (!existsSync(fa) || !existsSync(fb) || statSync(fa).size < TARGET * 0.95) generate(fa, fb, TARGET);
  const sizeMB = Math.round(statSync(fa).size / 1e6);

  const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const ourRun = (a, b, mode) => {
    const c = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', a, b, ...(mode ? [mode] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (c.status !== 0) { process.stderr.write(c.stderr); throw new Error(`savepoint diff child failed (${a})`); }
    return JSON.parse(c.stdout.trim().split('\n').pop());
  };
  const gitRun = (a, b) => {
    const g0 = performance.now();
    const git = spawnSync('git', ['diff', '--no-index', '--stat', a, b], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - g0) / 1000;
    if (git.status !== 1 && git.status !== 0) { process.stderr.write(git.stderr); throw new Error('git diff failed'); }
    return { seconds, stdout: git.stdout };
  };
  /** Best of RUNS for ours (each mode) and git, alternating. */
  const best = (a, b, modes) => {
    const ours = modes.map(() => null);
    let git = null;
    for (let r = 0; r < RUNS; r++) {
      modes.forEach((m, i) => { const x = ourRun(a, b, m); if (!ours[i] || x.seconds < ours[i].seconds) ours[i] = x; });
      const g = gitRun(a, b);
      if (!git || g.seconds < git.seconds) git = g;
    }
    return { ours, git };
  };
  const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
  const show = (name, o, g, extra = '') =>
    console.log(`${name}: savepoint ${o.seconds.toFixed(2)} s / git diff ${g.seconds.toFixed(2)} s = ${(o.seconds / g.seconds).toFixed(2)}, peak RSS ${Math.round(o.maxRssKB / 1024)} MB${extra} (CPU ${o.cpu.toFixed(2)} s; best of ${RUNS}, load average ${load()})`);

  const { ours: [keyed, positional], git } = best(fa, fb, ['', 'positional']);
  const s = keyed.summary;
  console.log(`rows: ${s.rowsA} → ${s.rowsB}; changed ${s.changed}, added ${s.added}, removed ${s.removed} (git: ${git.stdout.trim().split('\n').pop().trim()})`);
  show(`diff ${sizeMB}MB keyed`, keyed, git);
  show(`diff ${sizeMB}MB positional`, positional, git);

  // One huge cell (48 MB) that changed: output and memory must stay bounded.
  const ha = join(dataDir, 'diff-huge-a.csv');
  const hb = join(dataDir, 'diff-huge-b.csv');
  if (!existsSync(ha) || !existsSync(hb)) {
    const big = 'x'.repeat(48 * 1024 * 1024);
    for (const [f, cell] of [[ha, big], [hb, big.slice(0, -1) + 'y']]) {
      const fd = openSync(f, 'w');
      writeSync(fd, `id,text\n1,${cell}\n2,b\n`);
      closeSync(fd);
    }
  }
  const { ours: [huge], git: gitHuge } = best(ha, hb, ['']);
  show('diff 48MB cell', huge, gitHuge, `, result ${huge.outputBytes} bytes`);
}

/** Deterministic data: id, ISO time, sample name, category, three floats, a count, a sometimes-quoted note. */
function generate(fa, fb, target) {
  let seed = 42;
  const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; };
  const cats = ['control', 'treated', 'placebo', 'baseline'];
  const words = ['alpha', 'beta', 'gamma', 'delta', 'noisy', 'calibrated', 'outlier', 'ok'];
  const a = openSync(fa, 'w');
  const b = openSync(fb, 'w');
  const header = 'id,timestamp,sample,category,temp_c,ph,od600,count,note\n';
  writeSync(a, header); writeSync(b, header);
  let size = header.length;
  let id = 0;
  const t0 = Date.UTC(2025, 0, 1);
  while (size < target) {
    let ca = '';
    let cb = '';
    for (let k = 0; k < 10_000; k++) {
      id++;
      const ts = new Date(t0 + id * 1000).toISOString();
      const note = rnd() < 0.2 ? `"${words[(rnd() * 8) | 0]}, ${words[(rnd() * 8) | 0]} ""x"""` : words[(rnd() * 8) | 0];
      const fields = [id, ts, `S-${(rnd() * 1e6) | 0}`, cats[(rnd() * 4) | 0], (20 + rnd() * 15).toFixed(3), (6 + rnd() * 2).toFixed(4), rnd().toFixed(6), (rnd() * 10000) | 0, note];
      const row = fields.join(',') + '\n';
      ca += row;
      if (rnd() < 0.01) {
        fields[6] = rnd().toFixed(6);
        cb += fields.join(',') + '\n';
      } else cb += row;
    }
    writeSync(a, ca); writeSync(b, cb);
    size += Buffer.byteLength(ca);
  }
  closeSync(a); closeSync(b);
}
