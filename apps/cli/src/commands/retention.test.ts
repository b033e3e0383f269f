/** `savepoint retention apply` on a (simulated) terminal: it shows the plan and asks; only "y" applies. */
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../main.js';
import type { Io } from '../output.js';

const ENV = { SAVEPOINT_NOW: '2026-05-01T09:00:00Z', SAVEPOINT_AUTHOR_NAME: 'Ada Tester', SAVEPOINT_AUTHOR_EMAIL: 'ada@example.test', NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

let root = '';
afterEach(async () => {
  if (root) await fsp.rm(root, { recursive: true, force: true });
});

async function run(cwd: string, argv: string[], opts: { tty?: boolean; answer?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: !!opts.tty });
  const stdout = Object.assign(new PassThrough(), { isTTY: !!opts.tty, columns: 120 });
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => {
    err += c;
    // answer the prompt as soon as it is shown
    if (opts.answer !== undefined && err.includes('[y/N]')) stdin.write(opts.answer + '\n');
  });
  const io: Io = { env: { ...ENV }, cwd, stdin, stdout, stderr };
  const code = await main(argv, io);
  return { code, stdout: out, stderr: err };
}

describe('retention apply on a terminal', () => {
  it('asks before applying: "n" changes nothing, "y" applies the plan shown', async () => {
    root = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-cli-ret-')));
    expect((await run(root, ['init', 'v'])).code).toBe(0);
    const vault = path.join(root, 'v');
    for (let i = 1; i <= 4; i++) {
      await fsp.writeFile(path.join(vault, 'd.csv'), `id\n${'x'.repeat(i * 100)}\n`);
      expect((await run(vault, ['save', 'd.csv'])).code).toBe(0);
    }
    const no = await run(vault, ['retention', 'apply', '--keep-last', '2'], { tty: true, answer: 'n' });
    expect(no.code).toBe(0);
    expect(no.stdout).toMatch(/archive\s+d\.csv@1/);
    expect(no.stdout).toMatch(/Nothing was changed/);
    expect(no.stderr).toMatch(/Apply this plan\?/);
    const log1 = JSON.parse((await run(vault, ['log', '--json'])).stdout) as { versions: { status: string }[] };
    expect(log1.versions.filter((v) => v.status === 'archived')).toHaveLength(0);

    const yes = await run(vault, ['retention', 'apply', '--keep-last', '2'], { tty: true, answer: 'y' });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/archived 2 versions → daily\//);
    const log2 = JSON.parse((await run(vault, ['log', '--json'])).stdout) as { versions: { version: number; status: string }[] };
    expect(log2.versions.filter((v) => v.status === 'archived').map((v) => v.version)).toEqual([2, 1]);

    // --json never prompts: without --yes it refuses even on a terminal
    const json = await run(vault, ['retention', 'apply', '--keep-last', '1', '--json'], { tty: true });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'E_INVALID_ARGUMENT' } });
  });
});
