/**
 * SSH remotes (issue 12 item 2): `ssh://user@host[:port]/path` and `user@host:path`, through the system
 * `ssh` client — so ~/.ssh/config, the agent and known_hosts apply — running git-upload-pack /
 * git-receive-pack on the host and speaking git's protocol v0 over its stdio (pkt-lines, side-band-64k).
 * `options.ssh.command` (the CLI passes SAVEPOINT_SSH or GIT_SSH_COMMAND) replaces `ssh` and is run by
 * `sh` like git does. Packs stream: a received pack goes to a temp file and is indexed from there; a pack
 * to send is written to a temp file and piped to the host. Errors: a refused key is E_AUTH_FAILED, an
 * unknown host key / unreachable host / missing repository E_REMOTE_UNREACHABLE; nothing changes locally.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SavepointError } from '../errors.js';
import { writePackFile } from './pack-io.js';
import { storeReceivedPack } from './pack-receive.js';
import { PktReader, receiveUploadPack } from './pkt-stream.js';
import { FLUSH, parseReceivePackResult, parseRefAdvertisement, pktLine } from './pkt-line.js';
import type { ReceivePackReport, RefAdvertisement } from './pkt-line.js';
import type { TransportOptions } from './transport.js';
import type { RemoteTransport, TransportFactory } from './transports.js';
import { parseSshUrl } from './url.js';

type Service = 'git-upload-pack' | 'git-receive-pack';

/** git's sq_quote: the path as one single-quoted shell word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

interface Conn {
  service: Service;
  child: ChildProcess;
  reader: PktReader;
  adv: RefAdvertisement;
  stderr: () => string;
  exited: Promise<number | null>;
}

export const sshTransport: TransportFactory = (url: string, opts: TransportOptions, remoteName?: string): RemoteTransport => {
  const target = parseSshUrl(url);
  const who = remoteName ? `remote "${remoteName}" (${url})` : url;
  const base = { remote: remoteName, url };
  let open: Conn | null = null;

  const explain = (stderr: string, code: number | null, doing: string): SavepointError => {
    const text = stderr.trim().split('\n').filter((l) => !/^(Warning: Permanently added|\*\*)/.test(l)).join('; ').slice(0, 500);
    if (/Permission denied|Too many authentication failures|Authentication failed/i.test(stderr)) {
      return new SavepointError('E_AUTH_FAILED', `${target.host} refused the login for ${who} while ${doing} (${text}). Check that your ssh key is loaded (ssh-add -l) and listed in the host's authorized_keys, or set the key in ~/.ssh/config; try \`ssh ${target.port ? `-p ${target.port} ` : ''}${target.destination}\`.`, { ...base, reason: 'auth' });
    }
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(stderr)) {
      return new SavepointError('E_REMOTE_UNREACHABLE', `The host key of ${target.host} is not trusted (${text}). Connect once with \`ssh ${target.port ? `-p ${target.port} ` : ''}${target.destination}\` to check and accept it, then try again.`, { ...base, reason: 'host-key' });
    }
    if (/does not appear to be a git repository|not a git repository|No such file or directory/i.test(stderr)) {
      return new SavepointError('E_REMOTE_UNREACHABLE', `There is no git repository at ${target.path} on ${target.host} (${text}). Create it there with \`git init --bare ${target.path}\`, or fix the path of ${who}.`, { ...base, reason: 'no-repository' });
    }
    if (/command not found|git-(upload|receive)-pack: not found/i.test(stderr)) {
      return new SavepointError('E_REMOTE_UNREACHABLE', `git is not installed on ${target.host} (${text}). Install git there; Savepoint runs git-upload-pack and git-receive-pack on the host.`, { ...base, reason: 'no-git' });
    }
    return new SavepointError('E_REMOTE_UNREACHABLE', `Cannot reach ${who} over ssh while ${doing}${code !== null ? ` (ssh exited ${code})` : ''}${text ? `: ${text}` : ''}. Check the host, port and your network; \`ssh ${target.port ? `-p ${target.port} ` : ''}${target.destination}\` should log in.`, { ...base, reason: 'ssh', exitCode: code });
  };

  const connect = async (service: Service): Promise<Conn> => {
    const remoteCmd = `${service} ${shellQuote(target.path)}`;
    const args = [...(target.port ? ['-p', String(target.port)] : []), target.destination, remoteCmd];
    const custom = opts.ssh?.command?.trim();
    const child = custom
      ? spawn('sh', ['-c', `${custom} "$@"`, custom, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.ssh?.env ? { env: opts.ssh.env } : {}) })
      : spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.ssh?.env ? { env: opts.ssh.env } : {}) });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 16_384) err += d.toString('utf8');
    });
    child.stdin!.on('error', () => undefined); // a closed pipe shows as the child's exit and stderr
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    const reader = new PktReader(child.stdout!);
    const raw: Buffer[] = [];
    const doing = service === 'git-receive-pack' ? 'preparing to push' : 'listing its refs';
    const readAdv = (async () => {
      for (;;) {
        const p = await reader.pkt();
        if (p === 'eof') return false;
        if (p === 'flush') {
          raw.push(FLUSH);
          return true;
        }
        raw.push(pktLine(p));
      }
    })();
    const first = await Promise.race([readAdv, spawnError]);
    if (first instanceof Error) {
      const code = (first as NodeJS.ErrnoException).code;
      throw new SavepointError('E_REMOTE_UNREACHABLE', code === 'ENOENT' ? `The ssh client ${custom ? `(${custom})` : '"ssh"'} was not found. Install OpenSSH's client, or set SAVEPOINT_SSH.` : `Could not start ssh for ${who}: ${first.message}`, { ...base, reason: code });
    }
    if (!first) {
      const code = await exited;
      throw explain(err, code, doing);
    }
    let adv: RefAdvertisement;
    try {
      adv = parseRefAdvertisement(Buffer.concat(raw), service);
    } catch (e) {
      child.kill();
      throw e;
    }
    return { service, child, reader, adv, stderr: () => err, exited };
  };

  const finish = async (c: Conn): Promise<void> => {
    if (!c.child.stdin!.writableEnded) c.child.stdin!.end(FLUSH);
    const t = setTimeout(() => c.child.kill(), 10_000);
    await c.exited;
    clearTimeout(t);
  };

  const take = async (service: Service): Promise<Conn> => {
    if (open && open.service === service) {
      const c = open;
      open = null;
      return c;
    }
    if (open) await finish(open);
    open = null;
    return connect(service);
  };

  return {
    kind: 'ssh',
    shownUrl: url,
    async discover(service) {
      if (open) await finish(open);
      open = null;
      open = await connect(service);
      return open.adv;
    },
    async fetchObjects(gitdir, wants, haves, adv) {
      const c = await take('git-upload-pack');
      try {
        if (wants.length === 0) return;
        const caps = ['ofs-delta', 'agent=savepoint'];
        const sideband = c.adv.capabilities.has('side-band-64k');
        if (sideband) caps.unshift('side-band-64k');
        if (c.adv.capabilities.has('include-tag')) caps.push('include-tag');
        if (!opts.onProgress && c.adv.capabilities.has('no-progress')) caps.push('no-progress');
        void adv;
        const req = Buffer.concat([...wants.map((w, i) => pktLine(`want ${w}${i === 0 ? ` ${caps.join(' ')}` : ''}\n`)), FLUSH, ...haves.map((h) => pktLine(`have ${h}\n`)), pktLine('done\n')]);
        c.child.stdin!.end(req);
        const got = await receiveUploadPack(c.reader, gitdir, sideband, opts.onProgress);
        if (got.errors.length) throw new SavepointError('E_REMOTE_UNREACHABLE', `${who} could not send its data: ${got.errors.join('; ')}`, base);
        if (!got.file) throw explain(c.stderr(), await c.exited, 'fetching');
        await storeReceivedPack(gitdir, got.file, opts);
      } finally {
        await finish(c);
      }
    },
    async push(gitdir, updates, oids): Promise<ReceivePackReport> {
      const c = await take('git-receive-pack');
      let pack: Awaited<ReturnType<typeof writePackFile>> | null = null;
      try {
        if (updates.length === 0) return { unpack: 'ok', refs: [], progress: [], errors: [] };
        const caps = ['report-status', 'agent=savepoint'];
        const sideband = c.adv.capabilities.has('side-band-64k');
        if (sideband) caps.splice(1, 0, 'side-band-64k');
        if (c.adv.capabilities.has('atomic')) caps.push('atomic');
        if (c.adv.capabilities.has('quiet') && !opts.onProgress) caps.push('quiet');
        const needPack = updates.some((u) => !/^0{40}$/.test(u.new));
        if (needPack) pack = await writePackFile(gitdir, oids, path.join(gitdir, 'objects', 'pack'), opts.onProgress);
        const stdin = c.child.stdin!;
        const head = Buffer.concat([...updates.map((u, i) => pktLine(`${u.old} ${u.new} ${u.ref}${i === 0 ? `\0${caps.join(' ')}` : ''}\n`)), FLUSH]);
        if (!stdin.write(head)) await once(stdin, 'drain');
        if (pack) {
          let sent = 0;
          const rs = createReadStream(pack.file, { highWaterMark: 1 << 20 });
          rs.on('data', (d) => {
            sent += d.length;
            opts.onProgress?.({ phase: 'push: sending', loaded: sent, total: pack!.size });
          });
          await pipeline(rs, stdin);
        } else stdin.end();
        const body: Buffer[] = [];
        for await (const chunk of c.reader.rest()) body.push(chunk);
        const code = await c.exited;
        const all = Buffer.concat(body);
        if (all.length === 0) throw explain(c.stderr(), code, 'pushing');
        const report = parseReceivePackResult(all, sideband);
        for (const p of report.progress) {
          const m = /([^:\r\n]*):\s+\d+% \((\d+)\/(\d+)\)/.exec(p);
          if (m) opts.onProgress?.({ phase: `push: ${m[1]!.trim().toLowerCase()}`, loaded: Number(m[2]), total: Number(m[3]) });
        }
        return report;
      } finally {
        await pack?.remove();
        await finish(c);
      }
    },
    scrub: (t) => t,
    async close() {
      if (open) await finish(open);
      open = null;
    },
  };
};
