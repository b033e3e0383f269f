/**
 * Crash harness (issue 13 item 2): a seeded, repeatable run of SIGKILLs at random moments during save,
 * compact, retention apply, restore, push (to a real smart-HTTP server) and maintain, on a vault whose store
 * is loose or packed. The kill moment is drawn from the seed in [0, 1.2 × the operation's last measured
 * duration], so kills land throughout the operation (and sometimes after it finished: those runs count as
 * completed, not as kills).
 *
 * After every kill the vault is checked as a user would find it, with no manual cleanup:
 * - `git fsck --strict` reports nothing but dangling objects;
 * - the user's working file is unchanged (save, compact, push, …) or, for restore, either unchanged or the
 *   restored version in full (never partial);
 * - every version reported saved before is still listed with the same sha256 (nothing but the in-flight
 *   operation is missing), and a version the killed save left behind holds exactly the content it was given;
 * - the same command, run again, succeeds; then `verify` re-hashes every version (and archive) and passes;
 * - one randomly chosen version, and the newest of each file, read back (`cat`) bit-exact (sha256).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BIN, CLI_ENV, git, sp, tempDir } from './cli.js';
import { startGitHttpServer } from './git-http-server.js';

export type CrashOp = 'save' | 'compact' | 'retention' | 'restore' | 'push' | 'maintain';
export const CRASH_OPS: CrashOp[] = ['save', 'compact', 'retention', 'restore', 'push', 'maintain'];

export interface CrashFigures {
  seed: number;
  runs: number;
  /** runs where the process died of the SIGKILL (the others had finished before the kill moment) */
  kills: number;
  killsByOp: Record<string, number>;
  /** runs whose store was packed (compact had run since the last save) when the kill came */
  packedRuns: number;
  /** version reads checked against their recorded sha256 (listing, verify and cat) */
  versionsChecked: number;
  problems: string[];
  seconds: number;
}

/** mulberry32: small, seedable, good enough to pick kill moments */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

function csv(rand: () => number, rows: number): string {
  const out: string[] = ['id,value,label'];
  for (let k = 0; k < rows; k++) out.push(`${k},${Math.floor(rand() * 1e6)},row${k % 97}`);
  return out.join('\n') + '\n';
}

function argsFor(op: CrashOp, restoreTarget: string): string[] {
  switch (op) {
    case 'save': return ['save', 'data.csv', 'meta.json', '--json'];
    case 'compact': return ['compact', '--json'];
    case 'retention': return ['retention', 'apply', '--keep-last', '4', '--yes', '--json'];
    case 'restore': return ['restore', restoreTarget, '--json'];
    case 'push': return ['push', 'origin', '--json'];
    case 'maintain': return ['maintain', '--json'];
  }
}

async function runKilled(cwd: string, args: string[], env: Record<string, string>, killAfterMs: number): Promise<{ killed: boolean; code: number | null; stdout: string; ms: number }> {
  const start = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...CLI_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  clearTimeout(timer);
  return { killed: signal === 'SIGKILL', code, stdout, ms: Date.now() - start };
}

export interface CrashRunOptions {
  seed: number;
  runs: number;
  /** rows of the main CSV (default 40 000, ~1 MB) */
  rows?: number;
  log?: (line: string) => void;
}

export async function runCrashHarness(opts: CrashRunOptions): Promise<CrashFigures> {
  const t0 = Date.now();
  const rand = rng(opts.seed);
  const rows = opts.rows ?? 40_000;
  const figures: CrashFigures = { seed: opts.seed, runs: 0, kills: 0, killsByOp: {}, packedRuns: 0, versionsChecked: 0, problems: [], seconds: 0 };
  const server = await startGitHttpServer({ users: { u: 'crash-pw' } });
  const root = await tempDir();
  const vault = path.join(root, 'v');
  const AUTH = { SAVEPOINT_USERNAME: 'u', SAVEPOINT_PASSWORD: 'crash-pw', SAVEPOINT_NO_CREDENTIAL_HELPER: '1' };
  let minute = 0;
  const clockEnv = () => ({ ...AUTH, SAVEPOINT_NOW: new Date(Date.UTC(2026, 4, 1, 9, 0) + minute * 60_000).toISOString() });
  const problem = (run: number, op: string, what: string) => {
    figures.problems.push(`run ${run} (${op}): ${what}`);
    opts.log?.(`PROBLEM run ${run} (${op}): ${what}`);
  };
  /** path@version → sha256 of every version reported saved */
  const expected = new Map<string, string>();
  /** sha256 of every content ever written to a working file (an interrupted save may only store one of these) */
  const written = new Map<string, Set<string>>([['data.csv', new Set()], ['meta.json', new Set()]]);
  const estimate: Record<string, number> = {};
  let packed = false;
  try {
    sp(root, ['init', 'v']);
    await server.createBareRepo('crash');
    sp(vault, ['remote', 'add', 'origin', server.url('crash')], { env: AUTH });
    const writeWork = async () => {
      const data = csv(rand, rows);
      const meta = JSON.stringify({ rows, n: Math.floor(rand() * 1e9) });
      await fsp.writeFile(path.join(vault, 'data.csv'), data);
      await fsp.writeFile(path.join(vault, 'meta.json'), meta);
      written.get('data.csv')!.add(sha(data));
      written.get('meta.json')!.add(sha(meta));
      return { data: sha(data), meta: sha(meta) };
    };
    const recordSave = (json: { files?: Array<{ path: string; status: string; version: number; sha256: string }> } | undefined) => {
      for (const f of json?.files ?? []) if (f.status === 'saved') expected.set(`${f.path}@${f.version}`, f.sha256);
    };
    for (let i = 0; i < 3; i++) {
      await writeWork();
      minute++;
      recordSave(sp(vault, ['save', 'data.csv', 'meta.json', '--json'], { env: clockEnv() }).json);
    }
    for (let run = 1; run <= opts.runs; run++) {
      minute++;
      const op = CRASH_OPS[Math.floor(rand() * CRASH_OPS.length)]!;
      // before a save the user changed the files; every few runs the store is packed first
      if (op === 'save') await writeWork();
      if (rand() < 0.25 && op !== 'compact') {
        sp(vault, ['compact'], { env: clockEnv() });
        packed = true;
      }
      if (packed) figures.packedRuns++;
      const keys = [...expected.keys()].filter((k) => k.startsWith('data.csv@'));
      const target = keys[Math.floor(rand() * keys.length)] ?? 'data.csv@1';
      const work = { data: sha(await fsp.readFile(path.join(vault, 'data.csv'))), meta: sha(await fsp.readFile(path.join(vault, 'meta.json'))) };
      const args = argsFor(op, target);
      const killAt = Math.floor(rand() * 1.2 * (estimate[op] ?? 1500));
      const r = await runKilled(vault, args, clockEnv(), killAt);
      figures.runs++;
      if (r.killed) {
        figures.kills++;
        figures.killsByOp[op] = (figures.killsByOp[op] ?? 0) + 1;
      } else {
        estimate[op] = r.ms;
        if (r.code !== 0) problem(run, op, `exited ${r.code} without being killed: ${r.stdout.slice(0, 300)}`);
        else if (op === 'save') {
          try {
            recordSave(JSON.parse(r.stdout));
          } catch {
            problem(run, op, 'save printed no JSON');
          }
        }
      }
      opts.log?.(`run ${run}: ${op}${packed ? ' (packed)' : ''} kill at ${killAt} ms → ${r.killed ? 'killed' : `finished in ${r.ms} ms`}`);

      // 1. git's own oracle
      const fsck = spawnSync('git', ['fsck', '--strict'], { cwd: vault, encoding: 'utf8', env: { ...process.env, ...CLI_ENV } });
      const bad = `${fsck.stdout}\n${fsck.stderr}`.split('\n').filter((l) => l.trim() && !/^dangling (commit|tree|blob|tag) [0-9a-f]{40}$/.test(l) && !/^(Checking|notice:)/.test(l));
      if (fsck.status !== 0 || bad.length) problem(run, op, `git fsck --strict: ${bad.join(' | ').slice(0, 400)}`);

      // 2. the user's files
      const nowData = sha(await fsp.readFile(path.join(vault, 'data.csv')));
      const nowMeta = sha(await fsp.readFile(path.join(vault, 'meta.json')));
      if (op === 'restore') {
        if (nowData !== work.data && nowData !== expected.get(target)) problem(run, op, `data.csv is neither as before nor ${target} (partial restore?)`);
      } else if (nowData !== work.data) problem(run, op, 'data.csv changed');
      if (nowMeta !== work.meta) problem(run, op, 'meta.json changed');

      // 3. the same command again, no cleanup
      const again = sp(vault, args, { env: clockEnv() });
      if (again.code !== 0) problem(run, op, `the next ${op} failed (exit ${again.code}): ${(again.json?.error?.message ?? again.stderr).slice(0, 300)}`);
      else if (op === 'save') recordSave(again.json);
      if (op === 'compact' || op === 'maintain') packed = true;
      if (op === 'save') packed = false;

      // 4. nothing reported saved is missing; what the killed save left holds exactly what it was given
      const listed = sp(vault, ['log', '--json'], { env: clockEnv() });
      const versions = (listed.json?.versions ?? []) as Array<{ path: string; version: number; sha256: string }>;
      const seen = new Map(versions.map((v) => [`${v.path}@${v.version}`, v.sha256]));
      for (const [k, s] of expected) {
        figures.versionsChecked++;
        if (seen.get(k) !== s) problem(run, op, `${k} ${seen.has(k) ? 'changed its sha256' : 'is missing'}`);
      }
      for (const [k, s] of seen) {
        if (expected.has(k)) continue;
        const file = k.slice(0, k.lastIndexOf('@'));
        // a pre-restore snapshot or the killed save's version: its content must be one the user had
        if (!written.get(file)?.has(s)) problem(run, op, `${k} appeared with content the user never had (${s.slice(0, 12)})`);
        expected.set(k, s);
      }

      // 5. every version re-hashed, one read back bit-exact
      const v = sp(vault, ['verify', '--json'], { env: clockEnv() });
      if (!v.json?.ok) problem(run, op, `verify: ${JSON.stringify(v.json?.items?.filter((i: { status: string }) => i.status !== 'verified') ?? v.stderr).slice(0, 400)}`);
      figures.versionsChecked += (v.json?.items ?? []).length;
      const pick = [...expected.keys()][Math.floor(rand() * expected.size)];
      if (pick) {
        const c = spawnSync(process.execPath, [BIN, 'cat', pick], { cwd: vault, env: { ...process.env, ...CLI_ENV, ...clockEnv() }, maxBuffer: 1 << 28 });
        figures.versionsChecked++;
        if (c.status !== 0 || sha(c.stdout) !== expected.get(pick)) problem(run, op, `cat ${pick} does not read back bit-exact`);
      }
      // the working files go back to the newest saved content for the next run (as the user would have them)
      if (op === 'restore') await writeWork().then(() => sp(vault, ['save', 'data.csv', 'meta.json', '--json'], { env: clockEnv() })).then((s) => recordSave(s.json));
    }
    // the remote, too, is a valid repository after every interrupted push
    const remoteFsck = spawnSync('git', ['fsck', '--strict'], { cwd: path.join(server.root, 'crash.git'), encoding: 'utf8' });
    if (remoteFsck.status !== 0) problem(opts.runs, 'push', `remote fsck: ${remoteFsck.stderr.slice(0, 300)}`);
    git(vault, ['status', '--porcelain']);
  } finally {
    await server.stop({ removeRoot: true });
    if (figures.problems.length === 0) await fsp.rm(root, { recursive: true, force: true });
    else opts.log?.(`vault kept for inspection: ${vault}`);
  }
  figures.seconds = Math.round((Date.now() - t0) / 1000);
  return figures;
}
