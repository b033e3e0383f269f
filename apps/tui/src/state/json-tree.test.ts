import { afterAll, beforeAll, expect, test } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffFiles } from '@savepoint/diff';
import { jsonTree, treeLineText } from './json-tree.js';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-jtree-'));
});
afterAll(async () => fsp.rm(dir, { recursive: true, force: true }));

test('a real JSON diff becomes a tree of changed paths under their parents', async () => {
  const a = { name: 'exp', params: { lr: 0.1, layers: [64, 32] }, runs: [{ id: 1, loss: 0.5 }, { id: 2, loss: 0.4 }], old: true };
  const b = { name: 'exp', params: { lr: 0.05, layers: [64, 32], dropout: 0.2 }, runs: [{ id: 1, loss: 0.5 }, { id: 2, loss: 0.3 }] };
  await fsp.writeFile(path.join(dir, 'a.json'), JSON.stringify(a));
  await fsp.writeFile(path.join(dir, 'b.json'), JSON.stringify(b));
  const r = await diffFiles({ path: path.join(dir, 'a.json') }, { path: path.join(dir, 'b.json') }, { name: 'run.json' });
  if (r.format !== 'json') throw new Error(`expected a json diff, got ${r.format}`);
  const text = jsonTree(r.changes).map(treeLineText);
  // parents once, children indented below them
  expect(text.filter((l) => l.trim() === 'params')).toHaveLength(1);
  const pi = text.findIndex((l) => l.trim() === 'params');
  expect(text.slice(pi + 1, pi + 3)).toEqual(expect.arrayContaining(['~   lr: 0.1 → 0.05', '+   dropout: 0.2']));
  expect(text).toContain('- old: true');
  const ri = text.findIndex((l) => l.trim() === 'runs');
  expect(ri).toBeGreaterThanOrEqual(0);
  expect(text.slice(ri + 1).join('\n')).toMatch(/^\s+\[(id=2|1)\]\n~\s{5}loss: 0\.4 → 0\.3/m);
});
