import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import createDebug from 'debug';
import { HooksError } from './errors.js';
import { errorText } from './messages.js';

const debug = createDebug('savepoint:hooks');

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run the real `git` binary. Throws E_GIT_FAILED on a non-zero exit unless `allowFail`. */
export function git(args: readonly string[], opts: { cwd: string; input?: string | Buffer; allowFail?: boolean }): Promise<GitResult> {
  debug('git %o (cwd %s)', args, opts.cwd);
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) =>
      reject(new HooksError('E_GIT_FAILED', errorText.gitMissing(e.message), { args }, { cause: e })),
    );
    child.on('close', (code) => {
      const result = { code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
      if (result.code !== 0 && !opts.allowFail) {
        reject(
          new HooksError('E_GIT_FAILED', errorText.gitFailed(args, result.stderr || `exit ${result.code}`), {
            args,
            code: result.code,
            stderr: result.stderr,
          }),
        );
      } else resolve(result);
    });
    child.stdin.on('error', () => {}); // git may exit before reading all input
    child.stdin.end(opts.input ?? '');
  });
}

export async function gitText(args: readonly string[], cwd: string): Promise<string> {
  return (await git(args, { cwd })).stdout.toString('utf8').replace(/\n$/, '');
}

/** Top-level directory of the work tree containing `dir`. */
export async function repoRoot(dir: string): Promise<string> {
  const r = await git(['rev-parse', '--show-toplevel'], { cwd: dir, allowFail: true }).catch(() => null);
  if (!r || r.code !== 0) {
    throw new HooksError('E_NOT_A_GIT_REPO', errorText.notARepo(dir), { dir });
  }
  return r.stdout.toString('utf8').trim();
}

export interface IndexEntry {
  mode: string;
  oid: string;
  stage: number;
}

/** Stage-0 entries of the index (honours GIT_INDEX_FILE, as set by `git commit` for hooks). */
export async function readIndex(cwd: string, wanted: ReadonlySet<string>): Promise<Map<string, IndexEntry>> {
  const { stdout } = await git(['ls-files', '--stage', '-z'], { cwd });
  const map = new Map<string, IndexEntry>();
  for (const rec of stdout.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, oid, stage] = rec.slice(0, tab).split(' ');
    const file = rec.slice(tab + 1);
    if (!wanted.has(file) || !mode || !oid) continue;
    map.set(file, { mode, oid, stage: Number(stage) });
  }
  return map;
}

/** Stream a blob into a file without holding it in memory. */
export async function writeBlobToFile(cwd: string, oid: string, dest: string): Promise<void> {
  const child = spawn('git', ['cat-file', 'blob', oid], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  await pipeline(child.stdout, createWriteStream(dest));
  const code = await exited;
  if (code !== 0) {
    throw new HooksError('E_GIT_FAILED', errorText.gitFailed(['cat-file', 'blob', oid], Buffer.concat(err).toString('utf8')), { oid });
  }
}
