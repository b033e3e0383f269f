/**
 * A real OpenSSH server for tests (issue 12): sshd on 127.0.0.1 and a free port, a throwaway host key and
 * user key, a temp sshd_config (as root: StrictModes off, a temp AuthorizedKeysFile), run as the current
 * user. `start()` returns null with a reason where sshd cannot be started (not installed, no privilege
 * separation folder we may create), so the caller can skip with that message.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface SshServer {
  port: number;
  user: string;
  dir: string;
  /** an ssh command line (for SAVEPOINT_SSH) logging in with the accepted key, checking the host key */
  sshCommand: string;
  /** the same with a key the server does not accept */
  refusedSshCommand: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd', '/usr/local/sbin/sshd'].find((p) => existsSync(p));

export async function startSshServer(): Promise<SshServer | { skip: string }> {
  if (!SSHD) return { skip: 'sshd is not installed (apt-get install openssh-server)' };
  const dir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'sp-sshd-')));
  const user = os.userInfo().username;
  try {
    if (process.getuid?.() === 0 && !existsSync('/run/sshd')) await fsp.mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    for (const k of ['host', 'user', 'other']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `sp-test-${k}`, '-f', path.join(dir, `${k}_key`)], { stdio: 'ignore' });
    await fsp.copyFile(path.join(dir, 'user_key.pub'), path.join(dir, 'authorized_keys'));
    const port = await freePort();
    await fsp.writeFile(
      path.join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(dir, 'host_key')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const hostPub = (await fsp.readFile(path.join(dir, 'host_key.pub'), 'utf8')).trim().split(' ').slice(0, 2).join(' ');
    await fsp.writeFile(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    // wait until it accepts connections
    const t0 = Date.now();
    for (;;) {
      if (child.exitCode !== null) return { skip: `sshd did not start: ${err.trim().slice(0, 300)}` };
      const ok = await new Promise<boolean>((resolve) => {
        const c = net.connect(port, '127.0.0.1', () => {
          c.destroy();
          resolve(true);
        });
        c.on('error', () => resolve(false));
      });
      if (ok) break;
      if (Date.now() - t0 > 10_000) {
        child.kill();
        return { skip: `sshd did not listen within 10 s: ${err.trim().slice(0, 300)}` };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const base = `ssh -F /dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=${path.join(dir, 'known_hosts')} -o StrictHostKeyChecking=yes -o LogLevel=ERROR`;
    return {
      port,
      user,
      dir,
      sshCommand: `${base} -i ${path.join(dir, 'user_key')}`,
      refusedSshCommand: `${base} -i ${path.join(dir, 'other_key')}`,
      async stop() {
        child.kill();
        await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('close', r)));
        await fsp.rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await fsp.rm(dir, { recursive: true, force: true });
    return { skip: `sshd could not be set up: ${(e as Error).message}` };
  }
}
