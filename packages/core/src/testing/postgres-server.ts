/**
 * A real, throwaway PostgreSQL server for tests (issue 14 item 2): Debian's packages (`apt-get install
 * postgresql`; .ci/run installs them when it runs as root), initdb in a temp data dir with password (scram)
 * authentication, a free port on 127.0.0.1, the unix socket in the temp dir. As root, the server runs as the
 * `postgres` user (initdb refuses root). `startPostgres` returns a reason instead when that is impossible.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, promises as fsp, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface PgServer {
  port: number;
  user: string;
  password: string;
  bindir: string;
  /** postgres://user@127.0.0.1:port/<db> (no password: pass it in PGPASSWORD) */
  url(db: string): string;
  /** run SQL in a database (as the superuser), return psql's unaligned output */
  sql(db: string, text: string): string;
  stop(): Promise<void>;
}

function findBindir(): string | null {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(base, versions[0], 'bin');
  }
  const r = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? path.dirname(r.stdout.trim()) : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PgServer | { skip: string }> {
  const bindir = findBindir();
  if (!bindir) return { skip: 'PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql' };
  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) return { skip: 'running as root and there is no `postgres` user to run the server as' };
    uid = Number(id.stdout.trim());
    gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  }
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-pg-'));
  const data = path.join(root, 'data');
  const pwfile = path.join(root, 'pw');
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  await fsp.writeFile(pwfile, password + '\n');
  if (asRoot) {
    await fsp.chmod(root, 0o755);
    await fsp.chown(root, uid!, gid!);
    await fsp.chown(pwfile, uid!, gid!);
  }
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? 'runuser' : path.join(bindir, tool);
    const full = asRoot ? ['-u', 'postgres', '--', path.join(bindir, tool), ...args] : args;
    return spawnSync(cmd, full, { encoding: 'utf8', cwd: root, timeout: 60_000 });
  };
  const user = 'savepoint';
  const init = run('initdb', ['-D', data, '-U', user, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync', '--no-instructions']);
  if (init.status !== 0) {
    await fsp.rm(root, { recursive: true, force: true });
    return { skip: `initdb failed: ${(init.stderr || init.error?.message || '').trim().split('\n').slice(-2).join(' ')}` };
  }
  const port = await freePort();
  const start = run('pg_ctl', ['-D', data, '-l', path.join(root, 'log'), '-w', '-t', '30', '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, 'start']);
  if (start.status !== 0) {
    const log = await fsp.readFile(path.join(root, 'log'), 'utf8').catch(() => '');
    await fsp.rm(root, { recursive: true, force: true });
    return { skip: `the PostgreSQL server did not start: ${(start.stderr + log).trim().split('\n').slice(-3).join(' ')}` };
  }
  const url = (db: string) => `postgres://${user}@127.0.0.1:${port}/${db}`;
  return {
    port,
    user,
    password,
    bindir,
    url,
    sql(db, text) {
      return execFileSync(path.join(bindir, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url(db), '-c', text], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password } });
    },
    async stop() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      await fsp.rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Start one server for the calling test file (beforeAll) and stop it after (afterAll). `server` is null when
 * PostgreSQL is not installed; tests then `ctx.skip(skip)` with the reason, which is also printed once.
 */
export function usePostgres(label: string): { readonly server: PgServer | null; readonly skip: string } {
  const state: { server: PgServer | null; skip: string } = { server: null, skip: '' };
  beforeAll(async () => {
    const s = await startPostgres();
    if ('skip' in s) {
      state.skip = s.skip;
      console.warn(`${label} skipped: ${s.skip}`);
    } else state.server = s;
  }, 90_000);
  afterAll(async () => state.server?.stop());
  return state;
}
