/** `savepoint diff` end to end: versions and working copies, CSV and JSON, --stat/--json/--key/--exit-code. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { snapshot, sp, tempDir } from './helpers/cli.js';

let root: string;
let vault: string;
beforeAll(async () => {
  root = await tempDir();
  vault = path.join(root, 'v');
  sp(root, ['init', 'v']);
  const save = async (rel: string, text: string) => {
    await fsp.writeFile(path.join(vault, rel), text);
    expect(sp(vault, ['save', rel]).code).toBe(0);
  };
  await save('t.csv', 'id,name,score\n1,ann,10\n2,bob,20\n3,cy,30\n');
  await save('t.csv', 'id,name,score\n1,ann,11\n3,cy,30\n4,dee,40\n');
  await save('r.json', JSON.stringify({ runs: [{ id: 1, loss: 0.5 }, { id: 2, loss: 0.4 }] }));
  await save('r.json', JSON.stringify({ runs: [{ id: 1, loss: 0.5 }, { id: 2, loss: 0.39 }], note: 'x' }));
});
afterAll(async () => fsp.rm(root, { recursive: true, force: true }));

describe('savepoint diff', () => {
  it('reports rows added, removed and changed cells between two versions', () => {
    const r = sp(vault, ['diff', 't.csv@1', '@2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('score: "10" → "11"');
    expect(r.stdout).toMatch(/\+ id=4/);
    expect(r.stdout).toMatch(/- id=2/);
    expect(r.stdout).toContain('1 row added, 1 row removed, 1 row changed (1 cell)');
    const j = sp(vault, ['diff', 't.csv@1', 't.csv@2', '--json', '--key', 'id']).json;
    expect(j).toMatchObject({ ok: true, format: 'csv', identical: false, summary: { added: 1, removed: 1, changed: 1 } });
  });

  it('compares the working file with the latest save by default, and honours --exit-code', async () => {
    expect(sp(vault, ['diff', 't.csv', '--exit-code']).code).toBe(0);
    await fsp.appendFile(path.join(vault, 't.csv'), '5,eve,50\n');
    const before = await snapshot(vault);
    const r = sp(vault, ['diff', 't.csv', '--exit-code', '--stat']);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 row added, 0 rows removed, 0 rows changed (0 cells)');
    expect(await snapshot(vault)).toBe(before);
  });

  it('diffs JSON by path, matching array items by key', () => {
    const r = sp(vault, ['diff', 'r.json@1', '@latest']);
    expect(r.stdout).toContain('$.runs[id=2].loss: 0.4 → 0.39');
    expect(r.stdout).toContain('+ $.note: "x"');
  });

  it('a bad --key is a usage error (exit 2, not the --exit-code 1) that names the key once', async () => {
    const missing = sp(vault, ['diff', 't.csv@1', '@2', '--key', 'nope', '--exit-code', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.json.error).toMatchObject({ code: 'E_CSV_KEY_NOT_FOUND', details: { key: 'nope' } });
    await fsp.writeFile(path.join(vault, 'dup.csv'), 'id,v\n1,a\n2,b\n');
    expect(sp(vault, ['save', 'dup.csv']).code).toBe(0);
    await fsp.writeFile(path.join(vault, 'dup.csv'), 'id,v\n1,a\n1,b\n');
    const dup = sp(vault, ['diff', 'dup.csv', '--key', 'id', '--json']);
    expect(dup.code).toBe(2);
    expect(dup.json.error).toMatchObject({ code: 'E_CSV_DUPLICATE_KEY', details: { key: ['id'], value: ['1'] } });
    expect(dup.stdout).not.toContain('\\"');
    const text = sp(vault, ['diff', 'dup.csv', '--key', 'id']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('error [E_CSV_DUPLICATE_KEY] Key id is not unique in dup.csv (working copy): id=1 appears more than once');
    await fsp.writeFile(path.join(vault, 'dup.csv'), 'id,v\n1,a\n2,b\n');
  });

  it('same data written differently (CRLF, semicolons, a BOM) is a difference: dialect section, text, --exit-code 1', async () => {
    const file = path.join(vault, 'd.csv');
    await fsp.writeFile(file, 'id,v\n1,a\n2,b\n');
    expect(sp(vault, ['save', 'd.csv']).code).toBe(0);
    for (const [bytes, line] of [
      ['id,v\r\n1,a\r\n2,b\r\n', '~ line endings: LF → CRLF'],
      ['id;v\n1;a\n2;b\n', '~ delimiter: comma → semicolon'],
      ['\uFEFFid,v\n1,a\n2,b\n', '~ byte order mark: none → UTF-8 BOM'],
    ] as const) {
      await fsp.writeFile(file, bytes);
      const r = sp(vault, ['diff', 'd.csv', '--exit-code']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(line);
      expect(r.stdout).not.toContain('no changes');
      const j = sp(vault, ['diff', 'd.csv', '--json']);
      expect(j.code).toBe(0);
      expect(j.json).toMatchObject({ ok: true, identical: false, summary: { added: 0, removed: 0, changed: 0 } });
      expect(j.json.dialect.a).toMatchObject({ delimiter: ',', lineEnding: 'LF', bom: false });
      expect(j.json.formatChanges).toHaveLength(1);
    }
    await fsp.writeFile(file, 'id,v\n1,a\n2,b\n');
    expect(sp(vault, ['diff', 'd.csv', '--exit-code']).code).toBe(0);
  });

  it('a 100,000-deep JSON diffs (exit 0, bounded lines) instead of crashing', async () => {
    const deep = (leaf: string) => '['.repeat(100_000) + leaf + ']'.repeat(100_000);
    await fsp.writeFile(path.join(vault, 'deep.json'), deep('1'));
    expect(sp(vault, ['save', 'deep.json']).code).toBe(0);
    await fsp.writeFile(path.join(vault, 'deep.json'), deep('2'));
    const r = sp(vault, ['diff', 'deep.json', '--exit-code']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('…(100,000 levels)…');
    expect(r.stdout).toContain('0 paths added, 0 paths removed, 1 path changed');
    const j = sp(vault, ['diff', 'deep.json', '--json']);
    expect(j.code).toBe(0);
    expect(j.json.changes[0]).toMatchObject({ op: 'change', old: 1, new: 2 });
  });

  it('a multi-MB cell is shown clipped (head, size, sha256) in text and JSON, not printed whole', async () => {
    const big = 'é'.repeat(3 * 1024 * 1024); // 6 MB of UTF-8: read in chunks, never as one string
    await fsp.writeFile(path.join(vault, 'cell.csv'), `id,text\n1,${big}\n2,b\n`);
    expect(sp(vault, ['save', 'cell.csv']).code).toBe(0);
    await fsp.writeFile(path.join(vault, 'cell.csv'), `id,text\n1,${big}!\n2,b\n`);
    const r = sp(vault, ['diff', 'cell.csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(5000);
    expect(r.stdout).toMatch(/text: "é{128}"… \(6,291,456 bytes, sha256 [0-9a-f]{16}…\) → "é{128}"… \(6,291,457 bytes, sha256 [0-9a-f]{16}…\)/);
    const j = sp(vault, ['diff', 'cell.csv', '--json']);
    expect(j.stdout.length).toBeLessThan(10_000);
    expect(j.json.rows[0].cells[0]).toMatchObject({ column: 'text', old: { clipped: true, bytes: 6_291_456 }, new: { clipped: true, bytes: 6_291_457 } });
  });

  it('explains unknown versions', () => {
    expect(sp(vault, ['diff', 't.csv@9', '--json']).json.error.code).toBe('E_UNKNOWN_VERSION');
  });
});
