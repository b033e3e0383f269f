#!/usr/bin/env node
/**
 * `pnpm web`: serve the built page (apps/web/dist) on 127.0.0.1 and, beside it, a vault over smart HTTP with
 * CORS: by default the bundled example data (examples/data, as examples/demo.sh saves it), or `--vault DIR`.
 * The page can clone it, save into it and push back. Prints the URL to open. Ctrl-C stops both.
 *
 *   node apps/web/scripts/serve.mjs [--port 4173] [--git-port 0] [--vault DIR] [--json]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gitHttpHandler } from './git-http.mjs';
import { staticHandler } from './static.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const dist = path.resolve(here, '../dist');
const cli = path.join(repoRoot, 'apps/cli/bundle/bin.js');

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string', default: '4173' },
    'git-port': { type: 'string', default: '0' },
    vault: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function fail(msg) {
  console.error(`savepoint web: ${msg}`);
  process.exit(1);
}

if (!existsSync(path.join(dist, 'index.html'))) fail(`${dist} has no built page. Run \`pnpm build\` (or \`node apps/web/scripts/build.mjs\`) first.`);

const work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'savepoint-web-')));
const env = {
  ...process.env,
  SAVEPOINT_AUTHOR_NAME: process.env.SAVEPOINT_AUTHOR_NAME || 'Savepoint Demo',
  SAVEPOINT_AUTHOR_EMAIL: process.env.SAVEPOINT_AUTHOR_EMAIL || 'demo@savepoint.invalid',
  NO_COLOR: '1',
};

/** The example vault of examples/demo.sh: three saves of a CSV and a JSON file, v2 tagged `baseline`. */
function makeDemoVault() {
  if (!existsSync(cli)) fail(`${cli} is missing. Run \`pnpm build\` first.`);
  const dir = path.join(work, 'lab-vault');
  const sp = (...args) => execFileSync(process.execPath, [cli, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  execFileSync(process.execPath, [cli, 'init', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const data = path.join(repoRoot, 'examples/data');
  for (const v of [1, 2, 3]) {
    copyFileSync(path.join(data, `measurements.v${v}.csv`), path.join(dir, 'measurements.csv'));
    copyFileSync(path.join(data, `run-config.v${v}.json`), path.join(dir, 'run-config.json'));
    sp('save', 'measurements.csv', 'run-config.json', '-m', `plate run ${v}`, '--experiment', 'EXP-2026-041', ...(v === 2 ? ['--tag', 'baseline'] : []));
  }
  return dir;
}

const source = opt.vault ? path.resolve(opt.vault) : makeDemoVault();
if (!existsSync(source)) fail(`${source} does not exist.`);
const repos = path.join(work, 'repos');
const name = `${path.basename(source).replace(/\.git$/, '') || 'vault'}.git`;
const bare = path.join(repos, name);
// A bare mirror (branches, tags and the savepoint notes) that accepts pushes; the original is left alone.
execFileSync('git', ['clone', '--quiet', '--mirror', source, bare], { env, stdio: ['ignore', 'pipe', 'pipe'] });
execFileSync('git', ['config', 'http.receivepack', 'true'], { cwd: bare, env });

const listen = (server, port) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(port), '127.0.0.1', () => resolve(server.address().port));
  });

const page = http.createServer(staticHandler(dist));
const gitServer = http.createServer(gitHttpHandler(repos));
let pagePort;
let gitPort;
try {
  pagePort = await listen(page, opt.port);
  gitPort = await listen(gitServer, opt['git-port']);
} catch (e) {
  rmSync(work, { recursive: true, force: true });
  fail(`cannot listen: ${e.message}. Pick another port with --port N.`);
}

const vaultUrl = `http://127.0.0.1:${gitPort}/${name}`;
const pageUrl = `http://127.0.0.1:${pagePort}/?vault=${encodeURIComponent(vaultUrl)}`;
if (opt.json) console.log(JSON.stringify({ page: pageUrl, vault: vaultUrl, repo: bare }));
else {
  console.log(`Savepoint web is running.\n  Open:  ${pageUrl}\n  Vault: ${vaultUrl} (smart HTTP with CORS; pushes land in ${bare})\nPress Ctrl-C to stop.`);
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  page.closeAllConnections();
  gitServer.closeAllConnections();
  page.close();
  gitServer.close();
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
