/**
 * Run the CLI against a vault on read-only media. Preferred: a read-only bind mount of the vault in a private
 * mount namespace (`unshare -rm`, which works as root and, with user namespaces, as a normal user); the mount
 * vanishes with the process, nothing to clean up. Fallback for a normal user without namespaces:
 * `chmod -R a-w` (not usable as root, who writes through file modes). Otherwise `reason` says why not.
 */
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BIN, CLI_ENV, cleanEnv, type RunResult } from './cli.js';

const MOUNT_RO = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && cd "$1" && shift && exec "$@"';

export interface ReadOnlyRunner {
  how: 'bind-mount' | 'chmod';
  run(cwd: string, args: string[]): RunResult;
  /** undo a chmod fallback (no-op for the mount) */
  release(): Promise<void>;
}

function result(r: ReturnType<typeof spawnSync>, args: string[]): RunResult {
  const stdout = String(r.stdout ?? '');
  let json: unknown;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
  }
  return { code: r.status ?? -1, stdout, stderr: String(r.stderr ?? ''), json };
}

export async function readOnlyRunner(vault: string): Promise<ReadOnlyRunner | { reason: string }> {
  const env = cleanEnv(CLI_ENV);
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', `${MOUNT_RO}`, vault, vault, 'sh', '-c', '! touch .ro-probe 2>/dev/null'], { encoding: 'utf8' });
  if (probe.status === 0) {
    return {
      how: 'bind-mount',
      run: (cwd, args) => result(spawnSync('unshare', ['-rm', 'sh', '-c', MOUNT_RO, vault, cwd, process.execPath, BIN, ...args], { env, encoding: 'utf8', input: '' }), args),
      release: async () => undefined,
    };
  }
  if (process.getuid?.() === 0) return { reason: `running as root and no read-only bind mount is possible here (unshare: ${probe.stderr.trim() || probe.status})` };
  const walk = async (dir: string, mode: (m: number) => number): Promise<void> => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p, mode);
      await fsp.chmod(p, mode((await fsp.stat(p)).mode));
    }
    await fsp.chmod(dir, mode((await fsp.stat(dir)).mode));
  };
  await walk(vault, (m) => m & ~0o222);
  return {
    how: 'chmod',
    run: (cwd, args) => result(spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', input: '' }), args),
    release: () => walk(vault, (m) => m | 0o200),
  };
}
