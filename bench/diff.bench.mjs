// Benchmark: keyed CSV diff of a ~100 MB file with ~1% rows changed, against `git diff --no-index --stat`
// on the same files in the same run. Run after `npx tsc -b`:  node bench/diff.bench.mjs
// Prints: diff 100MB keyed: savepoint X s / git diff Y s = R, peak RSS M MB (and the same for a positional diff)
// and the same for one 48 MB cell that changed (target: peak RSS < 150 MB, output a few KB).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

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
  process.stdout.write(JSON.stringify({ seconds, maxRssKB: process.resourceUsage().maxRSS, summary: r.summary, outputBytes }) + '\n');
} else {
  const dataDir = join(root, '.bench-data');
  mkdirSync(dataDir, { recursive: true });
  const fa = join(dataDir, 'diff-a.csv');
  const fb = join(dataDir, 'diff-b.csv');
  const TARGET = 100 * 1024 * 1024;
  if (!existsSync(fa) || !existsSync(fb) || statSync(fa).size < TARGET * 0.95) generate(fa, fb, TARGET);
  const sizeMB = Math.round(statSync(fa).size / 1e6);

  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', fa, fb], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) { process.stderr.write(child.stderr); throw new Error('savepoint diff child failed'); }
  const ours = JSON.parse(child.stdout.trim().split('\n').pop());

  const g0 = performance.now();
  const git = spawnSync('git', ['diff', '--no-index', '--stat', fa, fb], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const gitSeconds = (performance.now() - g0) / 1000;
  if (git.status !== 1 && git.status !== 0) { process.stderr.write(git.stderr); throw new Error('git diff failed'); }

  const pc = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', fa, fb, 'positional'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (pc.status !== 0) { process.stderr.write(pc.stderr); throw new Error('savepoint positional diff child failed'); }
  const positional = JSON.parse(pc.stdout.trim().split('\n').pop());

  const s = ours.summary;
  console.log(`rows: ${s.rowsA} → ${s.rowsB}; changed ${s.changed}, added ${s.added}, removed ${s.removed} (git: ${git.stdout.trim().split('\n').pop().trim()})`);
  console.log(`diff ${sizeMB}MB keyed: savepoint ${ours.seconds.toFixed(2)} s / git diff ${gitSeconds.toFixed(2)} s = ${(ours.seconds / gitSeconds).toFixed(2)}, peak RSS ${Math.round(ours.maxRssKB / 1024)} MB`);
  console.log(`diff ${sizeMB}MB positional: savepoint ${positional.seconds.toFixed(2)} s / git diff ${gitSeconds.toFixed(2)} s = ${(positional.seconds / gitSeconds).toFixed(2)}, peak RSS ${Math.round(positional.maxRssKB / 1024)} MB`);

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
  const hc = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', ha, hb], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (hc.status !== 0) { process.stderr.write(hc.stderr); throw new Error('savepoint diff child failed (huge cell)'); }
  const huge = JSON.parse(hc.stdout.trim().split('\n').pop());
  const h0 = performance.now();
  spawnSync('git', ['diff', '--no-index', '--stat', ha, hb], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const gitHuge = (performance.now() - h0) / 1000;
  console.log(`diff 48MB cell: savepoint ${huge.seconds.toFixed(2)} s / git diff ${gitHuge.toFixed(2)} s = ${(huge.seconds / gitHuge).toFixed(2)}, peak RSS ${Math.round(huge.maxRssKB / 1024)} MB, result ${huge.outputBytes} bytes`);
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
