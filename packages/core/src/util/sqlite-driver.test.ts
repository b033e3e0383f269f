/** better-sqlite3 is handed its compiled addon's path (no `bindings` search at every start, issue 17). */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledAddon, loadDriver } from './sqlite.js';

const require = createRequire(import.meta.url);

describe('compiledAddon', () => {
  it('finds the node-gyp build the `bindings` package would pick', () => {
    const file = compiledAddon(require);
    expect(file).not.toBeNull();
    expect(existsSync(file!)).toBe(true);
    expect(path.basename(file!)).toBe('better_sqlite3.node');
    expect(file!.startsWith(path.dirname(require.resolve('better-sqlite3/package.json')) + path.sep)).toBe(true);
  });

  it('is null when better-sqlite3 cannot be resolved (the search is left to better-sqlite3)', () => {
    const missing = Object.assign(() => undefined, { resolve: () => { throw Object.assign(new Error('not found'), { code: 'MODULE_NOT_FOUND' }); } }) as unknown as NodeJS.Require;
    expect(compiledAddon(missing)).toBeNull();
  });

  it('the driver it loads opens databases, with options passed through', async () => {
    const Database = await loadDriver();
    const db = new Database(':memory:', { timeout: 1234 });
    try {
      expect(db.prepare('select 1 + 1 as n').get()).toEqual({ n: 2 });
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      db.close();
    }
  });
});
