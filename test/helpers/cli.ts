/** Runs the built, bundled CLI (apps/cli/bundle/bin.js, what the package ships) as a user would, with a fixed clock and author. */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '../../packages/core/src/testing/clean-env.js';

export { cleanEnv };

export const BIN = fileURLToPath(new URL('../../apps/cli/bundle/bin.js', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

export const CLI_ENV = {
  SAVEPOINT_NOW: '2026-05-01T09:00:00Z',
  SAVEPOINT_AUTHOR_NAME: 'Ada Tester',
  SAVEPOINT_AUTHOR_EMAIL: 'ada@example.test',
  GIT_AUTHOR_NAME: 'Ada Tester',
  GIT_AUTHOR_EMAIL: 'ada@example.test',
  GIT_COMMITTER_NAME: 'Ada Tester',
  GIT_COMMITTER_EMAIL: 'ada@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  NO_COLOR: '1',
};

export function sp(cwd: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: cleanEnv({ ...CLI_ENV, ...opts.env }), input: opts.input ?? '', encoding: 'utf8', maxBuffer: 1 << 26 });
  let json: unknown;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

export function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: cleanEnv(CLI_ENV), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export async function tempDir(): Promise<string> {
  return fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-e2e-')));
}

/** Hash of every file under dir (names + bytes), skipping Savepoint's own caches. */
export async function snapshot(dir: string): Promise<string> {
  const h = createHash('sha256');
  // names as raw bytes, so files whose names are not UTF-8 are covered too
  const walk = async (rel: Buffer): Promise<void> => {
    const here = Buffer.concat([Buffer.from(dir + '/'), rel]);
    const entries = (await fsp.readdir(here, { withFileTypes: true, encoding: 'buffer' })).sort((a, b) => Buffer.compare(a.name, b.name));
    for (const e of entries) {
      const child = rel.length ? Buffer.concat([rel, Buffer.from('/'), e.name]) : e.name;
      if (child.toString() === '.git/savepoint') continue;
      const abs = Buffer.concat([Buffer.from(dir + '/'), child]);
      if (e.isDirectory()) await walk(child);
      else if (e.isSymbolicLink()) h.update(Buffer.concat([Buffer.from('L '), child, Buffer.from(` ${await fsp.readlink(abs)}\n`)]));
      else h.update(Buffer.concat([Buffer.from('F '), child, Buffer.from('\n')])).update(await fsp.readFile(abs));
    }
  };
  await walk(Buffer.alloc(0));
  return h.digest('hex');
}

/**
 * Run the CLI as a long-lived child whose stdout is JSON lines (`watch --json`, `metrics --serve --json`).
 * `waitFor(pred)` resolves with the first matching event and the time it arrived.
 */
export function spawnJsonLines(cwd: string, args: string[], opts: { env?: Record<string, string> } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: cleanEnv({ ...CLI_ENV, ...opts.env }) });
  const events: any[] = [];
  const arrived: number[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)));
      arrived.push(Date.now());
      buf = buf.slice(nl + 1);
    }
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const waitFor = async (pred: (e: any) => boolean, ms = 30_000): Promise<{ e: any; at: number }> => {
    const end = Date.now() + ms;
    for (;;) {
      const i = events.findIndex(pred);
      if (i >= 0) return { e: events[i], at: arrived[i]! };
      if (Date.now() > end) throw new Error(`timed out; events: ${JSON.stringify(events)} stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, events, waitFor, exited };
}
