// Deterministic benchmark data in .bench-data/: a 100 MB CSV of mixed columns, 10 versions of it (each
// changes ~1% of rows at random and appends rows), and a 1 GiB CSV. Files are reused when present.
// Usage: node bench/gen-data.mjs [--big]   (the 1 GiB file only with --big or when a bench asks for it)
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { DATA } from './lib.mjs';

const CATS = ['control', 'treatment-a', 'treatment-b', 'placebo', 'unknown'];
const SITES = ['Berlin', 'Lyon', 'São Paulo', 'Nairobi', 'Osaka', 'Toronto', 'Melbourne'];

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function row(i, r) {
  const t = new Date(Date.UTC(2024, 0, 1) + i * 37_000).toISOString();
  const cat = CATS[Math.floor(r() * CATS.length)];
  const site = SITES[Math.floor(r() * SITES.length)];
  const note = r() < 0.1 ? `"note, with comma ${Math.floor(r() * 1000)}"` : '';
  return `${i},${t},${site},${cat},${(r() * 1000 - 500).toFixed(6)},${Math.floor(r() * 100000)},${(r() * 1e-3).toExponential(4)},${r() < 0.5},${note}\n`;
}
const HEADER = 'id,timestamp,site,group,measurement,count,rate,flag,comment\n';

/** Write rows until `bytes`; `version` > 0 re-randomises ~1% of rows and appends ~0.5% more rows. */
async function writeCsv(file, bytes, version) {
  if (existsSync(file)) return statSync(file).size;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const ws = createWriteStream(tmp, { highWaterMark: 1 << 22 });
  const base = rng(12345);
  const edits = rng(1000 + version);
  let written = 0;
  let i = 0;
  let parts = [];
  let partBytes = 0;
  const flush = async () => {
    const s = parts.join('');
    parts = [];
    partBytes = 0;
    written += Buffer.byteLength(s);
    if (!ws.write(s)) await new Promise((r) => ws.once('drain', r));
  };
  parts.push(HEADER);
  const target = bytes;
  while (written + partBytes < target) {
    let l = row(i, base);
    // Every version re-randomises its own ~1% of rows (cumulative over versions v' ≤ version).
    for (let v = 1; v <= version; v++) if ((i * 2654435761 + v * 40503) % 100 === 0) l = row(i, rng(i * 31 + v));
    parts.push(l);
    partBytes += l.length;
    i++;
    if (partBytes > 1 << 20) await flush();
  }
  // Appended rows.
  const extra = Math.floor(i * 0.005 * version);
  for (let k = 0; k < extra; k++) {
    parts.push(row(i + k, edits));
    if (parts.length > 5000) await flush();
  }
  await flush();
  await new Promise((r) => ws.end(r));
  renameSync(tmp, file);
  return statSync(file).size;
}

export async function ensureData({ big = false } = {}) {
  const csv100 = path.join(DATA, 'data-100mb.csv');
  await writeCsv(csv100, 100e6, 0);
  const versions = [];
  for (let v = 1; v <= 10; v++) {
    const f = path.join(DATA, 'versions', `v${String(v).padStart(2, '0')}.csv`);
    await writeCsv(f, 100e6, v - 1);
    versions.push(f);
  }
  let csv1g = null;
  if (big) {
    csv1g = path.join(DATA, 'data-1gib.csv');
    await writeCsv(csv1g, 2 ** 30, 0);
  }
  return { csv100, versions, csv1g };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = performance.now();
  const r = await ensureData({ big: process.argv.includes('--big') });
  console.log(`bench data ready in ${((performance.now() - t) / 1000).toFixed(1)} s:`, r);
}
