import picomatch from 'picomatch';

/**
 * File-name scope of the hook. Matching follows lint-staged exactly (same library, same options):
 * a pattern without `/` is matched against the basename in every directory, `dot: true`.
 */

/** Files that may hold secrets by their very name; the hook looks at them even though they are not data. */
export const SECRET_FILE_PATTERNS: readonly string[] = Object.freeze([
  '.env', '.env.*', '*.pem', '*.key', 'id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519',
]);

/** Tooling files that match `*.json` but are not data: checked, never recorded in checksums.txt. */
const TOOLING_BASENAMES = new Set([
  'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'savepoint.json', 'manifest.json',
  '.lintstagedrc.json', 'jsconfig.json', 'composer.json', 'composer.lock', 'deno.json', 'bun.lock',
]);

export type PathMatcher = (repoRelativePath: string) => boolean;

export function compileMatcher(patterns: readonly string[]): PathMatcher {
  const matchers = patterns.map((p) => {
    // The same options lint-staged 16 passes (posixSlashes is missing from @types/picomatch).
    const options = { dot: true, matchBase: !p.includes('/'), posixSlashes: true, strictBrackets: true };
    return picomatch(p, options as picomatch.PicomatchOptions);
  });
  return (file) => matchers.some((m) => m(file));
}

/** All patterns the hook is responsible for: the tracked data patterns plus secret-looking names. */
export function hookPatterns(trackedPatterns: readonly string[]): string[] {
  return unique([...trackedPatterns, ...SECRET_FILE_PATTERNS]);
}

/** Whether a file's checksum belongs in checksums.txt (a tracked data file, not a tooling file). */
export function isChecksummed(file: string, tracked: PathMatcher): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (file === 'checksums.txt') return false;
  if (TOOLING_BASENAMES.has(base) || /^tsconfig.*\.json$/.test(base)) return false;
  return tracked(file);
}

/**
 * One lint-staged glob covering all patterns, or null when no single glob can say it. One key (not
 * several) because lint-staged runs the tasks of different keys concurrently, and the check writes
 * checksums.txt. `*.csv`, `**​/*.tsv` collapse to `*.{csv,tsv}`. Patterns with a directory part cannot
 * be combined (picomatch does not treat `**` inside braces as a globstar): null, and the caller maps
 * `*` to the check with `--filter` so the check applies the patterns itself.
 */
export function lintStagedGlob(patterns: readonly string[]): string | null {
  // `**/x` (x without `/`) means the same as `x` under lint-staged's basename matching.
  const ps = unique(patterns.map((p) => (/^\*\*\/[^/]+$/.test(p) ? p.slice(3) : p)));
  if (ps.length === 0 || ps.some((p) => p.includes('/'))) return null;
  const exts: string[] = [];
  const others: string[] = [];
  for (const p of ps) {
    const m = /^\*\.([A-Za-z0-9_-]+)$/.exec(p);
    if (m?.[1] !== undefined) exts.push(m[1]);
    else others.push(p);
  }
  const parts: string[] = [];
  if (exts.length === 1) parts.push(`*.${exts[0]}`);
  else if (exts.length > 1) parts.push(`*.{${exts.join(',')}}`);
  parts.push(...others);
  return parts.length === 1 ? (parts[0] as string) : `{${parts.join(',')}}`;
}

/** The lint-staged config entry that runs `command` on exactly the files the patterns select. */
export function lintStagedEntry(patterns: readonly string[], command: string): { glob: string; command: string } {
  const glob = lintStagedGlob(patterns);
  return glob === null ? { glob: '*', command: `${command} --filter` } : { glob, command };
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
