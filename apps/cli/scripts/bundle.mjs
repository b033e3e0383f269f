// Bundle the CLI (after `tsc -b`) into a few ESM files with code splitting: start-up then resolves a handful
// of modules instead of ~150, while commands keep loading their heavy parts lazily (separate chunks).
// Everything is inlined except native modules, which stay external and are this package's only dependencies
// (test/packaging.test.ts installs the packed tarball with plain npm and runs it).
// Ink and React are bundled too: loaded from node_modules they cost ~1 s of module resolution and CJS lexing
// before the TUI's first frame (bench/tui.bench.mjs).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const outdir = here('../bundle');
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    bin: here('../dist/bin.js'),
    // the CSV diff fingerprints large files in a worker it finds next to its module (see diff/src/csv/source.ts)
    'scan-worker': here('../../../packages/diff/dist/csv/scan-worker.js'),
    // verify hashes versions on every core in workers it finds next to its module (see core/src/store/digest-pool.ts)
    'digest-worker': here('../../../packages/core/dist/store/digest-worker.js'),
    // compact encodes large deltas on two threads with a worker it finds next to its module (see core/src/store/delta-parallel.ts)
    'delta-worker': here('../../../packages/core/dist/store/delta-worker.js'),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  // no source maps: several inlined packages ship maps whose sources they do not ship, so ours would point
  // at files no install has; the bundle is not minified (syntax only), so stack traces stay readable
  sourcemap: false,
  // Ink's devtools (only with DEV=true) need react-devtools-core, an optional package we do not ship
  external: ['better-sqlite3', 'react-devtools-core'],
  // bundled CommonJS packages call require(); give every chunk one
  banner: { js: "import { createRequire as __spCreateRequire } from 'node:module'; const require = __spCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
