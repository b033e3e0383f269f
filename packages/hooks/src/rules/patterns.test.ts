import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRACKED_PATTERNS } from '../config.js';
import { compileMatcher, hookPatterns, isChecksummed, lintStagedEntry, lintStagedGlob } from './patterns.js';

// lint-staged's own matcher, so the key we write means to lint-staged what our patterns mean to us.
const require = createRequire(import.meta.url);
const lsDir = path.dirname(require.resolve('lint-staged/package.json'));
const { matchFiles } = (await import(pathToFileURL(path.join(lsDir, 'lib/matchFiles.js')).href)) as {
  matchFiles: (files: { filepath: string }[], pattern: string, cwd: string) => { filepath: string }[];
};
const lintStagedMatches = (glob: string, file: string): boolean =>
  matchFiles([{ filepath: path.join('/repo', file) }], glob, '/repo').length === 1;

// the same extensions written lint-staged's way (`*.csv`): must mean what core's `**/*.csv` list means to the hook
const BASENAME_DEFAULTS = DEFAULT_TRACKED_PATTERNS.map((p) => p.replace(/^\*\*\//, ''));

describe('lintStagedGlob', () => {
  it('collapses extension patterns into one readable key', () => {
    expect(lintStagedGlob(DEFAULT_TRACKED_PATTERNS)).toBe('*.{csv,tsv,json,xlsx,mat,h5,hdf5,db,sqlite}');
    expect(lintStagedGlob(BASENAME_DEFAULTS)).toBe('*.{csv,tsv,json,xlsx,mat,h5,hdf5,db,sqlite}');
    expect(lintStagedGlob(hookPatterns(DEFAULT_TRACKED_PATTERNS))).toBe(
      '{*.{csv,tsv,json,xlsx,mat,h5,hdf5,db,sqlite,pem,key},.env,.env.*,id_rsa,id_dsa,id_ecdsa,id_ed25519}',
    );
  });

  const segment = fc.constantFrom('a', 'data', 'backups', '.hidden', 'x y', 'id_rsa', '.env', 'sub');
  const leaf = fc.constantFrom('x.csv', 'y.TSV', 'p.json', '.env', '.env.local', '.env.example', 'k.pem', 'README.md', 'id_rsa', 'id_rsa.pub', 'a.sqlite', 'b.h5', 'c.txt');
  const file = fc.tuple(fc.array(segment, { maxLength: 3 }), leaf).map(([d, l]) => [...d, l].join('/'));
  const patternSets = fc.constantFrom(
    hookPatterns(DEFAULT_TRACKED_PATTERNS),
    hookPatterns(BASENAME_DEFAULTS),
    hookPatterns(['*.csv', '**/*.json', 'b.h5']),
  );

  it('the default list (one, from core) selects the same files for the hook as for core, in every folder', () => {
    expect(DEFAULT_TRACKED_PATTERNS.every((p) => p.startsWith('**/'))).toBe(true);
    const core = picomatch([...DEFAULT_TRACKED_PATTERNS], { dot: false }); // what `savepoint status` uses
    const hook = compileMatcher(DEFAULT_TRACKED_PATTERNS);
    const basename = compileMatcher(BASENAME_DEFAULTS);
    for (const f of ['x.csv', 'a/x.csv', 'a/b/c/x.tsv', 'x.csv.bak', 'a/README.md', 'y.TSV', 'db/a.sqlite']) {
      expect(hook(f), f).toBe(core(f));
      expect(basename(f), f).toBe(core(f));
    }
    // dot folders: core leaves them out of tracking (`.git`, `.savepoint`), the hook still checks what is staged there
    expect(core('.cache/x.csv')).toBe(false);
    expect(hook('.cache/x.csv')).toBe(true);
    fc.assert(
      fc.property(file.filter((f) => !f.split('/').some((s) => s.startsWith('.'))), (f) => {
        expect(hook(f)).toBe(core(f));
        expect(lintStagedMatches(lintStagedGlob(DEFAULT_TRACKED_PATTERNS) as string, f)).toBe(core(f));
      }),
      { numRuns: 300 },
    );
  });

  it('gives up on patterns with a directory part (the check filters instead)', () => {
    expect(lintStagedGlob(['data/**/*.csv', '*.json'])).toBeNull();
    expect(lintStagedEntry(['data/**/*.csv'], 'savepoint-hooks check')).toEqual({ glob: '*', command: 'savepoint-hooks check --filter' });
    expect(lintStagedMatches('*', 'deep/dir/.env')).toBe(true);
  });

  it('means to lint-staged exactly what the patterns mean to the check', () => {
    fc.assert(
      fc.property(patternSets, file, (patterns, f) => {
        expect(lintStagedMatches(lintStagedGlob(patterns) as string, f)).toBe(compileMatcher(patterns)(f));
      }),
      { numRuns: 500 },
    );
  });
});

describe('isChecksummed', () => {
  it('records data files but not tooling JSON or checksums.txt', () => {
    const tracked = compileMatcher(DEFAULT_TRACKED_PATTERNS);
    expect(isChecksummed('data/x.csv', tracked)).toBe(true);
    expect(isChecksummed('results.json', tracked)).toBe(true);
    expect(isChecksummed('package.json', tracked)).toBe(false);
    expect(isChecksummed('tsconfig.build.json', tracked)).toBe(false);
    expect(isChecksummed('.env', tracked)).toBe(false);
    expect(isChecksummed('notes.md', tracked)).toBe(false);
  });
});
