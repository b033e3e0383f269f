#!/usr/bin/env node
/** Production build of the page into apps/web/dist (static files only), then its size: raw and gzipped. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');

/** Every file under `dir` with its raw and gzipped size. */
export function sizes(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ file: path.relative(dir, p), bytes: statSync(p).size, gzip: gzipSync(readFileSync(p), { level: 9 }).length });
    }
  };
  walk(dir);
  return out.sort((a, b) => b.gzip - a.gzip);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

await build({ root, logLevel: process.env.SAVEPOINT_WEB_QUIET ? 'warn' : 'info', configFile: path.join(root, 'vite.config.ts') });
const all = sizes(dist);
const total = all.reduce((s, f) => ({ bytes: s.bytes + f.bytes, gzip: s.gzip + f.gzip }), { bytes: 0, gzip: 0 });
// What a first visit downloads before any vault is opened: index.html, its script and its CSS (the worker and
// its git/diff code load when the page starts the worker, the adapter when a vault is opened).
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const entry = all.filter((f) => f.file === 'index.html' || html.includes(f.file.replace(/\\/g, '/')));
const first = entry.reduce((s, f) => s + f.gzip, 0);
console.log(`apps/web/dist: ${all.length} files, ${kb(total.bytes)}, gzipped ${kb(total.gzip)} (first load ${kb(first)} gzipped)`);
for (const f of all) console.log(`  ${f.file.padEnd(44)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzip).padStart(9)}`);
