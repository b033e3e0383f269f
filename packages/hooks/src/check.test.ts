import { execFileSync } from 'node:child_process';
import { symlinkSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRepos, isolateProcessEnv, makeRepo } from '../test/helpers.js';
import { checkFiles } from './check.js';

beforeAll(isolateProcessEnv);
afterAll(cleanupRepos);

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const GOOD = 'id,temp\n1,20.5\n2,21.0\n';
const BAD = 'id,temp\n1,20.5\n2\n';
const codes = (r: Awaited<ReturnType<typeof checkFiles>>, file: string) => r.files.find((f) => f.path === file)?.problems.map((p) => p.code);

describe('checkFiles', () => {
  it('passes a good CSV, records its sha256 in checksums.txt and stages it', async () => {
    const repo = makeRepo();
    repo.write('checksums.txt', `${sha('x')}  old/other.csv\n`);
    repo.git('add', 'checksums.txt');
    repo.git('commit', '-q', '-m', 'sums');
    repo.write('data/good.csv', GOOD);
    repo.git('add', 'data/good.csv');
    const r = await checkFiles({ repoDir: repo.dir, files: ['data/good.csv'] });
    expect(r.ok).toBe(true);
    expect(r.files).toEqual([expect.objectContaining({ path: 'data/good.csv', ok: true, problems: [], source: 'worktree', sha256: sha(GOOD), format: 'csv' })]);
    expect(r.checksums).toEqual({ file: 'checksums.txt', updated: [{ path: 'data/good.csv', sha256: sha(GOOD) }], staged: true });
    const expected = `${sha(GOOD)}  data/good.csv\n${sha('x')}  old/other.csv\n`;
    expect(repo.read('checksums.txt')).toBe(expected);
    expect(repo.git('show', ':checksums.txt')).toBe(expected);
    expect(repo.git('status', '--porcelain')).toBe('M  checksums.txt\nA  data/good.csv\n');
    // the real sha256sum agrees for the file we recorded
    expect(execFileSync('sha256sum', ['data/good.csv'], { cwd: repo.dir }).toString()).toBe(`${sha(GOOD)}  data/good.csv\n`);
  });

  it('blocks a malformed CSV, names the line, and leaves index and working tree byte-identical', async () => {
    const repo = makeRepo();
    repo.write('bad.csv', BAD);
    repo.write('good.csv', GOOD);
    repo.git('add', '.');
    const before = repo.snapshot();
    const r = await checkFiles({ repoDir: repo.dir, files: ['good.csv', 'bad.csv'] });
    expect(r.ok).toBe(false);
    const bad = r.files.find((f) => f.path === 'bad.csv');
    expect(bad?.problems).toEqual([expect.objectContaining({ code: 'E_FORMAT_INVALID', line: 3 })]);
    expect(bad?.problems[0]?.message).toMatch(/expected 2 fields/);
    expect(r.checksums).toEqual({ file: 'checksums.txt', updated: [], staged: false });
    expect(repo.snapshot()).toEqual(before);
    expect(repo.exists('checksums.txt')).toBe(false);
  });

  it('checks what is staged, not the working copy, when a file is partially staged', async () => {
    const repo = makeRepo();
    repo.write('p.csv', BAD);
    repo.git('add', 'p.csv');
    repo.write('p.csv', GOOD); // fixed in the working tree but not staged
    const r1 = await checkFiles({ repoDir: repo.dir, files: ['p.csv'] });
    expect(r1.files[0]).toMatchObject({ ok: false, source: 'index' });

    repo.write('q.csv', GOOD);
    repo.git('add', 'q.csv');
    repo.write('q.csv', BAD); // broken in the working tree, good in the index
    const r2 = await checkFiles({ repoDir: repo.dir, files: ['q.csv'] });
    expect(r2.files[0]).toMatchObject({ ok: true, source: 'index', sha256: sha(GOOD) });
    expect(repo.read('q.csv')).toBe(BAD);
  });

  it('blocks files over the size limit (option and savepoint.json) with a savepoint save hint', async () => {
    const repo = makeRepo();
    repo.write('big.csv', `a\n${'1\n'.repeat(100)}`);
    repo.git('add', 'big.csv');
    const r = await checkFiles({ repoDir: repo.dir, files: ['big.csv'], config: { maxFileSize: 100 } });
    expect(r.files[0]?.problems).toEqual([expect.objectContaining({ code: 'E_FILE_TOO_LARGE' })]);
    expect(r.files[0]?.problems[0]?.hint).toContain('savepoint save');

    repo.write('savepoint.json', JSON.stringify({ hooks: { maxFileSize: 150 } }));
    expect(codes(await checkFiles({ repoDir: repo.dir, files: ['big.csv'] }), 'big.csv')).toEqual(['E_FILE_TOO_LARGE']);
    repo.write('savepoint.json', JSON.stringify({ hooks: { maxFileSize: 1000 } }));
    expect(codes(await checkFiles({ repoDir: repo.dir, files: ['big.csv'], recordChecksums: false }), 'big.csv')).toEqual([]);
  });

  it('blocks backup folders, the configured archive location and backup-looking names', async () => {
    const repo = makeRepo();
    repo.write('savepoint.json', JSON.stringify({ archiveLocation: 'vault-archive' }));
    const files = ['backups/x.csv', 'archive/y.csv', 'vault-archive/z.csv', 'data/r_20240131_235959.csv', 'data/r.csv.bak', 'backup-1.json', 'data/ok.csv'];
    for (const f of files) repo.write(f, f.endsWith('.json') ? '{}' : GOOD);
    repo.git('add', '.');
    const r = await checkFiles({ repoDir: repo.dir, files });
    for (const f of files.slice(0, -1)) expect(codes(r, f)).toEqual(['E_BACKUP_FILE']);
    expect(codes(r, 'data/ok.csv')).toEqual([]);
    expect(r.ok).toBe(false);
    expect(repo.exists('checksums.txt')).toBe(false);
  });

  it('blocks .env files and secrets inside data, without echoing the secret', async () => {
    const repo = makeRepo();
    repo.write('.env', 'API_KEY=abcd1234abcd\n');
    repo.write('.env.example', 'API_KEY=\n');
    repo.write('people.json', '{\n  "name": "x",\n  "key": "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Blb..."\n}\n');
    repo.write('tokens.csv', 'id,token\n1,AKIAIOSFODNN7EXAMPLE\n');
    repo.git('add', '.');
    const r = await checkFiles({ repoDir: repo.dir, files: ['.env', '.env.example', 'people.json', 'tokens.csv'] });
    expect(codes(r, '.env')).toEqual(['E_SECRET_FILE']);
    expect(codes(r, '.env.example')).toEqual([]);
    expect(r.files.find((f) => f.path === 'people.json')?.problems).toEqual([expect.objectContaining({ code: 'E_SECRET_CONTENT', line: 3 })]);
    expect(r.files.find((f) => f.path === 'tokens.csv')?.problems).toEqual([expect.objectContaining({ code: 'E_SECRET_CONTENT', line: 2 })]);
    expect(JSON.stringify(r)).not.toContain('abcd1234abcd');
    expect(JSON.stringify(r)).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('never stages unstaged edits of checksums.txt', async () => {
    const repo = makeRepo();
    repo.write('checksums.txt', `${sha('a')}  a.csv\n`);
    repo.git('add', 'checksums.txt');
    repo.git('commit', '-q', '-m', 'sums');
    repo.write('checksums.txt', `${sha('a')}  a.csv\n${sha('local')}  local-only.csv\n`); // not staged
    repo.write('b.csv', GOOD);
    repo.git('add', 'b.csv');
    const r = await checkFiles({ repoDir: repo.dir, files: ['b.csv'] });
    expect(r.ok).toBe(true);
    expect(repo.git('show', ':checksums.txt')).toBe(`${sha('a')}  a.csv\n${sha(GOOD)}  b.csv\n`);
    expect(repo.read('checksums.txt')).toBe(`${sha('a')}  a.csv\n${sha(GOOD)}  b.csv\n${sha('local')}  local-only.csv\n`);
  });

  it('takes absolute paths and paths relative to cwd; filters to hook files on request; skips tooling JSON in checksums', async () => {
    const repo = makeRepo();
    repo.write('sub/d.csv', GOOD);
    repo.write('package.json', '{"name":"x"}\n');
    repo.write('notes.md', 'password=hunter2hunter2\n');
    repo.git('add', '.');
    const r = await checkFiles({
      repoDir: repo.dir,
      cwd: path.join(repo.dir, 'sub'),
      files: ['d.csv', path.join(repo.dir, 'package.json'), '../notes.md'],
      onlyHookFiles: true,
    });
    expect(r.files.map((f) => f.path)).toEqual(['sub/d.csv', 'package.json']);
    expect(r.ok).toBe(true);
    expect(r.checksums.updated.map((u) => u.path)).toEqual(['sub/d.csv']);
    await expect(checkFiles({ repoDir: repo.dir, files: ['/etc/passwd'] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('treats a CRLF working copy under core.autocrlf as the staged file (what sha256sum -c will see)', async () => {
    const repo = makeRepo();
    repo.git('config', 'core.autocrlf', 'true');
    const crlf = 'a,b\r\n1,2\r\n';
    repo.write('w.csv', crlf);
    repo.git('add', 'w.csv');
    expect(repo.git('cat-file', '-p', ':w.csv')).toBe('a,b\n1,2\n');
    const r = await checkFiles({ repoDir: repo.dir, files: ['w.csv'] });
    expect(r.files[0]).toMatchObject({ ok: true, source: 'worktree', sha256: sha(crlf) });
    expect(execFileSync('sha256sum', ['-c', 'checksums.txt'], { cwd: repo.dir }).toString()).toBe('w.csv: OK\n');
  });

  it('accepts paths reached through a symlinked directory', async () => {
    const repo = makeRepo();
    repo.write('s.csv', GOOD);
    repo.git('add', 's.csv');
    const link = `${repo.dir}-link`;
    symlinkSync(repo.dir, link);
    try {
      const r = await checkFiles({ repoDir: link, cwd: link, files: ['s.csv', path.join(link, 's.csv')], recordChecksums: false });
      expect(r.files.map((f) => [f.path, f.ok])).toEqual([['s.csv', true]]);
    } finally {
      unlinkSync(link);
    }
  });

  it('reports a missing file and refuses a directory that is not a repository', async () => {
    const repo = makeRepo();
    const r = await checkFiles({ repoDir: repo.dir, files: ['nope.csv'] });
    expect(codes(r, 'nope.csv')).toEqual(['E_FILE_MISSING']);
    await expect(checkFiles({ repoDir: path.dirname(repo.dir), files: [] })).rejects.toMatchObject({ code: 'E_NOT_A_GIT_REPO' });
  });
});
