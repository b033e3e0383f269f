import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-vault.js';
import { appendAudit, auditEntry, auditFile, parseAudit, readAudit, redactCredentials } from './log.js';

let gitdir: string;
beforeEach(async () => {
  gitdir = await makeTempDir('sp-audit-');
});
afterEach(() => fsp.rm(gitdir, { recursive: true, force: true }));

describe('audit log', () => {
  it('is created owner-only, appended to, never rewritten; entries carry user, host and result', async () => {
    await appendAudit(gitdir, auditEntry({ command: 'save', paths: ['a.csv'], versions: ['a.csv@1'], result: 'ok', time: new Date('2026-05-01T09:00:00Z') }));
    const before = await fsp.readFile(auditFile(gitdir), 'utf8');
    await appendAudit(gitdir, auditEntry({ command: 'remote add', paths: ['origin', 'https://ada:s3cret@example.test/v.git'], versions: [], result: 'E_LOCKED', message: 'busy', time: new Date('2026-05-02T09:00:00Z') }));
    expect((await fsp.stat(auditFile(gitdir))).mode & 0o777).toBe(0o600);
    const after = await fsp.readFile(auditFile(gitdir), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    const all = await readAudit(gitdir);
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ command: 'save', versions: ['a.csv@1'], result: 'ok', pid: process.pid });
    expect(typeof all[0]!.user).toBe('string');
    expect(all[1]!.paths).toEqual(['origin', 'https://***@example.test/v.git']);
    expect(after).not.toContain('s3cret');
    expect((await readAudit(gitdir, new Date('2026-05-02T00:00:00Z'))).map((e) => e.command)).toEqual(['remote add']);
  });

  it('skips torn or foreign lines', () => {
    expect(parseAudit('{"time":"2026-05-01T00:00:00Z","command":"save","paths":[],"versions":[],"result":"ok"}\n{"time":"20\nnot json\n')).toHaveLength(1);
    expect(redactCredentials('ssh://git@host/x')).toBe('ssh://***@host/x');
    expect(redactCredentials('data.csv@3')).toBe('data.csv@3');
  });

  it('lines of concurrent processes never interleave', async () => {
    const mod = fileURLToPath(new URL('./log.ts', import.meta.url));
    const script = `import { appendAudit, auditEntry } from ${JSON.stringify(mod)};
for (let i = 0; i < 50; i++) await appendAudit(process.argv[2], auditEntry({ command: 'save', paths: ['p'.repeat(3000) + i], versions: [], result: 'ok' }));`;
    const file = path.join(gitdir, 'writer.mts');
    await fsp.writeFile(file, script);
    const tsx = fileURLToPath(new URL('../../../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    await Promise.all(Array.from({ length: 4 }, () => new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, [tsx, file, gitdir], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d: Buffer) => (err += d));
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    })));
    const text = await fsp.readFile(auditFile(gitdir), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  }, 60_000);
});
