import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The storage engine sits at the bottom of the core: nothing it imports may import it back (issue 18:
// store/compact.ts → history → store was such a cycle). Checked on the sources, value imports only
// (`import type` is erased at build time and cannot form a load-time cycle).
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of sources(SRC)) {
    const text = readFileSync(f, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      deps.push(path.resolve(path.dirname(f), m[1]!.replace(/\.js$/, '.ts')));
    }
    g.set(f, deps);
  }
  return g;
}

/** A cycle through `from` (as a list of files), or null. */
function cycleThrough(g: Map<string, string[]>, from: string): string[] | null {
  const seen = new Set<string>();
  const walk = (f: string, trail: string[]): string[] | null => {
    for (const d of g.get(f) ?? []) {
      if (d === from) return [...trail, d];
      if (seen.has(d) || !g.has(d)) continue;
      seen.add(d);
      const c = walk(d, [...trail, d]);
      if (c) return c;
    }
    return null;
  };
  return walk(from, [from]);
}

describe('store imports', () => {
  it('no store/ module is part of an import cycle', () => {
    const g = graph();
    const store = [...g.keys()].filter((f) => f.includes(`${path.sep}store${path.sep}`));
    expect(store.length).toBeGreaterThan(10);
    const cycles = store.map((f) => cycleThrough(g, f)).filter((c): c is string[] => c !== null).map((c) => c.map((f) => path.relative(SRC, f)).join(' → '));
    expect(cycles).toEqual([]);
  });

  it('the checker sees a cycle when there is one', () => {
    const g = new Map([['/a', ['/b']], ['/b', ['/c']], ['/c', ['/a']]]);
    expect(cycleThrough(g, '/a')).toEqual(['/a', '/b', '/c', '/a']);
  });
});
