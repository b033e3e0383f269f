/** The README's error table covers every exit code the CLI can return, and every core error code (issue 19). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_BLOCKED, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, HOOKS_EXIT_CODES } from '@savepoint/hooks';
import { EXIT, byCode, exitCodeFor } from './exit-codes.js';

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8');

/** exit code → the text of its README row */
function readmeTable(): Map<number, string> {
  const readme = read('../../../README.md');
  const section = readme.slice(readme.indexOf('## Errors and exit codes'));
  const rows = new Map<number, string>();
  for (const line of section.split('\n')) {
    const m = /^\| (\d+) \| (.*) \|$/.exec(line);
    if (m) rows.set(Number(m[1]), m[2]!);
    if (rows.size && line.startsWith('## ')) break;
  }
  return rows;
}

describe('exit codes', () => {
  it('every core error code has its own exit code (none falls through to the generic 1)', () => {
    const core = [...read('../../../packages/core/src/errors.ts').matchAll(/\| '(E_[A-Z_]+)'/g)].map((m) => m[1]!);
    expect(core.length).toBeGreaterThan(20);
    expect(core.filter((c) => !(c in byCode))).toEqual([]);
  });

  it('the README row of each exit code names every error code mapped to it', () => {
    const rows = readmeTable();
    for (const [code, exit] of Object.entries(byCode)) {
      expect(rows.get(exit), `${code} → ${exit}`).toContain(`\`${code}\``);
      expect(exitCodeFor(code)).toBe(exit);
    }
  });

  it('savepoint-hooks exits with the same code as the CLI for the same error', () => {
    expect(Object.keys(HOOKS_EXIT_CODES).length).toBeGreaterThan(3);
    for (const [code, exit] of Object.entries(HOOKS_EXIT_CODES)) expect(exitCodeFor(code), code).toBe(exit);
    expect([EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_INTERNAL]).toEqual([EXIT.ok, EXIT.problems, EXIT.usage, EXIT.internal]);
  });

  it('the README lists every exit code the CLI can return, and no other', () => {
    const possible = new Set<number>([...Object.values(EXIT), ...Object.values(byCode), exitCodeFor('E_SOMETHING_FROM_DIFF')]);
    expect([...readmeTable().keys()].sort((a, b) => a - b)).toEqual([...possible].sort((a, b) => a - b));
    expect(readmeTable().get(EXIT.usage)).toContain('`E_USAGE`');
  });
});
