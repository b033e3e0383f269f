/**
 * Installable from npm (issue 18): every workspace package is packed the way it is published (`pnpm pack`,
 * which turns `workspace:*` into real versions), the tarballs are installed with plain npm into empty folders
 * outside the workspace, and the installed `savepoint` runs init, save, log, diff, verify and the TUI.
 *
 * better-sqlite3's native addon: its own install script downloads a prebuilt binary or compiles one (minutes
 * here, with no route to the prebuilt downloads), so by default npm installs with --ignore-scripts and the test
 * puts the workspace's build of the very same better-sqlite3 version in place. SAVEPOINT_PACK_NATIVE=1 runs the
 * real install scripts instead. Needs the bundle (`node apps/cli/scripts/bundle.mjs`), like every e2e test.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { existsSync, promises as fsp, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENV, cleanEnv, tempDir } from './helpers/cli.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['packages/errors', 'packages/core', 'packages/diff', 'packages/hooks', 'apps/tui', 'apps/cli'];
const rootPkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { packageManager: string; engines: { node: string } };
const pkgJson = (dir: string) => JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as Record<string, any>;
/** Required by code paths users only reach by opting in; each stays out of `dependencies` on purpose. */
const OPTIONAL_EXTERNALS: Record<string, string> = {
  'react-devtools-core': 'Ink loads it only when DEV=true',
  '@aws-sdk/signature-v4-crt': 'the AWS SDK tries it inside try/catch for SigV4a, which S3 remotes do not use',
  bufferutil: 'ws (Ink devtools) tries it inside try/catch',
  'utf-8-validate': 'ws (Ink devtools) tries it inside try/catch',
};
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

interface Packed {
  dir: string;
  name: string;
  tarball: string;
  files: string[];
  manifest: Record<string, any>;
}

/** pnpm itself when the suite runs under pnpm, else the exact pnpm the root package.json names */
function pnpmCommand(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(path.basename(execPath)) && execPath.endsWith('.cjs')) return [process.execPath, [execPath]];
  return ['npx', ['-y', rootPkg.packageManager]];
}

let work: string;
const packed = new Map<string, Packed>();
let cliApp: string;
let libApp: string;
const env = () => cleanEnv({ ...CLI_ENV, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });

async function npmInstall(dir: string, tarballs: string[]): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), private: true }) + '\n');
  const native = process.env.SAVEPOINT_PACK_NATIVE === '1';
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...(native ? [] : ['--ignore-scripts']), ...tarballs], { cwd: dir, env: env(), maxBuffer: 1 << 24 });
  if (native) return;
  // the addon better-sqlite3's install script would build: the workspace's build of the same version
  const installed = path.join(dir, 'node_modules/better-sqlite3');
  const ours = path.dirname(createRequire(path.join(ROOT, 'apps/cli/package.json')).resolve('better-sqlite3/package.json'));
  const version = (d: string) => (JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')) as { version: string }).version;
  expect(version(installed)).toBe(version(ours));
  await fsp.mkdir(path.join(installed, 'build/Release'), { recursive: true });
  await fsp.copyFile(path.join(ours, 'build/Release/better_sqlite3.node'), path.join(installed, 'build/Release/better_sqlite3.node'));
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'apps/cli/bundle/bin.js'))) throw new Error('apps/cli/bundle/bin.js is missing: run `npx tsc -b && node apps/cli/scripts/bundle.mjs` first');
  work = await tempDir();
  const out = path.join(work, 'tarballs');
  await fsp.mkdir(out);
  const [cmd, pre] = pnpmCommand();
  // scripts off: the CLI's prepack rebuilds the bundle, which other e2e tests are running at this moment
  await Promise.all(
    PACKAGES.map(async (dir) => {
      const { stdout } = await run(cmd, [...pre, 'pack', '--json', '--pack-destination', out, '--config.ignore-scripts=true'], { cwd: path.join(ROOT, dir), env: env(), maxBuffer: 1 << 24 });
      const info = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { name: string; filename: string; files: { path: string }[] };
      const manifest = JSON.parse(execFileSync('tar', ['-xzOf', info.filename, 'package/package.json'], { encoding: 'utf8' })) as Record<string, any>;
      packed.set(dir, { dir, name: info.name, tarball: info.filename, files: info.files.map((f) => f.path), manifest });
      await fsp.mkdir(path.join(work, 'unpacked', info.name), { recursive: true });
      await run('tar', ['-xzf', info.filename, '-C', path.join(work, 'unpacked', info.name)]);
    }),
  );
  cliApp = path.join(work, 'cli-app');
  libApp = path.join(work, 'lib-app');
  // the CLI alone (what `npm i -g savepoint` installs), and the four libraries together
  await Promise.all([
    npmInstall(cliApp, [packed.get('apps/cli')!.tarball]),
    npmInstall(libApp, PACKAGES.filter((d) => d !== 'apps/cli').map((d) => packed.get(d)!.tarball)),
  ]);
}, 240_000);

afterAll(async () => {
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

describe('tarballs', () => {
  it('each has its LICENSE, a description, public access for scoped names and no workspace: ranges', () => {
    const license = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    for (const p of packed.values()) {
      expect(p.files, p.name).toContain('LICENSE');
      expect(readFileSync(path.join(ROOT, p.dir, 'LICENSE'), 'utf8'), p.dir).toBe(license);
      expect(p.manifest.license).toBe('MIT');
      expect(p.manifest.description, p.name).toBeTruthy();
      expect(p.manifest.engines.node, p.name).toBe(rootPkg.engines.node);
      if (p.name.startsWith('@')) expect(p.manifest.publishConfig, p.name).toEqual({ access: 'public' });
      expect(JSON.stringify(p.manifest), p.name).not.toContain('workspace:');
    }
  });

  it('ship no tests or test helpers', () => {
    for (const p of packed.values()) {
      expect(p.files.filter((f) => /\.test\.|(^|\/)(testing|test-util|test)\/|test-helpers/.test(f)), p.name).toEqual([]);
    }
  });

  it('every source map a file links to is shipped, and names only sources the tarball ships or carries itself', async () => {
    let mapsChecked = 0;
    for (const p of packed.values()) {
      const files = new Set(p.files);
      const root = path.join(work, 'unpacked', p.name);
      const read = (f: string) => readFileSync(path.join(root, 'package', f), 'utf8');
      const rel = (from: string, to: string) => path.posix.normalize(path.posix.join(path.posix.dirname(from), to));
      for (const f of p.files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
        const link = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(read(f))?.[1];
        if (link && !link.startsWith('data:')) expect(files.has(rel(f, link)), `${p.name} ${f} → ${link}`).toBe(true);
      }
      for (const m of p.files.filter((f) => f.endsWith('.map'))) {
        const map = JSON.parse(read(m)) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
        map.sources.forEach((src, i) => {
          const shipped = files.has(rel(m, path.posix.join(map.sourceRoot ?? '', src)));
          expect(shipped || typeof map.sourcesContent?.[i] === 'string', `${p.name} ${m} → ${src}`).toBe(true);
        });
        mapsChecked++;
      }
    }
    expect(mapsChecked).toBeGreaterThan(100);
  });

  it('the CLI ships only its bundle and depends on exactly the modules the bundle leaves external', () => {
    const cli = packed.get('apps/cli')!;
    expect(cli.manifest.bin).toEqual({ savepoint: './bundle/bin.js' });
    expect(cli.files.filter((f) => !f.startsWith('bundle/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json'].filter((f) => cli.files.includes(f)).sort());
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const bare = new Set<string>();
    for (const f of cli.files.filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(path.join(work, 'unpacked', cli.name, 'package', f), 'utf8');
      const specs = [
        ...text.matchAll(/^import\s(?:[^;"]*?\sfrom\s*)?"([^"]+)";?$/gm), // static imports (esbuild prints one per line)
        ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
        ...text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g),
      ].map((m) => m[1]!);
      for (const spec of specs) {
        if (spec.startsWith('.') || !/^(@[\w.-]+\/)?[\w.-]+(\/[\w./-]*)?$/.test(spec)) continue;
        if (builtins.has(spec) || builtins.has(spec.split('/')[0]!)) continue;
        bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    const deps = Object.keys(cli.manifest.dependencies ?? {});
    expect(deps).toEqual(['better-sqlite3']);
    expect([...bare].filter((b) => !(b in OPTIONAL_EXTERNALS)).sort()).toEqual(deps);
  });
});

describe('installed with plain npm', () => {
  const savepoint = (cwd: string, args: string[]) =>
    spawnSync(path.join(cliApp, 'node_modules/.bin/savepoint'), args, { cwd, env: env(), encoding: 'utf8' });

  it('every installed package accepts every Node version our engines allow, and so do husky and lint-staged', async () => {
    const ours = rootPkg.engines.node;
    const bad: string[] = [];
    const check = (name: string, range: string | undefined) => {
      if (range && !semver.subset(ours, range)) bad.push(`${name} needs node ${range}`);
    };
    for (const app of [cliApp, libApp]) {
      const walk = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          if (!e.isDirectory() || e.name === '.bin') continue;
          const d = path.join(dir, e.name);
          if (e.name.startsWith('@')) walk(d);
          else if (existsSync(path.join(d, 'package.json'))) {
            const pj = JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')) as { name: string; engines?: { node?: string } };
            check(pj.name, pj.engines?.node);
            if (existsSync(path.join(d, 'node_modules'))) walk(path.join(d, 'node_modules'));
          }
        }
      };
      walk(path.join(app, 'node_modules'));
    }
    // what `savepoint hooks install` adds to a user's devDependencies (husky mode)
    const hooks = await import('../packages/hooks/src/install.js');
    for (const [name, range] of [['husky', hooks.HUSKY_RANGE], ['lint-staged', hooks.LINT_STAGED_RANGE]] as const) {
      const pj = JSON.parse(readFileSync(path.join(ROOT, 'packages/hooks/node_modules', name, 'package.json'), 'utf8')) as { version: string; engines?: { node?: string } };
      expect(semver.satisfies(pj.version, range), `${name} ${pj.version} is what ${range} installs`).toBe(true);
      check(name, pj.engines?.node);
    }
    expect(bad).toEqual([]);
  });

  it('npx savepoint --version prints the package version', async () => {
    const { stdout } = await run('npx', ['--no-install', 'savepoint', '--version'], { cwd: cliApp, env: env() });
    expect(stdout.trim()).toBe(packed.get('apps/cli')!.manifest.version);
  });

  it('init, save, log, diff, verify work from the installed package', async () => {
    const vault = path.join(work, 'vault');
    await fsp.mkdir(vault);
    expect(savepoint(vault, ['init']).status).toBe(0);
    await fsp.writeFile(path.join(vault, 'data.csv'), 'id,value\n1,a\n2,b\n');
    expect(savepoint(vault, ['save', 'data.csv', '-m', 'first']).status).toBe(0);
    await fsp.writeFile(path.join(vault, 'data.csv'), 'id,value\n1,a\n2,c\n');
    expect(savepoint(vault, ['save', 'data.csv', '-m', 'second']).status).toBe(0);
    const log = savepoint(vault, ['log', '--json']);
    expect(log.status, log.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(log.stdout))).toContain('second');
    const diff = savepoint(vault, ['diff', 'data.csv@1', 'data.csv@2']);
    expect(diff.status, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/\bc\b/);
    const verify = savepoint(vault, ['verify']);
    expect(verify.status, verify.stderr).toBe(0);
    // the hooks package's own bin, from the library install
    const check = spawnSync(path.join(libApp, 'node_modules/.bin/savepoint-hooks'), ['check', 'data.csv'], { cwd: vault, env: env(), encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    // the libraries import by name (ESM) from a plain npm install
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "for (const m of ['@savepoint/core', '@savepoint/diff', '@savepoint/hooks', '@savepoint/tui']) console.log(m, Object.keys(await import(m)).length)"], { cwd: libApp, env: env() });
    const counts = Object.fromEntries(stdout.trim().split('\n').map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]));
    expect(Object.keys(counts)).toEqual(['@savepoint/core', '@savepoint/diff', '@savepoint/hooks', '@savepoint/tui']);
    for (const [m, n] of Object.entries(counts)) expect(n, m).toBeGreaterThan(0);
  });

  it.skipIf(!hasTmux)('the TUI draws its first frame and quits on q', async () => {
    const vault = path.join(work, 'vault');
    const sock = path.join(work, 'tmux.sock');
    const status = path.join(work, 'tui-status');
    const tmux = (...args: string[]) => execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8', env: cleanEnv() });
    const bin = path.join(cliApp, 'node_modules/.bin/savepoint');
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'pack', '-x', '100', '-y', '30', '-c', vault, `env -u CI TERM=xterm-256color '${bin}' tui; echo $? > '${status}'`);
    try {
      let screen = '';
      for (const end = Date.now() + 20_000; Date.now() < end && !screen.includes('data.csv'); await new Promise((r) => setTimeout(r, 50))) screen = tmux('capture-pane', '-p', '-t', 'pack');
      expect(screen).toContain('data.csv');
      expect(screen).toContain('History');
      tmux('send-keys', '-t', 'pack', 'q');
      for (const end = Date.now() + 10_000; Date.now() < end && !existsSync(status); ) await new Promise((r) => setTimeout(r, 50));
      expect(readFileSync(status, 'utf8').trim()).toBe('0');
    } finally {
      spawnSync('tmux', ['-S', sock, 'kill-server']);
    }
  });
});
