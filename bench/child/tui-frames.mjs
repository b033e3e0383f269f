// The built CLI's terminal app (`savepoint tui`) on a real vault, in a pseudo-terminal made by script(1), so
// the number is what a user waits for: node start-up, loading the app, opening the vault, status and log, the
// first 80×24 frame that shows the files and the history. Then it focuses the history (Tab), goes to the oldest
// version (G), one step up (k), and quits (q). Peak RSS comes from GNU time around script and the app.
//   node bench/child/tui-frames.mjs DIR FILE VERSIONS   → one JSON line
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps/cli/bundle/bin.js');
const [dir, file, versionsText] = process.argv.slice(2);
const versions = Number(versionsText);
const hasTime = existsSync('/usr/bin/time');
const cmd = `stty cols 80 rows 24; exec '${process.execPath}' '${CLI}' tui`;
const argv = ['-qfec', cmd, '/dev/null'];
const env = { ...process.env, TERM: 'xterm-256color', NO_COLOR: '1', CI: '', CONTINUOUS_INTEGRATION: '' };
delete env.CI;
delete env.CONTINUOUS_INTEGRATION;
const t0 = performance.now();
const child = spawn(hasTime ? '/usr/bin/time' : 'script', hasTime ? ['-f', '__BENCH_RSS_KB=%M', 'script', ...argv] : argv, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
let screen = '';
let stderr = '';
const waiters = [];
child.stdout.on('data', (d) => {
  screen = (screen + d.toString()).slice(-50_000);
  const plain = screen.replace(/\u001b\[[0-9;?<>=]*[ -\/]*[@-~]/g, '');
  for (const w of [...waiters]) if (w.test(plain)) {
    waiters.splice(waiters.indexOf(w), 1);
    w.resolve(performance.now());
  }
});
child.stderr.on('data', (d) => (stderr += d));
const until = (test, what) =>
  new Promise((resolve, reject) => {
    if (test(screen.replace(/\u001b\[[0-9;?<>=]*[ -\/]*[@-~]/g, ''))) return resolve(performance.now());
    const timer = setTimeout(() => reject(new Error(`no frame with ${what} within 60 s; output:\n${screen.slice(-3000)}\n${stderr}`)), 60_000);
    waiters.push({ test, resolve: (t) => (clearTimeout(timer), resolve(t)) });
  });
const exited = new Promise((r) => child.on('close', r));

const drawn = await until((s) => s.includes('Savepoint'), 'the first frame');
const first = await until((s) => s.includes(`History: ${file}`) && s.includes(`1/${versions}`), `History: ${file}`);
screen = '';
child.stdin.write('\t');
await until((s) => s.includes('║History'), 'the history focused');
const t1 = performance.now();
child.stdin.write('G');
const end = await until((s) => s.includes(`${versions}/${versions}`), `${versions}/${versions}`);
screen = '';
const t2 = performance.now();
child.stdin.write('k');
const step = await until((s) => s.includes(`${versions - 1}/${versions}`), 'one step up');
child.stdin.write('q');
await exited;
const m = /__BENCH_RSS_KB=(\d+)/.exec(stderr);
console.log(JSON.stringify({ drawnMs: drawn - t0, firstFrameMs: first - t0, endMs: end - t1, stepMs: step - t2, rssMB: m ? Number(m[1]) / 1024 : NaN }));
