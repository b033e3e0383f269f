/** The smart-HTTP test server answers CORS preflights and lets a page on another origin read its answers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpServer } from './helpers/git-http-server.js';
import type { GitHttpServer } from './helpers/git-http-server.js';

describe('git HTTP test server: CORS', () => {
  let server: GitHttpServer;
  let plain: GitHttpServer;
  const origin = 'http://127.0.0.1:5173';
  const auth = `Basic ${Buffer.from('tester:s3cret-pass').toString('base64')}`;

  beforeAll(async () => {
    server = await startGitHttpServer();
    plain = await startGitHttpServer({ cors: false });
    await server.createBareRepo('v');
    await plain.createBareRepo('v');
  });
  afterAll(async () => {
    await server?.stop({ removeRoot: true });
    await plain?.stop({ removeRoot: true });
  });

  it('answers a preflight without credentials: 204 with the methods and headers git over HTTP needs', async () => {
    const r = await fetch(`${server.url('v')}/git-receive-pack`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type, git-protocol' },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(origin);
    expect(r.headers.get('access-control-allow-methods')).toContain('POST');
    for (const h of ['authorization', 'content-type', 'git-protocol']) expect(r.headers.get('access-control-allow-headers')).toContain(h);
    const last = (await server.requests()).at(-1)!;
    expect(last).toMatchObject({ method: 'OPTIONS', status: 204, auth: 'absent' });
  });

  it('adds CORS headers to git answers and to 401s, so the page can read both', async () => {
    const ok = await fetch(`${server.url('v')}/info/refs?service=git-upload-pack`, { headers: { Origin: origin, Authorization: auth } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
    expect(ok.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    const denied = await fetch(`${server.url('v')}/info/refs?service=git-upload-pack`, { headers: { Origin: origin } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(origin);
    expect(denied.headers.get('access-control-expose-headers')).toContain('www-authenticate');
  });

  it('with cors: false there are no CORS headers and OPTIONS goes to git (not a preflight answer)', async () => {
    const r = await fetch(`${plain.url('v')}/info/refs?service=git-upload-pack`, { headers: { Origin: origin, Authorization: auth } });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${plain.url('v')}/git-receive-pack`, { method: 'OPTIONS', headers: { Origin: origin, Authorization: auth } });
    expect(pre.status).not.toBe(204);
    await pre.arrayBuffer();
  });
});
