/** End-to-end: `savepoint audit` records who changed or exported what; `savepoint doctor [--fix]` reports and mends. */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, sp, tempDir } from './helpers/cli.js';

let root: string;
let vault: string;
beforeAll(async () => {
  root = await tempDir();
  vault = path.join(root, 'vault');
  await fsp.mkdir(vault);
  expect(sp(vault, ['init']).code).toBe(0);
});
afterAll(() => fsp.rm(root, { recursive: true, force: true }));

describe('savepoint audit', () => {
  it('every change and export appends one line; reads are not recorded; the log is owner-only', async () => {
    await fsp.writeFile(path.join(vault, 'data.csv'), 'id\n1\n');
    expect(sp(vault, ['save', 'data.csv']).code).toBe(0);
    await fsp.writeFile(path.join(vault, 'data.csv'), 'id\n1\n2\n');
    expect(sp(vault, ['save', 'data.csv', '-m', 'two']).code).toBe(0);
    expect(sp(vault, ['log']).code).toBe(0); // a read: not audited
    expect(sp(vault, ['cat', 'data.csv@1']).stdout).toBe('id\n1\n');
    expect(sp(vault, ['restore', 'data.csv@1']).code).toBe(0);
    expect(sp(vault, ['export']).code).toBe(0);
    expect(sp(vault, ['restore', 'data.csv@9']).code).not.toBe(0); // failures are recorded too
    // refused (credentials never go into savepoint.json), and recorded without the secret
    expect(sp(vault, ['remote', 'add', 'origin', 'https://ada:s3cret@example.test/v.git']).code).not.toBe(0);

    const file = path.join(vault, '.git', 'savepoint', 'audit.log');
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fsp.readFile(file, 'utf8')).not.toContain('s3cret');
    const r = sp(vault, ['audit', '--json']);
    expect(r.code).toBe(0);
    const entries = r.json.entries as { command: string; paths: string[]; versions: string[]; result: string; user: string; host: string }[];
    expect(entries.map((e) => e.command)).toEqual(['init', 'save', 'save', 'cat', 'restore', 'export', 'restore', 'remote add']);
    expect(entries[1]).toMatchObject({ paths: ['data.csv'], versions: ['data.csv@1'], result: 'ok', host: os.hostname() });
    expect(entries[4]!.versions).toContain('data.csv@1');
    expect(entries[6]).toMatchObject({ paths: ['data.csv@9'], result: 'E_UNKNOWN_VERSION' });
    expect(entries[7]!.paths).toEqual(['origin', 'https://***@example.test/v.git']);
    expect(entries[7]!.result).toMatch(/^E_/);
    // the text form and --since
    expect(sp(vault, ['audit']).stdout).toMatch(/ save data\.csv \[data\.csv@1\] → ok/);
    expect(sp(vault, ['audit', '--since', '1h', '--json']).json.entries.length).toBe(entries.length);
    expect(sp(vault, ['audit', '--since', '2999-01-01', '--json']).json.entries).toEqual([]);
    expect(sp(vault, ['audit', '--since', 'yesterday']).code).toBe(2);
  });
});

describe('savepoint doctor', () => {
  it('reports problems with a non-zero exit, --fix mends them and says what it changed', async () => {
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '0']);
      c.on('exit', () => resolve(c.pid!));
    });
    const lock = path.join(vault, '.git', 'savepoint', 'lock');
    await fsp.writeFile(lock, `${dead}\nsave\n${os.hostname()}\n2026-05-01T09:00:00.000Z\n`);
    const head = git(vault, ['rev-parse', 'HEAD']).trim();
    git(vault, ['notes', '--ref', 'savepoint', 'remove', head]);

    const found = sp(vault, ['doctor', '--json']);
    expect(found.code).toBe(1);
    expect(found.json.findings.map((f: { check: string }) => f.check).sort()).toEqual(['missing-note', 'stale-lock']);
    expect(sp(vault, ['doctor']).stdout).toMatch(/problem stale-lock: .*no longer runs[\s\S]*savepoint repair/);
    await fsp.access(lock);

    const fixed = sp(vault, ['doctor', '--fix']);
    expect(fixed.code).toBe(1); // the missing note is repair's job
    expect(fixed.stdout).toMatch(/fixed\s+stale-lock/);
    await expect(fsp.access(lock)).rejects.toThrow();
    expect(sp(vault, ['repair']).code).toBe(0);
    const clean = sp(vault, ['doctor', '--json']);
    expect(clean).toMatchObject({ code: 0, json: { ok: true, findings: [] } });
    git(vault, ['fsck', '--strict']);
    expect(sp(vault, ['audit', '--json']).json.entries.map((e: { command: string }) => e.command).slice(-2)).toEqual(['doctor --fix', 'repair']);
  });
});
