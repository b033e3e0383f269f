/**
 * Smart-HTTP transport on top of isomorphic-git's Node HTTP client: ref discovery with auth, and a
 * multi-ref receive-pack (one request pushes the branch, tags and notes together). Credentials come only
 * from the caller's callbacks; they are sent as a Basic header and never appear in errors (every URL is
 * redacted and every known secret is scrubbed from any text we pass on).
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { SavepointError } from '../errors.js';
import type { ProgressCallback } from '../util/progress.js';
import { FLUSH, parseReceivePackResult, parseRefAdvertisement, pktLine } from './pkt-line.js';
import type { ReceivePackReport, RefAdvertisement } from './pkt-line.js';
import { redactText, redactUrl } from './url.js';

export interface RemoteCredentials {
  username: string;
  password: string;
}

/** How the app supplies credentials (the CLI reads env / git credential helpers; core never does). */
export interface RemoteAuth {
  /** called when the server asks for credentials (HTTP 401); return null to give up */
  onAuth?: (url: string) => RemoteCredentials | null | undefined | Promise<RemoteCredentials | null | undefined>;
  /** called when credentials were refused; may return others to try once more */
  onAuthFailure?: (url: string, refused: RemoteCredentials) => RemoteCredentials | null | undefined | Promise<RemoteCredentials | null | undefined>;
  onAuthSuccess?: (url: string, used: RemoteCredentials) => void | Promise<void>;
}

export interface TransportOptions extends RemoteAuth {
  onProgress?: ProgressCallback;
  /** socket idle timeout in ms (default 30 s) */
  timeoutMs?: number;
  /** issue 12: the key for encrypted remotes, asked only when one is used */
  key?: import('../crypto/chunked.js').KeyProvider;
  /** issue 12: S3 multipart part size in bytes (default 8 MiB, at least 5 MiB) */
  s3PartSize?: number;
  /** issue 12: scrypt cost (log2 N) for a new encrypted remote (default 15) */
  scryptLogN?: number;
  /** ssh remotes: a command replacing `ssh` (run by sh, like GIT_SSH_COMMAND) and the environment for it */
  ssh?: { command?: string | undefined; env?: NodeJS.ProcessEnv | undefined };
}

interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * One HTTP request with node:http/https (isomorphic-git's node client goes through simple-get, which
 * uses the deprecated url.parse and warns on Node 24). Follows up to 5 redirects; credentials are only
 * sent on to the same origin.
 */
/** A request body: bytes in memory, or parts streamed from files (a pack, issue 12: never held whole). */
export type RequestBody = Buffer | { length: number; parts: (Buffer | { file: string })[] };

/** Reads a 200 response's body as a stream (then HttpResponse.body is empty). */
type StreamHandler = (body: import('node:http').IncomingMessage) => Promise<void>;

async function httpRequest(url: string, method: 'GET' | 'POST', headers: Record<string, string>, body: RequestBody | undefined, timeoutMs: number, redirects = 5, onStream?: StreamHandler): Promise<HttpResponse> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const res = await new Promise<HttpResponse & { location?: string }>((resolve, reject) => {
    const req = mod.request(u, { method, headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers }, (r) => {
      if (onStream && r.statusCode === 200) {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        onStream(r).then(() => resolve({ statusCode: 200, headers: flat, body: Buffer.alloc(0) }), reject);
        return;
      }
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('error', reject);
      r.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ statusCode: r.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks), ...(r.headers.location ? { location: r.headers.location } : {}) });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (!body || Buffer.isBuffer(body)) req.end(body);
    else
      void (async () => {
        for (const part of body.parts) {
          if (Buffer.isBuffer(part)) {
            if (!req.write(part)) await once(req, 'drain');
            continue;
          }
          for await (const chunk of createReadStream(part.file, { highWaterMark: 1 << 20 })) if (!req.write(chunk)) await once(req, 'drain');
        }
        req.end();
      })().catch((e: unknown) => req.destroy(e as Error));
  });
  if ([301, 302, 303, 307, 308].includes(res.statusCode) && res.location && redirects > 0) {
    const next = new URL(res.location, u);
    const sameOrigin = next.origin === u.origin;
    const kept = Object.fromEntries(Object.entries(headers).filter(([k]) => sameOrigin || k.toLowerCase() !== 'authorization'));
    return httpRequest(next.href, res.statusCode === 303 ? 'GET' : method, kept, res.statusCode === 303 ? undefined : body, timeoutMs, redirects - 1, onStream);
  }
  return res;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** One conversation with one remote URL: remembers the credentials that worked. */
export class RemoteSession {
  readonly url: string;
  readonly shownUrl: string;
  private authHeader: string | null = null;
  private creds: RemoteCredentials | null = null;
  private readonly secrets: string[] = [];
  constructor(
    url: string,
    private readonly opts: TransportOptions = {},
    readonly remoteName?: string,
  ) {
    const u = new URL(url);
    // a username in the URL is a hint for the credential callback; the request URL carries no userinfo
    u.username = '';
    u.password = '';
    this.url = u.toString().replace(/\/+$/, '');
    this.shownUrl = redactUrl(url).replace(/\/+$/, '');
  }

  /** Headers to hand to isomorphic-git so it reuses the credentials this session found. */
  authHeaders(): Record<string, string> {
    return this.authHeader ? { Authorization: this.authHeader } : {};
  }

  /** Scrub every secret and URL userinfo from a text before it leaves this module. */
  scrub(text: string): string {
    return redactText(text, this.secrets);
  }

  private useCreds(c: RemoteCredentials): void {
    this.creds = c;
    if (c.password) this.secrets.push(c.password);
    this.authHeader = `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
    this.secrets.push(Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64'));
  }

  private who(): string {
    return this.remoteName ? `remote "${this.remoteName}" (${this.shownUrl})` : this.shownUrl;
  }

  /** Map any transport failure onto our codes, with no secret in the message. */
  toError(e: unknown, doing: string): SavepointError {
    if (e instanceof SavepointError) return e;
    const err = e as { code?: string; message?: string; name?: string };
    const reason = this.scrub(String(err?.message ?? e));
    if (err?.code && NETWORK_CODES.has(err.code)) {
      return new SavepointError('E_REMOTE_UNREACHABLE', `Cannot reach ${this.who()} while ${doing} (${err.code}). Check the address and your network, or try again later.`, { remote: this.remoteName, url: this.shownUrl, reason: err.code });
    }
    if (/timed out/i.test(reason)) {
      return new SavepointError('E_REMOTE_UNREACHABLE', `${this.who()} did not answer in time while ${doing}. Try again later.`, { remote: this.remoteName, url: this.shownUrl, reason: 'timeout' });
    }
    if (err?.code && /^(CERT_|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(err.code)) {
      return new SavepointError('E_REMOTE_UNREACHABLE', `The TLS certificate of ${this.who()} was not accepted (${err.code}) while ${doing}.`, { remote: this.remoteName, url: this.shownUrl, reason: err.code });
    }
    if (err?.code === 'HttpError' || err?.name === 'HttpError') {
      const status = (e as { data?: { statusCode?: number } }).data?.statusCode ?? 0;
      return this.statusError(status, doing);
    }
    return new SavepointError('E_REMOTE_UNREACHABLE', `Talking to ${this.who()} failed while ${doing}: ${reason}`, { remote: this.remoteName, url: this.shownUrl, reason });
  }

  private statusError(status: number, doing: string): SavepointError {
    const base = { remote: this.remoteName, url: this.shownUrl, status };
    if (status === 401 || status === 403) {
      const tried = this.creds ? `the credentials for user "${this.creds.username}" were refused` : 'no credentials were given';
      return new SavepointError('E_AUTH_FAILED', `${this.who()} refused access while ${doing} (HTTP ${status}): ${tried}. Set SAVEPOINT_TOKEN, or SAVEPOINT_USERNAME and SAVEPOINT_PASSWORD, or configure a git credential helper.`, base);
    }
    if (status === 404) {
      return new SavepointError('E_REMOTE_UNREACHABLE', `There is no git repository at ${this.shownUrl} (HTTP 404) — check the URL${this.remoteName ? ` with \`savepoint remote list\`` : ''}.`, base);
    }
    return new SavepointError('E_REMOTE_UNREACHABLE', `${this.who()} answered HTTP ${status} while ${doing}. Try again later, or check the server.`, base);
  }

  private async send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: RequestBody, onStream?: StreamHandler): Promise<HttpResponse> {
    return httpRequest(`${this.url}/${path}`, method, { 'User-Agent': 'git/savepoint', ...headers, ...this.authHeaders() }, body, this.opts.timeoutMs ?? 30_000, 5, onStream);
  }

  /** GET with the 401 → credentials → retry dance. */
  private async getWithAuth(path: string, doing: string): Promise<HttpResponse> {
    let askedOnce = false;
    let failedOnce = false;
    for (;;) {
      let res: HttpResponse;
      try {
        res = await this.send('GET', path, {});
      } catch (e) {
        throw this.toError(e, doing);
      }
      if (res.statusCode !== 401) {
        if (res.statusCode === 200 && this.creds && (askedOnce || failedOnce)) await this.opts.onAuthSuccess?.(this.shownUrl, this.creds);
        return res;
      }
      if (!this.creds) {
        if (askedOnce) throw this.statusError(401, doing);
        askedOnce = true;
        const c = await this.opts.onAuth?.(this.shownUrl);
        if (!c) throw this.statusError(401, doing);
        this.useCreds(c);
        continue;
      }
      if (failedOnce) throw this.statusError(401, doing);
      failedOnce = true;
      const refused = this.creds;
      const c = await this.opts.onAuthFailure?.(this.shownUrl, refused);
      if (!c || (c.username === refused.username && c.password === refused.password)) throw this.statusError(401, doing);
      this.useCreds(c);
    }
  }

  /** List the remote's refs (ls-remote). */
  async discover(service: 'git-upload-pack' | 'git-receive-pack'): Promise<RefAdvertisement> {
    const doing = service === 'git-receive-pack' ? 'preparing to push' : 'listing its refs';
    const res = await this.getWithAuth(`info/refs?service=${service}`, doing);
    if (res.statusCode !== 200) throw this.statusError(res.statusCode, doing);
    const type = res.headers['content-type'] ?? '';
    if (type !== `application/x-${service}-advertisement`) {
      throw new SavepointError('E_REMOTE_UNREACHABLE', `${this.who()} is not a smart-HTTP git server (it answered "${this.scrub(type || 'no content type')}"). Check the URL; it usually ends in .git.`, { remote: this.remoteName, url: this.shownUrl });
    }
    try {
      return parseRefAdvertisement(res.body, service);
    } catch (e) {
      throw this.toError(e, doing);
    }
  }

  /**
   * POST git-upload-pack (protocol v0, stateless): ask for `wants`, tell the server our `haves`; the pack streams from the response into a temp file in
   * `<gitdir>/objects/pack` (issue 12: bounded memory). Returns its path, or null when nothing came.
   */
  async uploadPackToFile(wants: string[], haves: string[], capabilities: Set<string>, gitdir: string): Promise<string | null> {
    if (wants.length === 0) return null;
    const caps = ['ofs-delta', 'agent=savepoint'];
    const sideband = capabilities.has('side-band-64k');
    if (sideband) caps.unshift('side-band-64k');
    if (capabilities.has('include-tag')) caps.push('include-tag');
    if (!this.opts.onProgress && capabilities.has('no-progress')) caps.push('no-progress');
    const lines = wants.map((w, i) => pktLine(`want ${w}${i === 0 ? ` ${caps.join(' ')}` : ''}\n`));
    const body = Buffer.concat([...lines, FLUSH, ...haves.map((h) => pktLine(`have ${h}\n`)), pktLine('done\n')]);
    const { PktReader, receiveUploadPack } = await import('./pkt-stream.js');
    let got: { file: string | null; errors: string[] } = { file: null, errors: [] };
    let res: HttpResponse;
    try {
      res = await this.send('POST', 'git-upload-pack', { 'Content-Type': 'application/x-git-upload-pack-request', Accept: 'application/x-git-upload-pack-result' }, body, async (stream) => {
        got = await receiveUploadPack(new PktReader(stream), gitdir, sideband, this.opts.onProgress);
      });
    } catch (e) {
      throw this.toError(e, 'fetching');
    }
    if (res.statusCode !== 200) throw this.statusError(res.statusCode, 'fetching');
    if (got.errors.length) {
      throw new SavepointError('E_REMOTE_UNREACHABLE', `${this.who()} could not send its data: ${this.scrub(got.errors.join('; '))}`, { remote: this.remoteName, url: this.shownUrl });
    }
    return got.file;
  }

  /** POST git-receive-pack: ref updates plus one pack. */
  async receivePack(updates: { ref: string; old: string; new: string }[], pack: Buffer | { file: string; size: number } | null, capabilities: Set<string>): Promise<ReceivePackReport> {
    const caps = ['report-status', 'agent=savepoint'];
    const sideband = capabilities.has('side-band-64k');
    if (sideband) caps.splice(1, 0, 'side-band-64k');
    if (capabilities.has('atomic')) caps.push('atomic');
    if (capabilities.has('quiet') && !this.opts.onProgress) caps.push('quiet');
    const lines = updates.map((u, i) => pktLine(`${u.old} ${u.new} ${u.ref}${i === 0 ? `\0${caps.join(' ')}` : ''}\n`));
    const head = Buffer.concat([...lines, FLUSH]);
    const body: RequestBody = !pack ? head : Buffer.isBuffer(pack) ? Buffer.concat([head, pack]) : { length: head.length + pack.size, parts: [head, { file: pack.file }] };
    this.opts.onProgress?.({ phase: 'push: sending', loaded: 0, total: body.length });
    let res: HttpResponse;
    try {
      res = await this.send('POST', 'git-receive-pack', { 'Content-Type': 'application/x-git-receive-pack-request', Accept: 'application/x-git-receive-pack-result' }, body);
    } catch (e) {
      throw this.toError(e, 'pushing');
    }
    this.opts.onProgress?.({ phase: 'push: sending', loaded: body.length, total: body.length });
    if (res.statusCode !== 200) throw this.statusError(res.statusCode, 'pushing');
    const report = parseReceivePackResult(res.body, sideband);
    for (const p of report.progress) {
      const m = /([^:\r\n]*):\s+\d+% \((\d+)\/(\d+)\)/.exec(p);
      if (m) this.opts.onProgress?.({ phase: `push: ${m[1]!.trim().toLowerCase()}`, loaded: Number(m[2]), total: Number(m[3]) });
    }
    return report;
  }
}
