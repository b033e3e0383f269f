/**
 * esbuild browser bundles of the browser entry points, built from source with `platform: 'browser'`.
 * Every import of a Node built-in (node:*, fs, path, crypto, …) anywhere in the graph is recorded with the
 * module that imported it, so a test can fail on it. The one exception is the bare module `buffer`, which
 * isomorphic-git's dependencies import: it resolves to the `buffer` package (a browser implementation,
 * a dependency of @savepoint/core), as a web app's bundler must be told to do.
 */
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const coreRequire = createRequire(path.join(root, 'packages/core/package.json'));

/** Our workspace entry points, mapped to their TypeScript sources. */
export const SOURCES: Record<string, string> = {
  '@savepoint/core/browser': path.join(root, 'packages/core/src/browser/index.ts'),
  '@savepoint/diff/browser': path.join(root, 'packages/diff/src/browser.ts'),
};

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

export interface BrowserBundle {
  code: string;
  /** `<built-in> (imported by <file>)` for every Node built-in the graph reached */
  nodeBuiltins: string[];
  /** bytes of the bundle */
  size: number;
}

/** Bundle `source` (an ES module's text; bare imports resolve as from test/, where the e2e package's dependencies are) for browsers. */
export async function bundleForBrowser(source: string, opts: { minify?: boolean } = {}): Promise<BrowserBundle> {
  const nodeBuiltins: string[] = [];
  const plugin: Plugin = {
    name: 'savepoint-browser',
    setup(b) {
      b.onResolve({ filter: /^@savepoint\/(core|diff)\/browser$/ }, (args) => ({ path: SOURCES[args.path]! }));
      b.onResolve({ filter: /^buffer\/?$/ }, () => ({ path: coreRequire.resolve('buffer/') }));
      b.onResolve({ filter: /.*/ }, (args) => {
        if (builtins.has(args.path) || builtins.has(args.path.split('/')[0]!)) {
          nodeBuiltins.push(`${args.path} (imported by ${path.relative(root, args.importer)})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  const r = await build({
    stdin: { contents: source, resolveDir: path.join(root, 'test'), sourcefile: 'browser-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    minify: opts.minify ?? false,
    logLevel: 'silent',
    plugins: [plugin],
    define: { 'process.env.NODE_DEBUG': 'false' },
  });
  const code = r.outputFiles[0]!.text;
  return { code, nodeBuiltins, size: Buffer.byteLength(code) };
}
