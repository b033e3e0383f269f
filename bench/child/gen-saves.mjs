// Generate a vault with N saves fast: native `git fast-import` writes the save commits (Savepoint trailers)
// on the history branch and one notes commit holding every checksum note, exactly as Savepoint would have
// written them (real sha256 and sizes), in seconds instead of N in-process saves.
//   node bench/child/gen-saves.mjs DIR N [FILES]
// 100 files by default; every 10th save carries an experiment id EXP-<k> (k = save / 10 mod 500).
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { initVault } from '../../packages/core/dist/index.js';

const [dir, nText, filesText] = process.argv.slice(2);
const n = Number(nText);
const nFiles = Number(filesText ?? 100);
await initVault({ dir, config: { retention: { auto: false } } });
const git = (args, input) => execFileSync('git', args, { cwd: dir, input, encoding: 'utf8', maxBuffer: 1 << 30 });
const tip = git(['rev-parse', '--verify', '-q', 'refs/heads/main']).trim() || null;
const t0 = Date.parse('2025-01-01T00:00:00Z') / 1000;
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1' };
const fi = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: dir, env, stdio: ['pipe', 'inherit', 'inherit'] });
const chunks = [];
let pending = 0;
const out = (s) => {
  chunks.push(s);
  pending += s.length;
};
const flush = async () => {
  if (!pending) return;
  const buf = chunks.join('');
  chunks.length = 0;
  pending = 0;
  if (!fi.stdin.write(buf)) await new Promise((r) => fi.stdin.once('drain', r));
};
const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;
const versions = new Array(nFiles).fill(0);
const notes = [];
for (let i = 0; i < n; i++) {
  const f = i % nFiles;
  const p = `data-${f}.csv`;
  const v = ++versions[f];
  const content = `id,value,run\n${i},${(i * 7) % 1000},${v}\n`;
  const sha = createHash('sha256').update(content).digest('hex');
  const when = t0 + i * 60;
  const exp = i % 10 === 0 ? `EXP-${(i / 10) % 500}` : null;
  const msg = `Save ${p} v${v}\n\nSavepoint-Version: ${p}=${v}\nSavepoint-Sha256: ${p}=${sha}\n${exp ? `Savepoint-Experiment: ${exp}\n` : ''}`;
  out(`commit refs/heads/main\nmark :${i + 1}\ncommitter Bench <bench@example.com> ${when} +0000\n${data(msg)}`);
  if (i === 0 && tip) out(`from ${tip}\n`);
  out(`M 100644 inline ${p}\n${data(content)}`);
  notes.push({ mark: i + 1, note: { schema: 1, files: { [p]: { version: v, sha256: sha, size: Buffer.byteLength(content), savedAt: new Date(when * 1000).toISOString(), ...(exp ? { experiment: exp } : {}), source: 'bench' } }, status: 'active', kind: 'manual' } });
  if (pending > 1 << 20) await flush();
}
out(`commit refs/notes/savepoint\ncommitter Bench <bench@example.com> ${t0 + n * 60} +0000\n${data("Notes added by 'savepoint'")}`);
for (const { mark, note } of notes) {
  out(`N inline :${mark}\n${data(JSON.stringify(note))}`);
  if (pending > 1 << 20) await flush();
}
out('done\n');
await flush();
fi.stdin.end();
await new Promise((res, rej) => fi.on('exit', (code) => (code === 0 ? res() : rej(new Error(`git fast-import exited ${code}`)))));
// the working tree holds the latest content of every file (so status has something to compare)
for (let f = 0; f < nFiles; f++) writeFileSync(path.join(dir, `data-${f}.csv`), git(['show', `main:data-${f}.csv`]));
git(['read-tree', 'main']);
console.log(JSON.stringify({ saves: n, files: nFiles }));
