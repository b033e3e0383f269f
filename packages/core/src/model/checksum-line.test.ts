import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checksumLine, unescapeChecksumName } from './checksum-line.js';
import { buildChecksums } from './exports.js';
import type { VersionRecord } from './version.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const sum = (algo: 'sha256' | 'md5', s: string) => createHash(algo).update(s).digest('hex');

function rec(p: string, content: string, version = 1): VersionRecord {
  return { path: p, version, commit: 'c'.repeat(40), seq: 0, blob: 'b'.repeat(40), sha256: sum('sha256', content), md5: sum('md5', content), size: content.length, savedAt: '2026-01-01T00:00:00.000Z', summary: '', source: 'test', kind: 'manual', status: 'active', tags: [] };
}

describe('checksum lines', () => {
  // names with a backslash, a newline and a carriage return: coreutils escapes all three
  const files: Record<string, string> = { 'plain.csv': 'p\n', 'back\\slash.csv': 'b\n', 'new\nline.csv': 'n\n', 'car\rriage.csv': 'r\n', 'all\\\n\r.csv': 'a\n' };

  it('are what `sha256sum` itself writes, and `sha256sum -c` / `md5sum -c` read them back', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sp-sumline-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    const versions = Object.entries(files).map(([p, c]) => rec(p, c));
    writeFileSync(path.join(dir, 'checksums.txt'), buildChecksums(versions));
    writeFileSync(path.join(dir, 'checksums.md5'), buildChecksums(versions, 'md5'));
    const env = { ...process.env, LC_ALL: 'C' };
    expect(execFileSync('sha256sum', ['-c', '--strict', 'checksums.txt'], { cwd: dir, env }).toString().match(/: OK$/gm)).toHaveLength(5);
    expect(execFileSync('md5sum', ['-c', '--strict', 'checksums.md5'], { cwd: dir, env }).toString().match(/: OK$/gm)).toHaveLength(5);
    for (const [name, content] of Object.entries(files)) {
      const own = execFileSync('sha256sum', ['--', name], { cwd: dir, env }).toString();
      expect(own, JSON.stringify(name)).toBe(`${checksumLine(sum('sha256', content), name)}\n`);
    }
  });

  it('unescape what they escape', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z\\\n\r. ]{1,12}$/), (name) => {
        const line = checksumLine('0'.repeat(64), name);
        const escaped = line.startsWith('\\');
        expect(escaped).toBe(/[\\\n\r]/.test(name));
        const written = line.slice(line.indexOf('  ') + 2);
        expect(written).not.toMatch(/[\n\r]/);
        expect(escaped ? unescapeChecksumName(written) : written).toBe(name);
      }),
    );
  });
});
