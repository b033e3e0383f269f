// Generate a vault with N saves fast: native `git fast-import` writes the save commits (Savepoint trailers)
// on the history branch and one notes commit holding every checksum note, exactly as Savepoint would have
// written them (real sha256 and sizes), in seconds instead of N in-process saves.
//   node bench/child/gen-saves.mjs DIR N [FILES] [BYTES]
// 100 files by default; every 10th save carries an experiment id EXP-<k> (k = save / 10 mod 500). With BYTES,
// every version is a CSV of about that size, 1% of its rows changed from save to save.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { initVault } from '../../packages/core/dist/index.js';

const [dir, nText, filesText, bytesText] = process.argv.slice(2);
const n = Number(nText);
const nFiles = Number(filesText ?? 100);
const bytes = Number(bytesText ?? 0);
/**
 * About `bytes` of CSV rows for save `i` of file `f`: the file's own rows (xorshift numbers seeded by f) with 1% of
 * them, spread over the file, changed in every save, as a measurement series edited run after run.
 */
const baseRows = new Map();
function rowsOf(f) {
  if (baseRows.has(f)) return baseRows.get(f);
  let x = ((f + 1) * 2654435761) >>> 0 || 1;
  const rows = [];
  for (let size = 13; size < bytes; ) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const row = `${rows.length},${x},0`;
    rows.push(row);
    size += row.length + 1;
  }
  baseRows.set(f, rows);
  return rows;
}
function bigContent(i, f) {
  const rows = rowsOf(f).map((r, k) => ((k * 7919 + i) % 100 === 0 ? `${k},${(k * 31 + i * 17) % 100000},${i}` : r));
  return `id,value,run\n${rows.join('\n')}\n`;
}
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
  const content = bytes ? bigContent(i, f) : `id,value,run\n${i},${(i * 7) % 1000},${v}\n`;
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
