/**
 * The real thing in a real terminal: the built CLI (`node apps/cli/bundle/bin.js tui`) runs in a tmux pane
 * on its own tmux server socket; keys go in with send-keys, the screen comes back with capture-pane.
 * Needs `npx tsc -b` first (like the e2e suite) and tmux; without tmux the suite is skipped and says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { log, save } from '@savepoint/core';
import { makeTempVault } from '../../../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../../../packages/core/src/testing/temp-vault.js';
import { cleanEnv } from '../../../packages/core/src/testing/clean-env.js';

const BIN = fileURLToPath(new URL('../../cli/bundle/bin.js', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
const SKIP_REASON = 'SKIPPED: tmux is not installed (apt-get install -y tmux) — the real-terminal test did not run';
if (!hasTmux) console.warn(`[tui] ${SKIP_REASON}`);

describe.skipIf(!hasTmux)(hasTmux ? 'real terminal (tmux) running the built CLI' : `real terminal (tmux): ${SKIP_REASON}`, () => {
  let tv: TempVault;
  let sock: string;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8', env: cleanEnv() });
  let session = 'sp';
  const screen = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session);
  const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
  let conf: string;
  /** run the built CLI with `args` in a new tmux session (100×30 unless `size`); the shell writes its exit status to a file */
  function launch(name: string, args: string[], env: string[], size: [number, number] = [100, 30]): string {
    session = name;
    const statusFile = path.join(path.dirname(tv.dir), `exit-status-${name}`);
    // Ink only draws live frames outside CI, so CI variables are removed for the app itself; the caller's
    // colour switches too (the tmux server may have inherited them): each launch sets exactly what it tests
    const cmd = `env -u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR -u FORCE_COLOR -u CLICOLOR_FORCE -u COLORTERM ${env.map((e) => `'${e}'`).join(' ')} TERM=xterm-256color '${process.execPath}' '${BIN}' ${args.join(' ')}; echo $? > '${statusFile}'`;
    execFileSync('tmux', ['-S', sock, '-f', conf, 'new-session', '-d', '-s', name, '-x', String(size[0]), '-y', String(size[1]), '-c', tv.dir, cmd], { env: cleanEnv() });
    return statusFile;
  }
  async function exitStatus(statusFile: string, timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (!(existsSync(statusFile) && readFileSync(statusFile, 'utf8').endsWith('\n'))) {
      if (Date.now() > end) throw new Error(`the app did not exit within ${timeoutMs} ms; screen:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return readFileSync(statusFile, 'utf8').trim();
  }
  async function waitFor(test: string | RegExp | ((s: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = screen();
      if (typeof test === 'string' ? s.includes(test) : test instanceof RegExp ? test.test(s) : test(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${String(test)}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npx tsc -b\` before this test`);
    tv = await makeTempVault();
    await tv.write('data.csv', 'id,value\n1,a\n2,b\n');
    await save(tv.vault, { files: ['data.csv'], message: 'first measurements' });
    await tv.write('data.csv', 'id,value\n1,a\n2,B\n3,c\n');
    await save(tv.vault, { files: ['data.csv'], message: 'fix row 2, add row 3' });
    await tv.write('data.csv', 'id,value\nunsaved,work\n');
    sock = path.join(path.dirname(tv.dir), 'tmux.sock');
    conf = path.join(path.dirname(tv.dir), 'tmux.conf');
    // panes stay after the app exits, so the screen it leaves behind can be read
    await fsp.writeFile(conf, 'set -g remain-on-exit on\nset -g status off\n');
  });

  afterAll(async () => {
    if (sock && existsSync(sock)) spawnSync('tmux', ['-S', sock, 'kill-server'], { env: cleanEnv() });
    await tv?.cleanup();
  });

  test('browse, diff, restore with confirm, verify, quit', async () => {
    const env = ['NO_COLOR=1', 'SAVEPOINT_NOW=2026-06-01T12:00:00Z', 'SAVEPOINT_AUTHOR_NAME=Ada Tester', 'SAVEPOINT_AUTHOR_EMAIL=ada@example.test'];
    const statusFile = launch('sp', ['tui'], env);
    let s = await waitFor('History: data.csv');
    expect(s).toMatch(/data\.csv\s+modified\s+v2 ×2/);
    expect(s).toContain('fix row 2, add row 3');
    // NO_COLOR: the pane holds no colour attributes (bold / inverse are allowed)
    expect(screen(true)).not.toMatch(/\u001b\[[0-9;]*(3[0-7]|38;|9[0-7])[0-9;]*m/);

    keys('Tab', 'd');
    s = await waitFor((x) => x.includes('Diff: data.csv@1 → data.csv@2') && !x.includes('Computing'));
    expect(s).toMatch(/~ 2\s+│\s+2\s+\*b\s+│\s+2\s+\*B/);

    keys('j', 'r');
    s = await waitFor('unsaved changes: they will be saved first');
    expect(s).toContain('Restore data.csv@1?');
    keys('y');
    s = await waitFor('Restored data.csv@1');
    expect(s).toContain('saved first as data.csv@3 (pre-restore snapshot)');
    expect(await fsp.readFile(path.join(tv.dir, 'data.csv'), 'utf8')).toBe('id,value\n1,a\n2,b\n');
    // any key closes the result; the message line keeps it
    keys('Escape');
    s = await waitFor((x) => x.includes('Restored data.csv@1 (pre-restore save: data.csv@3).') && !x.includes('refreshing…'));
    expect(s).toMatch(/v3\s+2026-06-01 12:00Z\s+\d+ B\s+·\s+Pre-restore snapshot/);
    // the restore itself is recorded as v4 (v1's content), so the latest version is what the file holds
    expect(s).toMatch(/v4\s+2026-06-01 12:00Z\s+\d+ B\s+·\s+Restore data\.csv to v1/);

    keys('v');
    s = await waitFor('✓ OK');
    expect(s).toMatch(/verified 4 · corrupted 0 · missing 0/);
    await waitFor(/v1\s+2026-05-01 \d\d:\d\dZ\s+\d+ B\s+✓/);

    keys('?');
    await waitFor('Savepoint keys');
    keys('x');
    await waitFor((x) => !x.includes('Savepoint keys') && x.includes('History: data.csv'));

    keys('q');
    expect(await exitStatus(statusFile)).toBe('0');
    // the alternate screen was left: the app's frame is gone from the visible screen
    expect(screen()).not.toContain('History: data.csv');
    const [newest, snapshot] = await log(await tv.reopen(), { path: 'data.csv' });
    expect(snapshot).toMatchObject({ version: 3, kind: 'pre-restore', savedAt: '2026-06-01T12:00:00.000Z' });
    expect(newest).toMatchObject({ version: 4, kind: 'restore', restoredFrom: 1, savedAt: expect.stringMatching(/^2026-06-01T12:00/) });
  });

  // --- issue 15 (work): save, tag and filter in a real 80×24 terminal without colour, checked with the CLI's --json
  test('80×24, NO_COLOR: filter to a file, save it with a description, tag it, filter the history to it', async () => {
    await tv.write('tmux.csv', 'id,v\n1,a\n');
    await save(await tv.reopen(), { files: ['tmux.csv'], message: 'tmux first' });
    await tv.write('tmux.csv', 'id,v\n1,a\n2,b\n');
    const env = ['NO_COLOR=1', 'SAVEPOINT_NOW=2026-06-01T12:00:00Z', 'SAVEPOINT_AUTHOR_NAME=Ada Tester', 'SAVEPOINT_AUTHOR_EMAIL=ada@example.test'];
    const statusFile = launch('work', ['tui'], env, [80, 24]);
    let s = await waitFor((x) => x.includes('History: data.csv') && / · \d+ queued · 3-2-1 [✓✗–]/.test(x));
    // status at a glance in the header: words and marks, no colour needed
    expect(s.split('\n')[0]).toMatch(/^Savepoint saved (just now|\d+ \w+ ago|\d{4}-\d\d-\d\d) · verify [✓✗–…].* · \d+ queued · 3-2-1 [✓✗–]/);
    expect(screen(true)).not.toMatch(/\u001b\[[0-9;]*(3[0-7]|38;|9[0-7])[0-9;]*m/);
    for (const line of s.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    keys('/');
    await waitFor('Filter files');
    keys('-l', 'tmux');
    keys('Enter');
    s = await waitFor((x) => x.includes('Files /tmux (1 of 2)') && x.includes('History: tmux.csv') && !x.includes('Filter files'));
    expect(s).toMatch(/tmux\.csv\s+modified/);

    keys('s');
    await waitFor('Description:');
    keys('-l', 'tmux save, quick');
    keys('Enter');
    await waitFor('Experiment id:');
    keys('-l', 'exp-tmux');
    keys('Enter');
    s = await waitFor((x) => x.includes('Saved tmux.csv@2.') && /tmux\.csv\s+saved/.test(x) && !x.includes('refreshing'));
    expect(s).toMatch(/› v2\s+2026-06-01 12:00Z/);

    keys('t');
    await waitFor('› sp/tmux.csv/v2');
    keys('Enter');
    await waitFor('Message:');
    keys('-l', 'tagged in tmux');
    keys('Enter');
    await waitFor('Tagged tmux.csv@2 as sp/tmux.csv/v2.');

    keys('Tab', '/');
    await waitFor('Filter versions');
    keys('-l', 'exp-tmux');
    keys('Enter');
    s = await waitFor((x) => x.includes('History: tmux.csv /exp-tmux (1 of 2)') && !x.includes('Filter versions'));
    expect(s).toContain('[sp/tmux');
    expect(s).not.toContain('tmux first');

    keys('q');
    expect(await exitStatus(statusFile)).toBe('0');
    const cli = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [BIN, ...args, '--json'], { cwd: tv.dir, encoding: 'utf8', env: cleanEnv() }));
    const logged = cli('log', 'tmux.csv');
    expect(logged.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(logged.versions[0]).toMatchObject({ version: 2, summary: 'tmux save, quick', experiment: 'exp-tmux', source: 'tui', tags: ['sp/tmux.csv/v2'], savedAt: '2026-06-01T12:00:00.000Z' });
    expect(cli('show', 'tmux.csv@2').version).toMatchObject({ path: 'tmux.csv', version: 2, tags: ['sp/tmux.csv/v2'] });
    expect(cli('log', '--experiment', 'exp-tmux').versions.map((v: { path: string; version: number }) => `${v.path}@${v.version}`)).toEqual(['tmux.csv@2']);
    expect(execFileSync('git', ['tag', '-l', '-n1', 'sp/tmux.csv/v2'], { cwd: tv.dir, encoding: 'utf8', env: cleanEnv() })).toMatch(/sp\/tmux\.csv\/v2\s+tagged in tmux/);
    expect(await fsp.readFile(path.join(tv.dir, 'tmux.csv'), 'utf8')).toBe('id,v\n1,a\n2,b\n');
  });
  // ---

  test('restore a version out of a retention archive (made by the CLI) from the archives screen; mouse reporting only while the app runs', async () => {
    const cli = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args], { cwd: tv.dir, encoding: 'utf8', env: { ...cleanEnv(), NO_COLOR: '1', SAVEPOINT_AUTHOR_NAME: 'Ada Tester', SAVEPOINT_AUTHOR_EMAIL: 'ada@example.test' } });
    const contents = Array.from({ length: 4 }, (_, i) => `run,score\n1,${i * 10}\n2,${i * 20 + 1}\n`);
    for (const [i, c] of contents.entries()) {
      await fsp.writeFile(path.join(tv.dir, 'scores.csv'), c);
      cli('save', 'scores.csv', '-m', `scores ${i + 1}`);
    }
    const applied = JSON.parse(cli('retention', 'apply', '--keep-last', '2', '--yes', '--json'));
    const archived = (JSON.parse(cli('log', 'scores.csv', '--json')) as { versions: Array<{ version: number; archive?: string }> }).versions.filter((v) => v.archive);
    expect(archived.map((v) => v.version).sort()).toEqual([1, 2]);
    const archive = archived[0]!.archive!;
    expect(JSON.stringify(applied)).toContain(archive);

    const statusFile = launch('arch', ['tui'], ['NO_COLOR=1', 'SAVEPOINT_AUTHOR_NAME=Ada Tester', 'SAVEPOINT_AUTHOR_EMAIL=ada@example.test']);
    await waitFor('History:');
    const flags = () => tmux('display-message', '-p', '-t', session, '#{mouse_sgr_flag} #{mouse_standard_flag}').trim();
    expect(flags()).toBe('1 1');
    keys('A');
    let s = await waitFor((x) => x.includes(archive) && x.includes('2 versions'));
    expect(s).toMatch(/not checked/);
    keys('v');
    s = await waitFor('✓ 2 verified');
    keys('Enter');
    s = await waitFor(`Archive ${archive}`);
    expect(s).toMatch(/› scores\.csv@1\s/);
    // the wheel moves the cursor in the list under the pointer
    tmux('send-keys', '-t', session, '-l', '\u001b[<65;10;5M');
    s = await waitFor('2/2');
    tmux('send-keys', '-t', session, '-l', '\u001b[<64;10;5M');
    s = await waitFor((x) => x.includes('1/2') && /› scores\.csv@1\s/.test(x));
    keys('r');
    s = await waitFor((x) => x.includes('Restore scores.csv@1?') && x.includes('y / Enter restore'));
    keys('y');
    s = await waitFor('Restored scores.csv@1');
    keys('Escape');
    await waitFor((x) => x.includes('Restored scores.csv@1') && !x.includes('refreshing…'));
    keys('q');
    expect(await exitStatus(statusFile)).toBe('0');
    // mouse reporting was turned off again on the way out
    expect(flags()).toBe('0 0');

    const bytes = await fsp.readFile(path.join(tv.dir, 'scores.csv'));
    expect(bytes.toString()).toBe(contents[0]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const after = (JSON.parse(cli('log', 'scores.csv', '--json')) as { versions: Array<{ version: number; kind: string; sha256: string; restoredFrom?: number }> }).versions;
    expect(after[0]).toMatchObject({ version: 5, kind: 'restore', restoredFrom: 1, sha256 });
    const st = JSON.parse(cli('status', '--json')) as { files: Array<{ path: string; state: string; latestVersion: number; archivedVersions: number }> };
    expect(st.files.find((f) => f.path === 'scores.csv')).toMatchObject({ state: 'unchanged', latestVersion: 5, archivedVersions: 2 });
  });

  test('Ctrl-C and SIGTERM also turn mouse reporting off', async () => {
    const flags = () => tmux('display-message', '-p', '-t', session, '#{mouse_sgr_flag} #{mouse_standard_flag}').trim();
    let statusFile = launch('ctrlc', ['tui'], ['NO_COLOR=1']);
    await waitFor('History:');
    expect(flags()).toBe('1 1');
    keys('C-c');
    await exitStatus(statusFile);
    expect(flags()).toBe('0 0');
    statusFile = launch('term', ['tui'], ['NO_COLOR=1']);
    await waitFor('History:');
    expect(flags()).toBe('1 1');
    const pid = tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim();
    // the pane runs a shell; the app is its child
    const app = execFileSync('pgrep', ['-P', pid], { encoding: 'utf8' }).trim().split('\n')[0]!;
    process.kill(Number(app), 'SIGTERM');
    expect(await exitStatus(statusFile)).toBe('130');
    expect(flags()).toBe('0 0');
  });

  test('a bare `savepoint` in a terminal opens the app, with colour unless NO_COLOR', async () => {
    const statusFile = launch('bare', [], []);
    await waitFor('History: data.csv');
    expect(screen(true)).toMatch(/\u001b\[[0-9;]*(3[0-7]|38;|9[0-7])[0-9;]*m/);
    keys('q');
    expect(await exitStatus(statusFile)).toBe('0');
  });
});
