// Retention apply and `status --copies` as the history grows (issue 17 item 6): vaults of 250, 500 and 1,000
// versions of ~1 MB CSV files (10 files; BENCH_RETENTION_SIZES="250,500,1000", BENCH_RETENTION_BYTES to change),
// generated with native `git fast-import` and unpacked to loose objects (what saves write). Three local-path
// remotes are added with `savepoint remote add`; their tracking refs are set where a push would have left them
// (one at the tip, one half-way, one 10 saves back), so `status --copies` counts real reachability without
// copying gigabytes three times. Then `retention apply --keep-last 5 -y` archives all but 5 versions per file.
// Native figures from the same run: `git for-each-ref` + `git rev-list --count` per remote beside status --copies,
// `git rev-list --objects --all` (the reachability walk a prune needs) beside retention apply.
// The per-version figure (s / 1,000 versions) should stay flat as the history grows: a rising one is superlinear.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, GIT_ENV, ROOT, cliAvailable, fmtS, measure, requireBuilt, rss, sh, unpackAll } from './lib.mjs';

requireBuilt();
if (!cliAvailable()) {
  console.log('retention bench skipped: apps/cli/bundle/bin.js is not built');
  process.exit(0);
}
const SIZES = (process.env.BENCH_RETENTION_SIZES ?? '250,500,1000').split(',').map(Number);
const BYTES = Number(process.env.BENCH_RETENTION_BYTES ?? 1_000_000);
const FILES = 10;
const WORK = process.env.BENCH_WORK ?? path.join(os.tmpdir(), `savepoint-retentionbench-${process.pid}`);
const git = (cwd, args) => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
const perK = (s, n) => `${((s / n) * 1000).toFixed(2)} s per 1,000 versions`;

async function makeVault(n) {
  const dir = path.join(WORK, `vault-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const g = await measure('node', [path.join(ROOT, 'bench/child/gen-saves.mjs'), dir, String(n), String(FILES), String(BYTES)]);
  unpackAll(dir, path.join(WORK, `packs-${n}`));
  const commits = git(dir, ['rev-list', 'main']).split('\n');
  const at = [commits[0], commits[Math.floor(commits.length / 2)], commits[10]];
  for (const [i, tip] of at.entries()) {
    await measure('node', [CLI, 'remote', 'add', `r${i + 1}`, path.join(WORK, `remote-${n}-${i + 1}.git`), '--media', i === 0 ? 'nas' : 'usb', ...(i === 2 ? ['--offsite'] : [])], { cwd: dir });
    git(dir, ['update-ref', `refs/remotes/r${i + 1}/main`, tip]);
  }
  await measure('node', [CLI, 'reindex'], { cwd: dir });
  console.log(`generated ${n} versions of ~${(BYTES / 1e6).toFixed(1)} MB (${FILES} files) in ${fmtS(g.seconds)}`);
  return dir;
}

async function best(runs, f) {
  let b = null;
  for (let i = 0; i < runs; i++) {
    const r = await f();
    if (!b || r.seconds < b.seconds) b = r;
  }
  return b;
}

const rows = [];
try {
  for (const n of SIZES) {
    const dir = await makeVault(n);
    const copies = await best(2, () => measure('node', [CLI, 'status', '--copies', '--json'], { cwd: dir }));
    const nativeCopies = await best(2, () => sh('git for-each-ref >/dev/null && for r in r1 r2 r3; do git rev-list --count refs/remotes/$r/main >/dev/null; done', { cwd: dir }));
    const counted = JSON.parse(copies.stdout).copies.summary.versions;
    if (counted !== n) throw new Error(`status --copies counted ${counted} versions, expected ${n}`);
    console.log(`status --copies, ${n} versions, 3 remotes: ours ${fmtS(copies.seconds)}, git ${fmtS(nativeCopies.seconds)}, ratio ${(copies.seconds / nativeCopies.seconds).toFixed(1)}, peak RSS ${rss(copies)} (${perK(copies.seconds, n)})`);
    const nativeWalk = await measure('sh', ['-c', 'git rev-list --objects --all >/dev/null'], { cwd: dir });
    const apply = await measure('node', [CLI, 'retention', 'apply', '--keep-last', '5', '-y', '--json'], { cwd: dir });
    const result = JSON.parse(apply.stdout).result;
    if (result.archived !== n - 5 * FILES) throw new Error(`retention apply archived ${result.archived}, expected ${n - 5 * FILES}`);
    git(dir, ['fsck', '--connectivity-only', '--no-dangling']);
    console.log(`retention apply, ${n} versions (${result.archived} archived, ${result.prune.objects} objects pruned): ours ${fmtS(apply.seconds)}, git rev-list --objects --all ${fmtS(nativeWalk.seconds)}, ratio ${(apply.seconds / nativeWalk.seconds).toFixed(1)}, peak RSS ${rss(apply)} (${perK(apply.seconds, n)})`);
    rows.push({ n, copies: copies.seconds, apply: apply.seconds });
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
  if (rows.length > 1) {
    const [a, z] = [rows[0], rows[rows.length - 1]];
    const growth = (x, y) => (y / x / (z.n / a.n)).toFixed(2);
    console.log(`growth from ${a.n} to ${z.n} versions relative to linear (1.00 = linear): status --copies ${growth(a.copies, z.copies)}, retention apply ${growth(a.apply, z.apply)}`);
  }
} finally {
  if (!process.env.BENCH_KEEP) rmSync(WORK, { recursive: true, force: true });
}
