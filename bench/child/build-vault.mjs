// Build a vault with N saves quickly: one process, the core API in a loop (no CLI start-up per save).
//   node bench/child/build-vault.mjs DIR N
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { initVault, openVault, save } from '../../packages/core/dist/index.js';

const [dir, nText] = process.argv.slice(2);
const n = Number(nText);
await initVault({ dir });
const vault = await openVault({ dir, author: { name: 'Bench', email: 'bench@example.com' } });
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  // two files so `log data.csv` has to filter
  const name = i % 2 ? 'data.csv' : 'params.json';
  writeFileSync(path.join(dir, name), name === 'data.csv' ? `id,value\n${i},${i * 3}\n` : JSON.stringify({ run: i, lr: 0.001 * i }) + '\n');
  await save(vault, { files: [name], message: `save ${i}` });
  if ((i + 1) % 1000 === 0) process.stderr.write(`  built ${i + 1}/${n} saves (${((performance.now() - t0) / (i + 1)).toFixed(1)} ms/save)\n`);
}
console.log(JSON.stringify({ saves: n, msPerSave: (performance.now() - t0) / n }));
