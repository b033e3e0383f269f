// Shared helpers for benchmarks: run a command in its own child process under /usr/bin/time and report
// wall time (measured here) and peak RSS (from the child's rusage), plus formatting.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATA = path.join(ROOT, '.bench-data');
export const CLI = path.join(ROOT, 'apps/cli/bundle/bin.js');
export const CORE_DIST = path.join(ROOT, 'packages/core/dist');
export const HAS_TIME = existsSync('/usr/bin/time');

export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  NO_COLOR: '1',
};

/**
 * Run `cmd args` in a child; resolves { seconds, rssMB, cpu, stdout, stderr }. Peak RSS comes from GNU time
 * (max over the child and the descendants it waited for), so shell pipelines of git commands count too.
 */
export function measure(cmd, args, { cwd = ROOT, env = GIT_ENV, allowFail = false } = {}) {
  return new Promise((resolve, reject) => {
    const argv = HAS_TIME ? ['-f', '__BENCH_RSS_KB=%M __BENCH_CPU=%U+%S', cmd, ...args] : args;
    const t0 = performance.now();
    const child = spawn(HAS_TIME ? '/usr/bin/time' : cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const m = /__BENCH_RSS_KB=(\d+)/.exec(stderr);
      const rssMB = m ? Number(m[1]) / 1024 : NaN;
      // user+sys CPU seconds of the child and its waited-for descendants: steadier than wall time on a busy machine
      const c = /__BENCH_CPU=([\d.]+)\+([\d.]+)/.exec(stderr);
      const cpu = c ? Number(c[1]) + Number(c[2]) : NaN;
      if (code !== 0 && !allowFail) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({ seconds, rssMB, cpu, stdout, stderr: stderr.replace(/__BENCH_RSS_KB=\d+ __BENCH_CPU=\S+\n?/, ''), code });
    });
  });
}

export function sh(script, opts = {}) {
  return measure('sh', ['-c', script], opts);
}

export function gitSync(cwd, args) {
  const r = spawnSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export function dirBytes(dir) {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

export const fmtS = (s) => `${s.toFixed(2)} s`;
export const fmtMB = (b) => `${(b / 1e6).toFixed(1)} MB`;
export const rss = (r) => `${Math.round(r.rssMB)} MB`;
const cpuOf = (r) => (Number.isFinite(r.cpu) ? `${r.cpu.toFixed(2)} s` : '?');

/** `save 100MB: savepoint 0.62 s / git 2.30 s = 0.27, peak RSS 80 MB vs 105 MB` */
export function line(name, ours, theirs, theirName = 'git', extra = '') {
  const ratio = ours.seconds / theirs.seconds;
  console.log(`${name}: savepoint ${fmtS(ours.seconds)} / ${theirName} ${fmtS(theirs.seconds)} = ${ratio.toFixed(2)}, peak RSS ${rss(ours)} vs ${rss(theirs)}, CPU ${cpuOf(ours)} vs ${cpuOf(theirs)}${extra}`);
  return ratio;
}

export function tmpWork(name) {
  const dir = path.join(DATA, 'work', `${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function requireBuilt() {
  const missing = [path.join(CORE_DIST, 'store/object-store.js')].filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`Build first (pnpm bench runs tsc -b): missing ${missing.join(', ')}`);
}

export const cliAvailable = () => existsSync(CLI);

/**
 * Turn a generated repository's packs into loose objects (as a vault of many separate saves has them):
 * move the packs to `aside`, `git unpack-objects` each, then delete `aside`.
 */
export function unpackAll(dir, aside) {
  const packDir = path.join(dir, '.git/objects/pack');
  mkdirSync(aside, { recursive: true });
  for (const f of readdirSync(packDir)) renameSync(path.join(packDir, f), path.join(aside, f));
  for (const f of readdirSync(aside).filter((x) => x.endsWith('.pack'))) {
    const fd = openSync(path.join(aside, f), 'r');
    try {
      execFileSync('git', ['unpack-objects', '-q'], { cwd: dir, stdio: [fd, 'inherit', 'inherit'] });
    } finally {
      closeSync(fd);
    }
  }
  rmSync(aside, { recursive: true, force: true });
}
