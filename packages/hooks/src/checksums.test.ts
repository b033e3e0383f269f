import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeChecksums, parseChecksums } from './checksums.js';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('checksums.txt', () => {
  it('is read back by the real `sha256sum -c`, including awkward names', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sp-sums-'));
    dirs.push(dir);
    const files: Record<string, string> = {
      'b.csv': 'b\n',
      'a dir/with space.csv': 'a\n',
      'back\\slash.csv': 'c\n',
      'new\nline.json': '{}',
      'carriage\rreturn.csv': 'r\n',
      'ünï.tsv': 'u\n',
    };
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    const text = mergeChecksums('', Object.entries(files).map(([p, c]) => ({ path: p, sha256: hex(c) })));
    writeFileSync(path.join(dir, 'checksums.txt'), text);
    const out = execFileSync('sha256sum', ['-c', '--strict', 'checksums.txt'], { cwd: dir, env: { ...process.env, LC_ALL: 'C' } }).toString();
    expect(out.match(/: OK$/gm)).toHaveLength(6);
    // and agrees with sha256sum's own output for a plain name
    const own = execFileSync('sha256sum', ['b.csv'], { cwd: dir }).toString();
    expect(text).toContain(own);
  });

  it('keeps other entries and lines, replaces updated ones, sorts by path bytes', () => {
    const before = `# made by hand\n${hex('z')}  z.csv\n${hex('old')} *m.csv\n${hex('a')}  a.csv\n`;
    const after = mergeChecksums(before, [{ path: 'm.csv', sha256: hex('new') }, { path: 'B.csv', sha256: hex('b') }]);
    expect(after).toBe(`# made by hand\n${hex('b')}  B.csv\n${hex('a')}  a.csv\n${hex('new')}  m.csv\n${hex('z')}  z.csv\n`);
  });

  it('is idempotent and round-trips through parse', () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9 _\\\n.é/-]{1,20}$/).filter((s) => s.trim() === s && !s.startsWith('#'));
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.string()), { maxLength: 8 }), (pairs) => {
        const entries = pairs.map(([p, c]) => ({ path: p, sha256: hex(c) }));
        const once = mergeChecksums('', entries);
        expect(mergeChecksums(once, entries)).toBe(once);
        const parsed = parseChecksums(once);
        const expected = new Map(entries.map((e) => [e.path, e.sha256]));
        expect(parsed.entries).toEqual(expected);
        expect(parsed.other).toEqual([]);
      }),
    );
  });
});
