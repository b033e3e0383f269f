/** Postgres dumps (issue 14 item 2) against a real PostgreSQL server started for this file. */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { usePostgres } from '../testing/postgres-server.js';
import { NOTES_REF } from '../model/note.js';
import { log } from './query.js';
import { parsePgUrl, restorePg, savePg, scrubUrl } from './postgres.js';

describe('parsePgUrl / scrubUrl (pure)', () => {
  it('splits the password off and never keeps it in the URL', () => {
    const t = parsePgUrl('postgresql://ada:s3cr%40t@db.example:6543/shop?sslmode=disable');
    expect(t).toMatchObject({ password: 's3cr@t', host: 'db.example', port: 6543, database: 'shop', user: 'ada' });
    expect(t.url).toBe('postgresql://ada@db.example:6543/shop?sslmode=disable');
    expect(parsePgUrl('postgres://localhost/shop')).toMatchObject({ port: 5432, database: 'shop' });
    expect(() => parsePgUrl('postgres://localhost')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => parsePgUrl('mysql://ada:pw@h/db')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(scrubUrl('could not connect to postgres://ada:hunter2@h/db')).toBe('could not connect to postgres://ada:***@h/db');
  });
});

const postgres = usePostgres('postgres tests');

let t: TempVault | undefined;
afterEach(async () => t?.cleanup());

describe('save --pg / restore --pg (real PostgreSQL server)', () => {
  it('dumps with pg_dump -Fc as a version, restores a chosen version into an empty database, refuses a non-empty one unless clean', async (ctx) => {
    const pg = postgres.server;
    if (!pg) return ctx.skip(postgres.skip);
    const env = { ...process.env, PGPASSWORD: pg.password };
    pg.sql('postgres', 'CREATE DATABASE shop');
    pg.sql('shop', "CREATE TABLE orders (id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'apple'), (2, 'pear')");
    t = await makeTempVault({ config: { retention: { auto: false } } as never });
    const r1 = await savePg(t.vault, { url: pg.url('shop'), file: 'shop.dump', env });
    expect(r1.files[0]).toMatchObject({ path: 'shop.dump', status: 'saved', version: 1 });
    expect(r1.pg).toMatchObject({ database: 'shop', host: '127.0.0.1', port: pg.port, user: 'savepoint', format: 'custom' });
    expect(r1.pg.serverVersion).toMatch(/^\d+\.\d+/);
    expect((await fsp.readFile(path.join(t.dir, 'shop.dump'))).subarray(0, 5).toString()).toBe('PGDMP');
    const note = JSON.parse(t.git(['notes', '--ref', NOTES_REF, 'show', r1.commit!]));
    expect(note.files['shop.dump'].pg).toMatchObject({ database: 'shop', port: pg.port, serverVersion: r1.pg.serverVersion });
    pg.sql('shop', "INSERT INTO orders VALUES (3, 'plum')");
    const r2 = await savePg(t.vault, { url: pg.url('shop'), file: 'shop.dump', env });
    expect(r2.files[0]!.version).toBe(2);
    // the password is nowhere in what Savepoint wrote (notes, commits, files)
    expect(t.git(['log', '--all', '-p', '--format=%B']).includes(pg.password)).toBe(false);
    expect(t.git(['log', NOTES_REF, '-p']).includes(pg.password)).toBe(false);

    // restore v1 into a new empty database: two rows
    pg.sql('postgres', 'CREATE DATABASE shop_restored');
    const rr = await restorePg(t.vault, { address: 'shop.dump@1', url: pg.url('shop_restored'), env });
    expect(rr).toMatchObject({ path: 'shop.dump', version: 1, objectsBefore: 0, objectsAfter: 1, clean: false });
    expect(pg.sql('shop_restored', 'SELECT string_agg(item, \',\' ORDER BY id) FROM orders').trim()).toBe('apple,pear');
    // not empty now: refused, nothing changed
    await expect(restorePg(t.vault, { address: 'shop.dump@2', url: pg.url('shop_restored'), env })).rejects.toMatchObject({ code: 'E_PG_NOT_EMPTY' });
    expect(pg.sql('shop_restored', 'SELECT count(*) FROM orders').trim()).toBe('2');
    // a server that is down / a wrong password: stable codes, the database untouched
    const down = pg.url('shop_restored').replace(`:${pg.port}/`, ':1/');
    await expect(restorePg(t.vault, { address: 'shop.dump@2', url: down, env, clean: true })).rejects.toMatchObject({ code: 'E_PG_UNREACHABLE' });
    await expect(restorePg(t.vault, { address: 'shop.dump@2', url: pg.url('shop_restored'), env: { ...env, PGPASSWORD: 'bad' }, clean: true })).rejects.toMatchObject({ code: 'E_PG_AUTH_FAILED' });
    expect(pg.sql('shop_restored', 'SELECT count(*) FROM orders').trim()).toBe('2');
    // --clean replaces the dump's objects
    const rc = await restorePg(t.vault, { address: 'shop.dump@2', url: pg.url('shop_restored'), env, clean: true });
    expect(rc.clean).toBe(true);
    expect(pg.sql('shop_restored', 'SELECT string_agg(item, \',\' ORDER BY id) FROM orders').trim()).toBe('apple,pear,plum');
  }, 60_000);

  it('wrong password, a server that is down, a missing pg_dump: stable codes, no password in the text, nothing saved', async (ctx) => {
    const pg = postgres.server;
    if (!pg) return ctx.skip(postgres.skip);
    pg.sql('postgres', 'CREATE DATABASE shop2');
    t = await makeTempVault({ config: { retention: { auto: false } } as never });
    const tip = () => t!.git(['rev-parse', '--verify', '-q', 'refs/heads/main']).trim();
    const before = (() => {
      try {
        return tip();
      } catch {
        return '';
      }
    })();
    // wrong password in the URL: refused, and the password is scrubbed from the message and details
    const wrong = 'Wr0ng-Pa55word';
    const urlWithPw = pg.url('shop2').replace(`${pg.user}@`, `${pg.user}:${wrong}@`);
    const e1 = await savePg(t.vault, { url: urlWithPw, file: 'shop.dump', env: { ...process.env, PGPASSWORD: '' } }).catch((e) => e);
    expect(e1.code).toBe('E_PG_AUTH_FAILED');
    expect(JSON.stringify(e1.toJSON())).not.toContain(wrong);
    expect(e1.message).toMatch(/PGPASSWORD/);
    // wrong PGPASSWORD
    const e2 = await savePg(t.vault, { url: pg.url('shop2'), file: 'shop.dump', env: { ...process.env, PGPASSWORD: 'nope-nope' } }).catch((e) => e);
    expect(e2.code).toBe('E_PG_AUTH_FAILED');
    expect(JSON.stringify(e2.toJSON())).not.toContain('nope-nope');
    // nothing listens on this port
    const down = pg.url('shop2').replace(`:${pg.port}/`, ':1/');
    const e3 = await savePg(t.vault, { url: down, file: 'shop.dump', env: { ...process.env, PGPASSWORD: pg.password } }).catch((e) => e);
    expect(e3.code).toBe('E_PG_UNREACHABLE');
    // no pg_dump where we are told to look
    const e4 = await savePg(t.vault, { url: pg.url('shop2'), file: 'shop.dump', env: { ...process.env, PGPASSWORD: pg.password, SAVEPOINT_PG_BINDIR: '/nonexistent/pg/bin' } }).catch((e) => e);
    expect(e4.code).toBe('E_PG_TOOL_MISSING');
    // nothing was saved, no file or temp file left
    const after = (() => {
      try {
        return tip();
      } catch {
        return '';
      }
    })();
    expect(after).toBe(before);
    expect(await log(t.vault)).toEqual([]);
    expect((await fsp.readdir(t.dir)).filter((n) => n.includes('dump'))).toEqual([]);
  }, 60_000);
});
