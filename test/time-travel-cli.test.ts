/** End-to-end (issue 14 items 2, 4, 5): restore --all / diff --all, archive <address>, save/restore --pg through the bundled CLI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';
import { usePostgres } from '../packages/core/src/testing/postgres-server.js';

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => fsp.rm(root, { recursive: true, force: true }));

const at = (d: string) => ({ env: { SAVEPOINT_NOW: `${d}T09:00:00Z` } });

async function threeDays(name: string): Promise<string> {
  expect(sp(root, ['init', name, '--no-auto-retention']).code).toBe(0);
  const v = path.join(root, name);
  await fsp.writeFile(path.join(v, 'a.csv'), 'id,v\n1,a\n2,b\n');
  await fsp.writeFile(path.join(v, 'b.json'), '{"k":1}\n');
  expect(sp(v, ['save', 'a.csv', 'b.json', '-m', 'day 1'], at('2026-05-01')).code).toBe(0);
  await fsp.writeFile(path.join(v, 'a.csv'), 'id,v\n1,a\n2,c\n3,d\n');
  expect(sp(v, ['save', 'a.csv', '-t', 'day2'], at('2026-05-02')).code).toBe(0);
  await fsp.writeFile(path.join(v, 'c.txt'), 'new\n');
  expect(sp(v, ['save', 'c.txt'], at('2026-05-03')).code).toBe(0);
  return v;
}

describe('savepoint restore --all / diff --all', () => {
  it('diffs two moments with data-aware summaries, restores the vault to a date with a summary, writes a tag state elsewhere', async () => {
    const v = await threeDays('tt');
    const d = sp(v, ['diff', '--all', '@2026-05-01', '@day2']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/changed\s+a\.csv\s+v1 → v2\n\s+1 row added, 0 rows removed, 1 row changed/);
    expect(d.stdout).toContain('@2026-05-01 → @day2: 1 changed, 0 added, 0 removed, 1 unchanged.');
    const dj = sp(v, ['diff', '--all', '@2026-05-01', '@latest', '--json', '--exit-code']);
    expect(dj.code).toBe(1);
    expect(dj.json.files.map((f: any) => [f.path, f.status])).toEqual([['a.csv', 'changed'], ['b.json', 'unchanged'], ['c.txt', 'added']]);
    expect(dj.json.files[0].summary).toMatchObject({ added: 1, changed: 1 });

    await fsp.writeFile(path.join(v, 'b.json'), '{"k":"unsaved"}\n');
    const r = sp(v, ['restore', '--all', '@2026-05-01', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.counts).toEqual({ restored: 2, unchanged: 0, notPresent: 1 });
    expect(r.json.preRestoreSave.files).toEqual([{ path: 'b.json', version: 2 }]);
    expect(await fsp.readFile(path.join(v, 'a.csv'), 'utf8')).toBe('id,v\n1,a\n2,b\n');
    expect(await fsp.readFile(path.join(v, 'c.txt'), 'utf8')).toBe('new\n');
    expect(git(v, ['log', '-2', '--format=%s'])).toBe('Restore vault to @2026-05-01\nPre-restore snapshot before restoring the vault to @2026-05-01\n');
    expect(git(v, ['status', '--porcelain', '--untracked-files=no'])).toBe('');

    const text = sp(v, ['restore', '--all', '@day2', '--to', path.join(root, 'tt-day2')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/not then\s+c\.txt/);
    expect(await fsp.readFile(path.join(root, 'tt-day2', 'a.csv'), 'utf8')).toBe('id,v\n1,a\n2,c\n3,d\n');

    const early = sp(v, ['restore', '--all', '@2026-04-01']);
    expect(early.code).toBe(8);
    expect(early.stderr).toMatch(/E_UNKNOWN_VERSION.*first save is from 2026-05-01/);
  });
});

describe('savepoint archive <address>', () => {
  it('archives one version (list/verify subcommands still work), refuses the latest and tagged ones', async () => {
    const v = await threeDays('ar');
    const latest = sp(v, ['archive', 'a.csv@2']);
    expect(latest.code).toBe(12);
    expect(latest.stderr).toMatch(/E_VERSION_PROTECTED.*latest/);
    expect(sp(v, ['save', '--force', 'a.csv']).code).toBe(0); // a.csv@3
    const tagged = sp(v, ['archive', 'add', 'a.csv@day2']);
    expect(tagged.code).toBe(12);
    expect(tagged.stderr).toMatch(/tagged.*--force/);
    const r = sp(v, ['archive', 'a.csv@1', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, path: 'a.csv', version: 1, status: 'archived' });
    expect(sp(v, ['archive', 'list', '--json']).json.archives[0].versions).toMatchObject([{ path: 'a.csv', version: 1 }]);
    expect(sp(v, ['archive', 'verify']).code).toBe(0);
    expect(sp(v, ['archive', 'add', 'a.csv@day2', '--force']).code).toBe(0);
    const log = sp(v, ['log', 'a.csv', '--json']).json.versions;
    expect(log.filter((x: any) => x.archive).map((x: any) => x.version).sort()).toEqual([1, 2]);
    expect(sp(v, ['restore', 'a.csv@1', '--to', 'old.csv']).code).toBe(0);
    expect(await fsp.readFile(path.join(v, 'old.csv'), 'utf8')).toBe('id,v\n1,a\n2,b\n');
  });
});

describe('savepoint save --pg / restore --pg', () => {
  const postgres = usePostgres('postgres e2e');

  it('dumps and restores through the CLI; a wrong password exits 17 without printing it', async (ctx) => {
    const pg = postgres.server;
    if (!pg) return ctx.skip(postgres.skip);
    pg.sql('postgres', 'CREATE DATABASE shop');
    pg.sql('shop', "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2), (3)");
    expect(sp(root, ['init', 'pgv']).code).toBe(0);
    const v = path.join(root, 'pgv');
    const env = { env: { PGPASSWORD: pg.password } };
    const s = sp(v, ['save', '--pg', pg.url('shop'), 'shop.dump', '--json'], env);
    expect(s.code).toBe(0);
    expect(s.json.pg).toMatchObject({ database: 'shop', port: pg.port });
    expect(s.stdout).not.toContain(pg.password);
    const bad = sp(v, ['save', '--pg', pg.url('shop').replace('savepoint@', 'savepoint:Sup3rSecret@'), 'shop.dump'], { env: { PGPASSWORD: '' } });
    expect(bad.code).toBe(17);
    expect(bad.stderr).toMatch(/E_PG_AUTH_FAILED/);
    expect(bad.stderr + bad.stdout).not.toContain('Sup3rSecret');
    pg.sql('postgres', 'CREATE DATABASE shop_copy');
    const r = sp(v, ['restore', 'shop.dump@1', '--pg', pg.url('shop_copy')], env);
    expect(r.code).toBe(0);
    expect(pg.sql('shop_copy', 'SELECT count(*) FROM t').trim()).toBe('3');
    const again = sp(v, ['restore', 'shop.dump@1', '--pg', pg.url('shop_copy'), '--json'], env);
    expect(again.code).toBe(23);
    expect(again.json.error.code).toBe('E_PG_NOT_EMPTY');
  }, 60_000);
});
