// Child of tui-filter.bench.mjs: N synthetic version records, then the TUI's filter (apps/tui state/filter.ts,
// built) for each query: the first run builds every record's text (cold), the second reuses it (warm).
// Prints one JSON line: {coldMs, warmMs: {query: ms}, matches: {query: n}, typingMaxMs, typingFullMaxMs}. Also writes the same texts to
// argv[3] (one record a line) so the bench can run grep over exactly the same data.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, out, nText, ...queries] = process.argv.slice(2);
const { filterList, filterNarrowing, filterVersions, versionText } = await import(pathToFileURL(path.join(root, 'apps/tui/dist/state/filter.js')).href);
const N = Number(nText);
const base = Date.UTC(2026, 0, 1);
const vs = Array.from({ length: N }, (_, i) => ({
  version: N - i,
  summary: `save number ${i} of sensor run ${i % 97}`,
  ...(i % 7 ? {} : { description: 'recalibrated the sensor' }),
  tags: i % 1000 ? [] : [`release-${i}`],
  ...(i % 3 ? { experiment: `exp-${i % 50}` } : {}),
  savedAt: new Date(base + i * 60_000).toISOString(),
  kind: i % 5 ? 'manual' : 'auto',
}));
let t = performance.now();
filterVersions(vs, queries[0]);
const coldMs = performance.now() - t;
const warmMs = {};
const matches = {};
for (const q of queries) {
  t = performance.now();
  matches[q] = filterVersions(vs, q).length;
  warmMs[q] = performance.now() - t;
}
// typing "exp-42 2026" key by key into the prompt: each key narrows from the previous result
const typed = 'exp-42 2026';
let memo = null;
let typingMaxMs = 0;
let typingFullMaxMs = 0;
for (let i = 1; i <= typed.length; i++) {
  const q = typed.slice(0, i);
  t = performance.now();
  memo = filterNarrowing(memo, vs, q, versionText);
  typingMaxMs = Math.max(typingMaxMs, performance.now() - t);
  t = performance.now();
  filterList(vs, q, versionText);
  typingFullMaxMs = Math.max(typingFullMaxMs, performance.now() - t);
}
writeFileSync(out, vs.map((v) => versionText(v).replace(/\n/g, ' ')).join('\n') + '\n');
console.log(JSON.stringify({ coldMs, warmMs, matches, typingMaxMs, typingFullMaxMs }));
