// Bundle the CLI (after `tsc -b`) into a few ESM files with code splitting: start-up then resolves a handful
// of modules instead of ~150, while commands keep loading their heavy parts lazily (separate chunks).
// Native or very large packages stay external and are dependencies of this package. Ink and React are bundled:
// loaded from node_modules they cost ~1 s of module resolution and CJS lexing before the app's first frame
// (bench/tui.bench.mjs); react-devtools-core is Ink's optional dev-only import.
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
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  sourcemap: 'linked',
  external: ['better-sqlite3', 'exceljs', 'react-devtools-core'],
  // bundled CommonJS packages call require(); give every chunk one
  banner: { js: "import { createRequire as __spCreateRequire } from 'node:module'; const require = __spCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
