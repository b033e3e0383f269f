/**
 * Smart-HTTP git for the page: `git http-backend` (shipped with git) behind a Node request handler, with CORS
 * so a page on another origin (the static page server) can clone from it and push to it.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'accept, accept-encoding, authorization, cache-control, content-encoding, content-length, content-type, git-protocol, pragma, range, x-authorization, x-requested-with',
  'Access-Control-Expose-Headers': 'cache-control, content-length, content-type, date, etag, expires, last-modified, pragma, server, vary',
  'Access-Control-Max-Age': '600',
};

export function gitBackendPath() {
  return path.join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
}

/** A request handler serving the bare repositories under `root` (read and push). */
export function gitHttpHandler(root, backend = gitBackendPath()) {
  return (req, res) => {
    const url = new URL(req.url || '/', 'http://127.0.0.1');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      return void res.end();
    }
    runGitBackend(req, res, { root, backend, url, remoteUser: 'web', headers: CORS });
  };
}

/**
 * Run `git http-backend` (CGI) for one request and relay its answer: the CGI headers (`Status:` sets the
 * status) on top of `headers`, then the body; a 500 with its stderr when it wrote no headers. `onStatus`
 * hears the status sent. Shared with the test suite's smart-HTTP server (test/helpers/git-http-server.ts).
 */
export function runGitBackend(req, res, { root, backend, url = new URL(req.url || '/', 'http://127.0.0.1'), remoteUser, headers = {}, onStatus = () => {} }) {
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    REQUEST_METHOD: req.method || 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] || '',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_USER: remoteUser,
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  const child = spawn(backend, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => {});
  let head = Buffer.alloc(0);
  let headerDone = false;
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (chunk) => {
    if (headerDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    let end = head.indexOf('\r\n\r\n');
    let sep = 4;
    if (end < 0) {
      end = head.indexOf('\n\n');
      sep = 2;
    }
    if (end < 0) return;
    headerDone = true;
    let status = 200;
    const out = { ...headers };
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = parseInt(value, 10);
      else out[name] = value;
    }
    onStatus(status);
    res.writeHead(status, out);
    res.write(head.subarray(end + sep));
  });
  child.on('close', () => {
    if (!headerDone) {
      onStatus(500);
      res.writeHead(500, { ...headers, 'Content-Type': 'text/plain' });
      res.end(`git http-backend failed: ${stderr}`);
    } else res.end();
  });
}
