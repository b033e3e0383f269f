import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../../../packages/core/src/testing/clean-env.js';

// `pnpm web`'s server, run as a user would: the built page plus the example vault over smart HTTP with CORS.
const serve = fileURLToPath(new URL('../scripts/serve.mjs', import.meta.url));
const env = cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' });

let child: ChildProcess;
let info: { page: string; vault: string; repo: string };

beforeAll(async () => {
  child = spawn(process.execPath, [serve, '--json', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  info = await new Promise((resolve, reject) => {
    let buf = '';
    child.once('exit', (code) => reject(new Error(`serve.mjs exited early (${code})`)));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
  });
  child.removeAllListeners('exit');
});

afterAll(async () => {
  if (child.exitCode === null) {
    const done = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await done;
  }
});

describe('pnpm web server', () => {
  it('serves the built page and its assets', async () => {
    const page = new URL(info.page);
    expect(page.hostname).toBe('127.0.0.1');
    expect(new URLSearchParams(page.search).get('vault')).toBe(info.vault);
    const html = await (await fetch(page)).text();
    expect(html).toContain('<div id="root">');
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(new URL(script, page));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(new URL('/../../etc/passwd', page))).status).not.toBe(200);
  });

  it('serves the example vault over smart HTTP with CORS, and native git clones it with its notes and tag', async () => {
    const pre = await fetch(`${info.vault}/git-upload-pack`, { method: 'OPTIONS', headers: { Origin: 'http://elsewhere.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
    const refs = await fetch(`${info.vault}/info/refs?service=git-upload-pack`, { headers: { Origin: 'http://elsewhere.test' } });
    expect(refs.status).toBe(200);
    expect(refs.headers.get('access-control-allow-origin')).toBe('*');
    await refs.arrayBuffer();

    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-web-serve-'));
    try {
      const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
      expect(git('clone', '--quiet', info.vault, 'c').status).toBe(0);
      const c = path.join(dir, 'c');
      expect(spawnSync('git', ['fetch', '--quiet', 'origin', 'refs/notes/savepoint:refs/notes/savepoint'], { cwd: c, env }).status).toBe(0);
      const log = spawnSync('git', ['log', '--format=%s'], { cwd: c, env, encoding: 'utf8' }).stdout;
      expect(log).toMatch(/plate run 3[\s\S]*plate run 2[\s\S]*plate run 1/);
      const note = spawnSync('git', ['notes', '--ref', 'savepoint', 'show', 'HEAD'], { cwd: c, env, encoding: 'utf8' });
      expect(note.status).toBe(0);
      expect(note.stdout).toContain('measurements.csv');
      expect(spawnSync('git', ['tag'], { cwd: c, env, encoding: 'utf8' }).stdout).toMatch(/baseline/);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('stops on SIGTERM and removes its temporary vault', async () => {
    const root = path.dirname(path.dirname(info.repo));
    expect(existsSync(root)).toBe(true);
    const done = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await done).toBe(0);
    expect(existsSync(root)).toBe(false);
  });
});
