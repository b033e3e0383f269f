/**
 * End-to-end: the after-save pipeline behind `savepoint watch` (a file written by another process is saved,
 * pushed to a real smart-HTTP remote and exported), `savepoint maintain` (parallel runs, dry run) and the
 * config keys of issue 11, through the built CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, CLI_ENV, cleanEnv, git, snapshot, sp, spawnJsonLines, tempDir } from './helpers/cli.js';
import { startGitHttpServer } from './helpers/git-http-server.js';
import type { GitHttpServer } from './helpers/git-http-server.js';

const PASSWORD = 'pipe-pw-5521';
const AUTH = { SAVEPOINT_USERNAME: 'tester', SAVEPOINT_PASSWORD: PASSWORD, SAVEPOINT_NO_CREDENTIAL_HELPER: '1' };

let server: GitHttpServer;
let root: string;
beforeAll(async () => {
  server = await startGitHttpServer({ users: { tester: PASSWORD } });
  root = await tempDir();
});
afterAll(async () => {
  await server.stop({ removeRoot: true });
  await fsp.rm(root, { recursive: true, force: true });
});


const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('after-save pipeline through watch', () => {
  it('a file written by another process is saved within 2 s of its last write, pushed to a real remote, exports refreshed', async () => {
    const vault = path.join(root, 'w');
    expect(sp(root, ['init', 'w']).code).toBe(0);
    await server.createBareRepo('watched');
    expect(sp(vault, ['remote', 'add', 'nas', server.url('watched'), '--media', 'nas', '--auto-push'], { env: AUTH }).code).toBe(0);
    const { child, waitFor } = spawnJsonLines(vault, ['watch', '--json'], { env: AUTH });
    try {
      await waitFor((e) => e.type === 'ready');
      // another process writes the file in pieces over ~300 ms and prints when its last write returned
      const content = Array.from({ length: 400 }, (_, i) => `${i},${i * i}`).join('\n') + '\n';
      const writer = spawn(process.execPath, ['-e', `
        const fs = require('fs');
        const text = ${JSON.stringify(content)};
        const fd = fs.openSync('data.csv', 'w');
        let i = 0;
        const step = () => {
          if (i >= text.length) { fs.closeSync(fd); process.stdout.write(String(Date.now())); return; }
          fs.writeSync(fd, text.slice(i, i + 1000)); i += 1000; setTimeout(step, 30);
        };
        step();`], { cwd: vault });
      let lastWrite = '';
      writer.stdout.on('data', (d) => (lastWrite += d));
      await new Promise((r) => writer.on('exit', r));
      const saved = await waitFor((e) => e.type === 'saved' && e.path === 'data.csv');
      expect(saved.e.version).toBe(1);
      expect(saved.at - Number(lastWrite)).toBeLessThan(2000);
      console.log(`watch: saved ${saved.at - Number(lastWrite)} ms after the last write`);
      const after = await waitFor((e) => e.type === 'after-save');
      expect(after.e.report.ok).toBe(true);
      expect(after.e.report.push.result).toMatchObject([{ remote: 'nas', ok: true }]);
      expect(after.e.report.exports.status).toBe('ok');
      // native git on the remote: the save and its checksum note
      const bare = path.join(server.root, 'watched.git');
      expect(git(bare, ['log', '--format=%s', 'main']).trim().split('\n')[0]).toBe('Auto-save data.csv');
      expect(JSON.parse(git(bare, ['notes', '--ref=savepoint', 'show', 'main'])).files['data.csv'].sha256).toBe(sha256(content));
      // exports: checksums of what the other process wrote, manifest with the version
      expect(await fsp.readFile(path.join(vault, 'backups', 'checksums.txt'), 'utf8')).toBe(`${sha256(content)}  data.csv\n`);
      const manifest = JSON.parse(await fsp.readFile(path.join(vault, 'backups', 'manifest.json'), 'utf8'));
      expect(manifest.files).toMatchObject([{ path: 'data.csv', version: 1, sha256: sha256(content), size: content.length }]);
      // the exports themselves were never saved (manifest.json matches **/*.json)
      expect(sp(vault, ['log', '--json']).json.versions.map((v: any) => v.path)).toEqual(['data.csv']);
      // (savepoint.json changed when `remote add` added the remote; backups/ never shows up)
      expect(git(vault, ['status', '--porcelain', '--untracked-files=all'])).toBe(' M savepoint.json\n');
    } finally {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGINT');
      await exited;
    }
  });
});

describe('config keys', () => {
  it('"enabled": false pauses watch with a message; `save` still saves by hand', async () => {
    const vault = path.join(root, 'off');
    expect(sp(root, ['init', 'off']).code).toBe(0);
    const cfgFile = path.join(vault, 'savepoint.json');
    await fsp.writeFile(cfgFile, JSON.stringify({ ...JSON.parse(await fsp.readFile(cfgFile, 'utf8')), enabled: false }));
    const w = sp(vault, ['watch']);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/Automatic saves are paused: savepoint.json has "enabled": false.*savepoint save FILE/);
    expect(sp(vault, ['watch', '--json']).json).toEqual({ type: 'paused', reason: 'savepoint.json has "enabled": false' });
    await fsp.writeFile(path.join(vault, 'd.csv'), 'a\n1\n');
    expect(sp(vault, ['save', 'd.csv']).code).toBe(0);
  });

  it('retired keys (retentionDays, autoCommit) fail with exit 4 and name the replacement', async () => {
    const vault = path.join(root, 'retired');
    expect(sp(root, ['init', 'retired']).code).toBe(0);
    const cfgFile = path.join(vault, 'savepoint.json');
    const cfg = JSON.parse(await fsp.readFile(cfgFile, 'utf8'));
    await fsp.writeFile(cfgFile, JSON.stringify({ ...cfg, retentionDays: 90 }));
    const r = sp(vault, ['status', '--json']);
    expect(r.code).toBe(4);
    expect(r.json.error).toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringMatching(/"retentionDays" was removed.*"keepWithin": "90d"/) });
    await fsp.writeFile(cfgFile, JSON.stringify({ ...cfg, autoCommit: true }));
    expect(sp(vault, ['log']).stderr).toMatch(/E_CONFIG_INVALID.*"autoCommit" was removed.*"enabled": false/);
  });

  it('init --no-auto-retention / --no-export-dir opt out; an existing backups/ folder is never taken over', async () => {
    expect(sp(root, ['init', 'plain', '--no-auto-retention', '--no-export-dir']).code).toBe(0);
    expect(JSON.parse(await fsp.readFile(path.join(root, 'plain', 'savepoint.json'), 'utf8'))).toEqual({ retention: { auto: false }, historyBranch: 'main' });
    await fsp.mkdir(path.join(root, 'has', 'backups'), { recursive: true });
    await fsp.writeFile(path.join(root, 'has', 'backups', 'manifest.json'), '{"mine":true}');
    const r = sp(root, ['init', 'has', '--json']);
    expect(r.json.config.exportDir).toBeUndefined();
    expect(r.json.config.retention.auto).toBe(true);
    expect(sp(root, ['init', 'own', '--export-dir', 'exports']).stdout).toMatch(/exports\/checksums.txt and manifest.json are kept current/);
  });
});

describe('savepoint maintain', () => {
  it('--dry-run changes nothing', async () => {
    const vault = path.join(root, 'dry');
    // saved with retention off, then switched on: the dry run has versions to plan to archive
    expect(sp(root, ['init', 'dry', '--no-auto-retention']).code).toBe(0);
    for (let i = 1; i <= 12; i++) {
      await fsp.writeFile(path.join(vault, 'd.csv'), `v\n${i}\n`);
      expect(sp(vault, ['save', 'd.csv', '-q']).code).toBe(0);
    }
    const cfgFile = path.join(vault, 'savepoint.json');
    await fsp.writeFile(cfgFile, JSON.stringify({ ...JSON.parse(await fsp.readFile(cfgFile, 'utf8')), retention: { auto: true } }));
    const before = await snapshot(vault);
    const r = sp(vault, ['maintain', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, dryRun: true });
    expect(r.json.steps.map((s: any) => [s.step, s.status])).toEqual([['retention', 'planned'], ['restore-test', 'planned'], ['compact', 'planned'], ['push', 'skipped'], ['exports', 'planned']]);
    expect(r.json.steps[0].details.counts).toEqual({ keep: 10, archive: 2, delete: 0 });
    expect(await snapshot(vault)).toBe(before);
    expect(sp(vault, ['maintain', '--dry-run']).stdout).toMatch(/Dry run: nothing was changed/);
  });

  it('two runs in parallel: the second waits for the first, then reports that it just ran', async () => {
    const vault = path.join(root, 'par');
    expect(sp(root, ['init', 'par']).code).toBe(0);
    const cfgFile = path.join(vault, 'savepoint.json');
    await fsp.writeFile(cfgFile, JSON.stringify({ ...JSON.parse(await fsp.readFile(cfgFile, 'utf8')), autoCompactBytes: 1e12 }));
    for (let i = 1; i <= 3; i++) {
      const big = Buffer.alloc(2 << 20, i);
      big.write(`version ${i}`);
      await fsp.writeFile(path.join(vault, 'big.bin'), big);
      expect(sp(vault, ['save', 'big.bin', '-q']).code).toBe(0);
    }
    const run = () => {
      // human output: the "waiting" notice goes to stderr (--json keeps stderr quiet), which tells the test when
      // a run is waiting for the lock; the run's report is read from the state file below
      const c = spawn(process.execPath, [BIN, 'maintain', '--full'], { cwd: vault, env: cleanEnv(CLI_ENV) });
      const state = { err: '', out: '' };
      c.stdout.on('data', (d) => (state.out += d));
      c.stderr.on('data', (d) => (state.err += d));
      const done = new Promise<{ code: number | null; stdout: string }>((resolve) => c.on('exit', (code) => resolve({ code, stdout: state.out })));
      return { done, state };
    };
    const waiting = async (r: ReturnType<typeof run>) => {
      for (let i = 0; !/waiting for it to finish/.test(r.state.err); i++) {
        if (i > 4000) throw new Error(`maintain never waited: ${r.state.err}`);
        await new Promise((res) => setTimeout(res, 5));
      }
    };
    // the test holds the maintain lock (as a live run on this host would) until both runs wait for it, so the
    // order does not depend on how long a run takes: one runs when it is released, the other waits for that one
    const lock = path.join(vault, '.git', 'savepoint', 'maintain.lock');
    await fsp.mkdir(path.dirname(lock), { recursive: true });
    await fsp.writeFile(lock, `${process.pid}\nmaintain (test)\n${os.hostname()}\n${new Date().toISOString()}\n`, { flag: 'wx' });
    const first = run();
    await waiting(first);
    const second = run();
    await waiting(second);
    await fsp.rm(lock);
    const results = await Promise.all([first.done, second.done]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    // the run that took the lock wrote its report; the other one says it just ran and repeated nothing
    const ran = JSON.parse(await fsp.readFile(path.join(vault, '.git', 'savepoint', 'maintain.json'), 'utf8'));
    expect(ran).toMatchObject({ ok: true, outcome: 'ran', waited: true });
    expect(ran.restorationTest.map((i: any) => [i.version, i.status])).toEqual([[1, 'verified'], [2, 'verified'], [3, 'verified']]);
    const justRan = results.filter((r) => r.stdout.includes(`maintain just ran (finished ${ran.finishedAt}, ok) while this one waited`));
    expect(justRan, results.map((r) => r.stdout).join('\n---\n')).toHaveLength(1);
    expect(await fsp.stat(lock).catch(() => null)).toBeNull();
    // every save's note records the restoration test
    const notes = git(vault, ['log', '--format=%N', '--notes=savepoint', 'main']);
    expect(notes.match(/"verifiedBy":\s*"maintain"/g)).toHaveLength(3);
  }, 120_000);
});
