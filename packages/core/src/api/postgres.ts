/**
 * Postgres dumps (issue 14 item 2): `savepoint save --pg postgres://… shop.dump` runs `pg_dump -Fc` and saves
 * the dump as a version of shop.dump; `savepoint restore shop.dump@3 --pg postgres://…` runs `pg_restore` into
 * an empty database (or, with `clean`, over the dump's own objects).
 *
 * The password comes from PGPASSWORD or ~/.pgpass (libpq reads them); a password written in the URL is taken
 * out of it and handed to the tools through PGPASSWORD. It is never stored (not in the note, not in the commit)
 * and never printed: the URL shown and recorded has no password, and the tools' error text is scrubbed.
 * The tools are found on PATH, or in SAVEPOINT_PG_BINDIR (e.g. /usr/lib/postgresql/16/bin: pg_dump must be at
 * least the server's version).
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError, fromNodeError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { loadHistory } from '../history/versions.js';
import { digestFile } from '../store/object-store.js';
import { trackTemp } from '../util/cleanup.js';
import { resolveVaultPath } from '../util/paths.js';
import { makeScratchDir } from '../util/scratch.js';
import { recordStat } from '../util/stat-cache.js';
import type { Vault } from '../vault.js';
import { resolveVersion } from './query.js';
import { materialize } from './restore.js';
import { save } from './save.js';
import type { SaveResult } from './save.js';

/** What the note records about a dump (never the password). */
export interface PgDumpInfo {
  /** the server's version, as pg_dump recorded it in the archive */
  serverVersion: string;
  /** the pg_dump that wrote it */
  dumpVersion: string;
  database: string;
  host: string;
  port: number;
  user?: string;
  format: 'custom';
  dumpedAt: string;
}

export interface PgTarget {
  /** the URL without its password: what is shown, recorded and passed on the command line */
  url: string;
  password?: string;
  host: string;
  port: number;
  database: string;
  user?: string;
}

/** Parse a postgres:// or postgresql:// URL; the password (if any) is split off. Pure. */
export function parsePgUrl(input: string): PgTarget {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new SavepointError('E_INVALID_ARGUMENT', `--pg needs a URL like postgres://user@host:5432/database (got ${JSON.stringify(scrubUrl(input))}).`, { url: scrubUrl(input) });
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new SavepointError('E_INVALID_ARGUMENT', `--pg needs a postgres:// or postgresql:// URL (got ${u.protocol}//…).`, { url: scrubUrl(input) });
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new SavepointError('E_INVALID_ARGUMENT', `--pg URL names no database: add it after the host, e.g. postgres://${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host || 'localhost'}/shop.`, { url: scrubUrl(input) });
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  return {
    url: u.toString(),
    ...(password !== undefined ? { password } : {}),
    host: u.hostname || u.searchParams.get('host') || 'localhost',
    port: Number(u.port || u.searchParams.get('port') || 5432),
    database,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
  };
}

/** Remove `user:password@` passwords from any text (URLs the user typed, tool messages). */
export function scrubUrl(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
}

interface ToolEnv {
  env: NodeJS.ProcessEnv;
}

function toolPath(tool: 'pg_dump' | 'pg_restore' | 'psql', env: NodeJS.ProcessEnv): string {
  return env.SAVEPOINT_PG_BINDIR ? path.join(env.SAVEPOINT_PG_BINDIR, tool) : tool;
}

function scrub(text: string, target: PgTarget): string {
  let out = scrubUrl(text);
  if (target.password) out = out.split(target.password).join('***').split(encodeURIComponent(target.password)).join('***');
  return out;
}

/** Run a PostgreSQL client tool; failures become E_PG_* errors whose text never holds the password. */
async function runTool(tool: 'pg_dump' | 'pg_restore' | 'psql', args: string[], target: PgTarget, io: ToolEnv, what: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...io.env, PGCONNECT_TIMEOUT: io.env.PGCONNECT_TIMEOUT ?? '10' };
  if (target.password !== undefined) env.PGPASSWORD = target.password;
  const bin = toolPath(tool, io.env);
  return new Promise<string>((resolve, reject) => {
    let child;
    try {
      child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(fromNodeError(e, what));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'EACCES') {
        reject(new SavepointError('E_PG_TOOL_MISSING', `${tool} was not found${io.env.SAVEPOINT_PG_BINDIR ? ` in SAVEPOINT_PG_BINDIR (${io.env.SAVEPOINT_PG_BINDIR})` : ' on PATH'}. Install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client), or point SAVEPOINT_PG_BINDIR at its bin folder. Nothing was changed.`, { tool, bin }));
      } else reject(fromNodeError(e, what));
    });
    child.on('close', (code) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      const text = scrub(Buffer.concat(err).toString('utf8').trim(), target);
      reject(pgError(tool, text, target, what));
    });
  });
}

function pgError(tool: string, text: string, target: PgTarget, what: string): SavepointError {
  const where = `${target.host}:${target.port}/${target.database}`;
  const last = text.split('\n').filter(Boolean).slice(-3).join(' | ');
  let code: ErrorCode = 'E_PG_FAILED';
  let hint = `Nothing was changed. ${tool} said: ${last || '(no message)'}`;
  if (/password authentication failed|no password supplied|fe_sendauth|authentication failed/i.test(text)) {
    code = 'E_PG_AUTH_FAILED';
    hint = `The server refused the login${target.user ? ` of ${target.user}` : ''}: set the password in PGPASSWORD or ~/.pgpass (never in savepoint.json). Nothing was changed.`;
  } else if (/could not connect|connection refused|no such file or directory|timeout expired|could not translate host name|server closed the connection|Network is unreachable/i.test(text)) {
    code = 'E_PG_UNREACHABLE';
    hint = `No PostgreSQL server answered at ${where}: is it running, and are the host and port right? Nothing was changed. (${last})`;
  } else if (/database ".*" does not exist/i.test(text)) {
    hint = `The database ${target.database} does not exist on ${target.host}:${target.port}; create it first (createdb ${target.database}). Nothing was changed.`;
  }
  return new SavepointError(code, `${tool} failed while ${what} (${where}): ${hint}`, { tool, host: target.host, port: target.port, database: target.database, stderr: text });
}

/** Header fields of a custom-format dump, read with `pg_restore -l`. */
async function dumpHeader(file: string, target: PgTarget, io: ToolEnv): Promise<{ serverVersion: string; dumpVersion: string; database: string }> {
  const toc = await runTool('pg_restore', ['-l', file], target, io, 'reading the dump header');
  const field = (re: RegExp) => re.exec(toc)?.[1]?.trim() ?? '';
  return {
    serverVersion: field(/Dumped from database version:\s*(.+)/),
    dumpVersion: field(/Dumped by pg_dump version:\s*(.+)/),
    database: field(/dbname:\s*(.+)/),
  };
}

export interface SavePgOptions {
  url: string;
  /** the vault file the dump is saved as, e.g. shop.dump */
  file: string;
  cwd?: string;
  /** environment for the tools (PGPASSWORD, PGPASSFILE, SAVEPOINT_PG_BINDIR, …) */
  env: NodeJS.ProcessEnv;
  message?: string;
  experiment?: string;
  tag?: string;
  keep?: string;
  source?: string;
}

export interface SavePgResult extends SaveResult {
  pg: PgDumpInfo;
}

/** pg_dump -Fc into a temp file beside `file`, save it as the next version, then put it in place. */
export async function savePg(vault: Vault, opts: SavePgOptions): Promise<SavePgResult> {
  const target = parsePgUrl(opts.url);
  const rel = await resolveVaultPath(vault.dir, opts.cwd ?? vault.dir, opts.file);
  const abs = path.join(vault.dir, rel);
  const st = await fsp.lstat(abs).catch(() => null);
  if (st && !st.isFile()) throw new SavepointError('E_NOT_A_FILE', `${rel} exists and is not a regular file; name another file for the dump.`, { path: rel });
  if (st) {
    // the dump replaces the file: only when that loses nothing (it matches a saved version)
    const sha = (await digestFile(abs)).sha256;
    const history = await loadHistory(vault);
    if (!history.versions.some((v) => v.path === rel && v.sha256 === sha)) {
      throw new SavepointError('E_INVALID_ARGUMENT', `${rel} exists and matches no saved version; a new dump would overwrite it. Save it first (\`savepoint save ${rel}\`), move it away, or name another file. Nothing was changed.`, { path: rel });
    }
  }
  await fsp.mkdir(path.dirname(abs), { recursive: true });
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.savepoint-tmp-${process.pid}-pg`);
  const untrack = trackTemp(tmp);
  try {
    await runTool('pg_dump', ['--format=custom', '--no-password', '--file', tmp, '--dbname', target.url], target, { env: opts.env }, 'dumping the database');
    const head = await dumpHeader(tmp, target, { env: opts.env });
    const pg: PgDumpInfo = {
      serverVersion: head.serverVersion,
      dumpVersion: head.dumpVersion,
      database: head.database || target.database,
      host: target.host,
      port: target.port,
      ...(target.user ? { user: target.user } : {}),
      format: 'custom',
      dumpedAt: vault.clock().toISOString(),
    };
    const r = await save(vault, {
      files: [rel],
      contentFrom: { [rel]: tmp },
      message: opts.message ?? `pg_dump of ${pg.database} (${target.host}:${target.port}, PostgreSQL ${pg.serverVersion.split(' ')[0] || '?'})`,
      source: opts.source ?? 'pg_dump',
      pg: { [rel]: pg },
      ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
      ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
      ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
    });
    await fsp.chmod(tmp, st ? st.mode & 0o7777 : 0o644);
    await fsp.rename(tmp, abs);
    const f = r.files[0]!;
    await recordStat(vault, rel, abs, { sha256: f.sha256, size: f.size });
    return { ...r, pg };
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e instanceof SavepointError ? e : fromNodeError(e, `saving the dump of ${target.database}`);
  } finally {
    untrack();
  }
}

export interface RestorePgOptions {
  /** a version of a dump file, e.g. shop.dump@3 */
  address: string;
  url: string;
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** restore into a database that is not empty: pg_restore --clean --if-exists */
  clean?: boolean;
}

export interface RestorePgResult {
  path: string;
  version: number;
  sha256: string;
  database: string;
  host: string;
  port: number;
  /** user tables, views and sequences in the database before and after */
  objectsBefore: number;
  objectsAfter: number;
  clean: boolean;
}

const COUNT_OBJECTS = "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v','m','S','f') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'";

async function countObjects(target: PgTarget, env: NodeJS.ProcessEnv): Promise<number> {
  const out = await runTool('psql', ['--no-psqlrc', '--no-password', '--tuples-only', '--no-align', '--quiet', '--set', 'ON_ERROR_STOP=1', '--dbname', target.url, '--command', COUNT_OBJECTS], target, { env }, 'looking into the target database');
  return Number(out.trim());
}

/** Check the version (sha256), refuse a non-empty database unless `clean`, then pg_restore in one transaction. */
export async function restorePg(vault: Vault, opts: RestorePgOptions): Promise<RestorePgResult> {
  const target = parsePgUrl(opts.url);
  const rec = await resolveVersion(vault, opts.address, opts.cwd);
  const dir = await makeScratchDir(path.join(vault.gitdir, 'savepoint', 'tmp'), 'pg-');
  const untrack = trackTemp(dir);
  try {
    const file = path.join(dir, 'dump');
    await materialize(vault, rec, file);
    // not a custom-format dump: say so before touching the database
    const magic = Buffer.alloc(5);
    const h = await fsp.open(file, 'r');
    await h.read(magic, 0, 5, 0);
    await h.close();
    if (magic.toString('latin1') !== 'PGDMP') {
      throw new SavepointError('E_INVALID_ARGUMENT', `${rec.path}@${rec.version} is not a pg_dump custom-format archive (it does not start with PGDMP); restore it as a file with \`savepoint restore ${rec.path}@${rec.version}\`. Nothing was changed.`, { path: rec.path, version: rec.version });
    }
    const before = await countObjects(target, opts.env);
    if (before > 0 && !opts.clean) {
      throw new SavepointError('E_PG_NOT_EMPTY', `The database ${target.database} on ${target.host}:${target.port} is not empty (${before} table${before === 1 ? '' : 's'}, view${before === 1 ? '' : 's'} or sequence${before === 1 ? '' : 's'}). Restore into a new database (createdb …), or pass --clean to drop and recreate the dump's objects. Nothing was changed.`, { database: target.database, objects: before });
    }
    const args = ['--no-password', '--exit-on-error', '--single-transaction', '--no-owner', '--dbname', target.url];
    if (opts.clean) args.push('--clean', '--if-exists');
    await runTool('pg_restore', [...args, file], target, { env: opts.env }, `restoring ${rec.path}@${rec.version}`);
    const after = await countObjects(target, opts.env);
    return { path: rec.path, version: rec.version, sha256: rec.sha256, database: target.database, host: target.host, port: target.port, objectsBefore: before, objectsAfter: after, clean: !!opts.clean };
  } finally {
    untrack();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
