/**
 * Start-up (issue 17 item 4b): the small commands load only the bundle chunks they need. A module-loading hook
 * (node --import) records every file the bundled CLI loads; the sources esbuild names in each chunk's comments
 * tell which packages came along. Pinned here so an eager import of the diff engine, the TUI, the S3 client,
 * isomorphic-git … on these paths fails a test instead of slowing every command down silently (timings
 * themselves live in bench/startup.bench.mjs).
 */
import { spawnSync } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI_ENV, cleanEnv, sp, tempDir } from './helpers/cli.js';

let dir: string;
let hooks: string;
const bundleDir = path.dirname(BIN);

/** Packages (as esbuild names their files in chunk comments) that none of these commands may load. */
const HEAVY = [
  'packages/diff/',
  'packages/tui/',
  'apps/tui/',
  'node_modules/.pnpm/@aws-sdk',
  'node_modules/.pnpm/@smithy',
  'node_modules/.pnpm/ink@',
  'node_modules/.pnpm/react@',
  'node_modules/.pnpm/isomorphic-git@',
  'node_modules/.pnpm/prom-client@',
  'node_modules/.pnpm/chokidar@',
  'node_modules/.pnpm/exceljs@',
  'packages/core/dist/remote/s3/client.js',
];

/** Run the bundled CLI with the recording hook; returns the bundle files it loaded and the sources in them. */
function loaded(args: string[]): { files: string[]; sources: Set<string>; code: number } {
  const trace = path.join(hooks, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(hooks, 'register.mjs')).href, BIN, ...args], {
    cwd: dir,
    env: cleanEnv({ ...CLI_ENV, SP_TRACE_FILE: trace }),
    encoding: 'utf8',
  });
  const urls = readFileSync(trace, 'utf8').split('\n').filter((u) => u.startsWith('file://'));
  const files = urls.map((u) => new URL(u).pathname).filter((f) => path.dirname(f) === bundleDir);
  const sources = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/^\/\/ ((?:node_modules|packages|apps)\/\S+)$/gm)) sources.add(m[1]!);
  return { files: files.map((f) => path.basename(f)), sources, code: r.status ?? -1 };
}

const heavyIn = (sources: Set<string>) => [...sources].filter((s) => HEAVY.some((h) => s.startsWith(h)));

beforeAll(async () => {
  dir = await tempDir();
  hooks = await tempDir();
  await fsp.writeFile(path.join(hooks, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  await fsp.writeFile(
    path.join(hooks, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(process.env.SP_TRACE_FILE, url + '\\n');\n  return next(url, context);\n}\n",
  );
  expect(sp(dir, ['init']).code).toBe(0);
  await fsp.writeFile(path.join(dir, 'data.csv'), 'id,v\n1,2\n');
  expect(sp(dir, ['save', 'data.csv', '-m', 'one']).code).toBe(0);
  await fsp.writeFile(path.join(dir, 'data.csv'), 'id,v\n1,3\n');
}, 60_000);

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.rm(hooks, { recursive: true, force: true });
});

describe('what the small commands load', () => {
  it.each([[['log', '--json']], [['status', '--json']], [['log', 'data.csv']], [['show', 'data.csv@1', '--json']]])('%j: core, no diff/TUI/S3/git-library/metrics chunks', (args) => {
    const r = loaded(args);
    expect(r.code).toBe(0);
    expect(r.sources.has('packages/core/dist/api/query.js')).toBe(true);
    expect(heavyIn(r.sources)).toEqual([]);
  });

  it('save: core, no diff/TUI/S3/git-library/metrics chunks', () => {
    const r = loaded(['save', 'data.csv', '-m', 'two', '--json']);
    expect(r.code).toBe(0);
    expect(r.sources.has('packages/core/dist/api/save.js')).toBe(true);
    expect(heavyIn(r.sources)).toEqual([]);
  });

  it('--version loads nothing but bin.js', () => {
    const r = loaded(['--version']);
    expect(r.code).toBe(0);
    expect(r.files).toEqual(['bin.js']);
  });

  it('--help builds the command tree without loading core', () => {
    const r = loaded(['--help']);
    expect(r.code).toBe(0);
    expect(r.sources.has('node_modules/.pnpm/commander@14.0.3/node_modules/commander/lib/command.js') || [...r.sources].some((s) => s.includes('/commander/lib/command.js'))).toBe(true);
    expect([...r.sources].filter((s) => s.startsWith('packages/core/dist/') && s !== 'packages/core/dist/util/format.js')).toEqual([]);
  });

  it('the check itself sees a heavy chunk when one is loaded (diff loads the diff engine)', async () => {
    await fsp.writeFile(path.join(dir, 'data.csv'), 'id,v\n1,4\n');
    const r = loaded(['diff', 'data.csv', '--json']);
    expect(r.code).toBe(0);
    expect(heavyIn(r.sources).filter((s) => s.startsWith('packages/diff/')).length).toBeGreaterThan(0);
  });
});
