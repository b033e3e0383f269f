import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { formatLockFile } from '../util/lock.js';
import { appendAudit, auditEntry, auditFile } from '../audit/log.js';
import { save } from './save.js';
import { refreshExports } from './export.js';
import { repair } from './repair.js';
import { doctor } from './doctor.js';
import { loadHistory } from '../history/versions.js';

let t: TempVault;
beforeEach(async () => {
  t = await makeTempVault({ config: { exportDir: 'exports' } });
});
afterEach(() => t.cleanup());

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('doctor', () => {
  it('a healthy vault has no findings', async () => {
    await t.write('a.csv', 'x\n1\n');
    await save(t.vault, { files: ['a.csv'] });
    await refreshExports(t.vault);
    expect(await doctor(t.vault)).toMatchObject({ ok: true, findings: [], remaining: 0 });
  });

  it('finds each kind of problem, fixes what is safe, says what it changed, and leaves the rest', async () => {
    await t.write('a.csv', 'x\n1\n');
    const first = await save(t.vault, { files: ['a.csv'] });
    await t.write('a.csv', 'x\n2\n');
    await save(t.vault, { files: ['a.csv'] });
    await refreshExports(t.vault);
    const sp = path.join(t.vault.gitdir, 'savepoint');
    const dead = await deadPid();
    // a stale vault lock (dead owner here) and a lock from another host (never broken)
    await fsp.writeFile(path.join(sp, 'lock'), formatLockFile(dead, 'save', os.hostname(), new Date()));
    await fsp.writeFile(path.join(sp, 'health.lock'), formatLockFile(dead, 'health record', 'nas-peer.example', new Date()));
    // a temp of a dead process
    await fsp.writeFile(path.join(sp, `.queue.json.3.${dead}.tmp`), '{');
    // an orphan archive (retention killed before index.json moved)
    const archives = path.resolve(t.dir, t.vault.config.archiveLocation);
    await fsp.mkdir(path.join(archives, 'daily'), { recursive: true });
    await fsp.writeFile(path.join(archives, 'daily', '2026-05-01_x.tar.gz'), 'archive bytes', { mode: 0o644 });
    await fsp.chmod(path.join(archives, 'daily', '2026-05-01_x.tar.gz'), 0o644);
    // the audit log readable by others
    await appendAudit(t.vault.gitdir, auditEntry({ command: 'save', paths: ['a.csv'], versions: [], result: 'ok' }));
    await fsp.chmod(auditFile(t.vault.gitdir), 0o644);
    // a note removed by another tool
    t.git(['notes', '--ref', 'savepoint', 'remove', first.commit!]);
    // export drift and a history cache from an older tip
    await fsp.writeFile(path.join(t.dir, 'exports', 'checksums.txt'), 'stale\n');
    await loadHistory(t.vault); // the catalog now matches the tips; then another tool edits a row
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path.join(sp, 'catalog.db'));
    db.prepare("UPDATE versions SET sha256 = @h, rec = json_set(rec, '$.sha256', @h) WHERE ord = (SELECT min(ord) FROM versions)").run({ h: '0'.repeat(64) });
    db.close();

    const found = await doctor(t.vault);
    const checks = found.findings.map((f) => f.check).sort();
    expect(checks).toEqual(['export-drift', 'foreign-lock', 'history-cache', 'missing-note', 'orphan-archive', 'permission', 'permission', 'stale-lock', 'temp-file']);
    expect(found.findings.every((f) => !f.fixed)).toBe(true);
    expect(found.ok).toBe(false);
    expect(found.findings.find((f) => f.check === 'foreign-lock')!.message).toContain('nas-peer.example');
    expect(found.findings.find((f) => f.check === 'missing-note')!.hint).toContain('savepoint repair');
    // without --fix nothing changed
    await fsp.access(path.join(sp, 'lock'));
    await fsp.access(path.join(sp, `.queue.json.3.${dead}.tmp`));

    const fixed = await doctor(t.vault, { fix: true });
    const byCheck = (c: string) => fixed.findings.filter((f) => f.check === c);
    for (const c of ['stale-lock', 'temp-file', 'orphan-archive', 'permission', 'history-cache', 'export-drift']) expect(byCheck(c).every((f) => f.fixed), c).toBe(true);
    expect(byCheck('foreign-lock')[0]!.fixed).toBe(false);
    expect(byCheck('missing-note')[0]!.fixed).toBe(false);
    expect(fixed.remaining).toBe(2);
    await expect(fsp.access(path.join(sp, 'lock'))).rejects.toThrow();
    await fsp.access(path.join(sp, 'health.lock'));
    await expect(fsp.access(path.join(sp, `.queue.json.3.${dead}.tmp`))).rejects.toThrow();
    expect(await fsp.readFile(path.join(archives, 'orphaned', 'daily', '2026-05-01_x.tar.gz'), 'utf8')).toBe('archive bytes'); // moved aside, never deleted
    expect((await fsp.stat(auditFile(t.vault.gitdir))).mode & 0o777).toBe(0o600);
    expect(await fsp.readFile(path.join(t.dir, 'exports', 'checksums.txt'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}a\.csv\n$/);

    // what doctor points at fixes the rest; the foreign lock stays the user's call
    expect((await repair(t.vault)).ok).toBe(true);
    const after = await doctor(t.vault);
    expect(after.findings.map((f) => f.check)).toEqual(['foreign-lock']);
    await fsp.rm(path.join(sp, 'health.lock'));
    expect((await doctor(t.vault)).ok).toBe(true);
  });
});
