/**
 * A real smart-HTTP git server for tests: `git http-backend` (CGI, shipped with git) behind a small Node HTTP
 * server on 127.0.0.1 with HTTP basic auth. Bare repositories live under a temp GIT_PROJECT_ROOT and accept
 * pushes (`http.receivepack true`).
 *
 * The server runs in its own Node process so that tests may call the git binary synchronously
 * (execFileSync would otherwise block the event loop that serves the request). Every request is logged to a
 * file (method, path, status, and whether an Authorization header was present — never its value).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv } from '../../packages/core/src/testing/clean-env.js';

export interface GitHttpServerOptions {
  /** username → password; an empty map turns auth off */
  users?: Record<string, string>;
  /** require auth for reads (clone/fetch) too; default true */
  authForReads?: boolean;
  /**
   * Answer CORS preflights (OPTIONS, without auth as browsers send them) and add CORS headers to every
   * response, so a page on another origin (the browser vault) can clone and push; default true.
   */
  cors?: boolean;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  auth: 'present' | 'absent';
}

export interface GitHttpServer {
  port: number;
  root: string;
  /** http://127.0.0.1:<port>/<name>.git (no credentials) */
  url(name: string): string;
  /** make an empty bare repository <name>.git that accepts pushes */
  createBareRepo(name: string, opts?: { defaultBranch?: string }): Promise<string>;
  requests(): Promise<RequestLogEntry[]>;
  /** stop the server (its port then refuses connections) and, with removeRoot, delete the repositories */
  stop(opts?: { removeRoot?: boolean }): Promise<void>;
}

const SERVER_SOURCE = String.raw`
const http = require('node:http');
const fs = require('node:fs');
const cfg = JSON.parse(process.argv[1]);
const users = cfg.users;
const authOn = Object.keys(users).length > 0;
function creds(header) {
  if (!header || !header.startsWith('Basic ')) return null;
  const d = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = d.indexOf(':');
  return i < 0 ? null : { user: d.slice(0, i), pass: d.slice(i + 1) };
}
const CORS_ALLOW_HEADERS = 'accept, accept-encoding, accept-language, authorization, cache-control, content-encoding, content-length, content-type, git-protocol, pragma, range, user-agent, x-authorization, x-requested-with';
const CORS_EXPOSE_HEADERS = 'cache-control, content-length, content-type, date, etag, expires, last-modified, pragma, server, transfer-encoding, vary, www-authenticate';
// the CGI relay is the page's own (apps/web/scripts/git-http.mjs), loaded by file URL from this eval'd script
import(cfg.gitHttpModule).then(({ runGitBackend }) => {
const server = http.createServer((req, res) => {
  const url = new URL(req.url || '/', 'http://127.0.0.1');
  if (cfg.cors) {
    // the request's origin is echoed (never '*' together with credentials); Vary tells caches so
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSE_HEADERS);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      fs.appendFileSync(cfg.log, JSON.stringify({ method: req.method, path: url.pathname + url.search, status: 204, auth: req.headers.authorization ? 'present' : 'absent' }) + '\n');
      req.resume();
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
        'Access-Control-Max-Age': '600',
        'Content-Length': '0',
      });
      res.end();
      return;
    }
  }
  const isWrite = url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack';
  const c = creds(req.headers.authorization);
  const ok = !!c && Object.prototype.hasOwnProperty.call(users, c.user) && users[c.user] === c.pass;
  const log = (status) => fs.appendFileSync(cfg.log, JSON.stringify({ method: req.method, path: url.pathname + url.search, status, auth: req.headers.authorization ? 'present' : 'absent' }) + '\n');
  if (authOn && (isWrite || cfg.authForReads) && !ok) {
    log(401);
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="savepoint-test"', 'Content-Type': 'text/plain' });
    res.end('Authentication required\n');
    return;
  }
  runGitBackend(req, res, { root: cfg.root, backend: cfg.backend, url, remoteUser: c && ok ? c.user : 'anonymous', onStatus: log });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
});
`;

const GIT_ENV = cleanEnv();
const GIT_HTTP_MODULE = new URL('../../apps/web/scripts/git-http.mjs', import.meta.url).href;

export async function startGitHttpServer(opts: GitHttpServerOptions = {}): Promise<GitHttpServer> {
  const users = opts.users ?? { tester: 's3cret-pass' };
  const root = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-git-http-')));
  const repos = path.join(root, 'repos');
  await fsp.mkdir(repos);
  const log = path.join(root, 'requests.jsonl');
  await fsp.writeFile(log, '');
  const backend = path.join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
  const cfg = { users, authForReads: opts.authForReads ?? true, cors: opts.cors ?? true, root: repos, log, backend, gitHttpModule: GIT_HTTP_MODULE };
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER_SOURCE, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`git http test server exited early (code ${code})`)));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(buf.slice(0, nl)) as { port: number }).port);
    });
  });
  child.removeAllListeners('exit');
  let stopped = false;
  return {
    port,
    root: repos,
    url: (name) => `http://127.0.0.1:${port}/${name}.git`,
    async createBareRepo(name, o = {}) {
      const dir = path.join(repos, `${name}.git`);
      execFileSync('git', ['init', '-q', '--bare', '-b', o.defaultBranch ?? 'main', dir], { env: GIT_ENV });
      execFileSync('git', ['config', 'http.receivepack', 'true'], { cwd: dir, env: GIT_ENV });
      return dir;
    },
    async requests() {
      const text = await fsp.readFile(log, 'utf8');
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestLogEntry);
    },
    async stop(o = {}) {
      if (!stopped) {
        stopped = true;
        if (child.exitCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGTERM');
          await exited;
        }
      }
      if (o.removeRoot) await fsp.rm(root, { recursive: true, force: true });
    },
  };
}
