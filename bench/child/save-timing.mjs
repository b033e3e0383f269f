// Time K saves in-process on an existing vault (the catalog must be current: run `savepoint reindex` first).
//   node bench/child/save-timing.mjs DIR K
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openVault, save } from '../../packages/core/dist/index.js';

const [dir, kText] = process.argv.slice(2);
const k = Number(kText ?? 20);
const vault = await openVault({ dir, author: { name: 'Bench', email: 'bench@example.com' } });
const ms = [];
for (let i = 0; i < k; i++) {
  const name = `data-${i % 3}.csv`;
  writeFileSync(path.join(dir, name), `id,value\n${i},${Math.random()}\n`);
  const t0 = performance.now();
  const r = await save(vault, { files: [name], message: `bench save ${i}` });
  ms.push(performance.now() - t0);
  if (r.files[0].status !== 'saved') throw new Error(`save ${i} did not save`);
}
const sorted = [...ms].sort((a, b) => a - b);
console.log(JSON.stringify({ saves: k, medianMs: sorted[Math.floor(k / 2)], minMs: sorted[0], maxMs: sorted[k - 1], firstMs: ms[0] }));
