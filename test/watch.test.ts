/** `savepoint watch`: a real watcher process saves edits, then stops cleanly on Ctrl-C (SIGINT). */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BIN, CLI_ENV, cleanEnv, sp, tempDir } from './helpers/cli.js';

let root: string;
afterAll(async () => root && fsp.rm(root, { recursive: true, force: true }));

describe('savepoint watch', () => {
  it('saves tracked files when they change and finishes pending work on SIGINT', async () => {
    root = await tempDir();
    const vault = path.join(root, 'v');
    expect(sp(root, ['init', 'v']).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'watch', '--json', '--debounce', '100'], { cwd: vault, env: cleanEnv(CLI_ENV) });
    const events: any[] = [];
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    const waitFor = async (pred: (e: any) => boolean) => {
      const end = Date.now() + 20_000;
      while (!events.some(pred)) {
        if (Date.now() > end) throw new Error(`timed out; events: ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await waitFor((e) => e.type === 'ready');
    await fsp.writeFile(path.join(vault, 'data.csv'), 'a,b\n1,2\n');
    await fsp.writeFile(path.join(vault, 'notes.txt'), 'not tracked');
    await waitFor((e) => e.type === 'saved' && e.path === 'data.csv' && e.version === 1);
    await fsp.appendFile(path.join(vault, 'data.csv'), '3,4\n');
    await waitFor((e) => e.type === 'saved' && e.version === 2);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const log = sp(vault, ['log', '--json']).json.versions;
    expect(log.map((v: any) => [v.path, v.version, v.kind])).toEqual([['data.csv', 2, 'auto'], ['data.csv', 1, 'auto']]);
    expect(events.filter((e) => e.path === 'notes.txt')).toEqual([]);
  });
});
