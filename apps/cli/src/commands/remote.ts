/**
 * Remotes: remote add|list|remove, push, fetch, pull, clone. Credentials come from the environment
 * (SAVEPOINT_TOKEN, or SAVEPOINT_USERNAME + SAVEPOINT_PASSWORD) or git's credential helpers, and are handed
 * to core as callbacks — never stored, never printed.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { PushOutcome, RemoteAuth, RemoteCredentials, TransportOptions, Vault } from '@savepoint/core';
import type { CommandContext, Registrar } from '../context.js';
import { exitCodeFor } from '../exit-codes.js';
import { remoteMsg } from '../messages.js';
import { keyProviderFromEnv } from '../passphrase.js';

/** Ask git's credential helpers (never a prompt). Returns null when git or a helper has nothing. */
function gitCredential(env: NodeJS.ProcessEnv, action: 'fill' | 'approve' | 'reject', url: string, c?: RemoteCredentials): RemoteCredentials | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const input = [`protocol=${u.protocol.replace(/:$/, '')}`, `host=${u.host}`, `path=${u.pathname.replace(/^\//, '')}`, ...(c ? [`username=${c.username}`, `password=${c.password}`] : []), '', ''].join('\n');
  const childEnv: NodeJS.ProcessEnv = { ...env, GIT_TERMINAL_PROMPT: '0' };
  delete childEnv.GIT_ASKPASS;
  delete childEnv.SSH_ASKPASS;
  const r = spawnSync('git', ['-c', 'core.askPass=', 'credential', action], { input, env: childEnv, encoding: 'utf8', timeout: 15_000, stdio: ['pipe', 'pipe', 'ignore'] });
  if (action !== 'fill' || r.status !== 0 || !r.stdout) return null;
  const fields = new Map(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]));
  const username = fields.get('username');
  const password = fields.get('password');
  return username !== undefined && password ? { username, password } : null;
}

/** Credentials for core, from env first, then git credential helpers. */
export function remoteAuthFromEnv(env: NodeJS.ProcessEnv): RemoteAuth & Pick<TransportOptions, 'ssh'> {
  const token = env.SAVEPOINT_TOKEN;
  const user = env.SAVEPOINT_USERNAME;
  const pass = env.SAVEPOINT_PASSWORD;
  let fromHelper = false;
  const useHelpers = env.SAVEPOINT_NO_CREDENTIAL_HELPER !== '1';
  return {
    // ssh remotes: SAVEPOINT_SSH, else GIT_SSH_COMMAND, replaces `ssh` (run by sh, as git does)
    ssh: { command: env.SAVEPOINT_SSH || env.GIT_SSH_COMMAND || undefined, env },
    onAuth(url) {
      if (token) return { username: user || 'x-access-token', password: token };
      if (user && pass !== undefined) return { username: user, password: pass };
      if (!useHelpers) return null;
      const c = gitCredential(env, 'fill', url);
      fromHelper = !!c;
      return c;
    },
    onAuthFailure(url, refused) {
      if (fromHelper) gitCredential(env, 'reject', url, refused);
      return null;
    },
    onAuthSuccess(url, used) {
      if (fromHelper) gitCredential(env, 'approve', url, used);
    },
  };
}

function transport(ctx: CommandContext) {
  // issue 12: the AWS SDK warns on every run under Node 20 about its 2027 plans; keep our stderr for our own messages
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // issue 12: the key of encrypted (s3://) remotes, asked only when one is used
  return { ...remoteAuthFromEnv(ctx.io.env), onProgress: ctx.onProgress, key: keyProviderFromEnv(ctx.io, ctx.core.SavepointError) };
}

/** A relative folder given as a remote (`../backup/lab.git`, `./usb.git`) is stored absolute, as the path it names now. */
function absoluteIfPath(ctx: CommandContext, url: string): string {
  return /^\.\.?(\/|$)/.test(url) ? path.resolve(ctx.cwd, url) : url;
}

/** The remote a fetch/pull without NAME means: the only one, else "origin". */
function defaultRemote(ctx: CommandContext, vault: Vault, name: string | undefined): string {
  if (name) return name;
  const all = ctx.core.listRemotes(vault);
  if (all.length === 1) return all[0]!.name;
  if (all.some((r) => r.name === 'origin')) return 'origin';
  throw new ctx.core.SavepointError(
    all.length ? 'E_INVALID_ARGUMENT' : 'E_REMOTE_NOT_FOUND',
    all.length ? remoteMsg.nameTheRemote(all.map((r) => r.name)) : remoteMsg.noRemotes,
    {},
  );
}

/** Print push outcomes; returns the exit code (first failure's). */
export function reportPushOutcomes(ctx: CommandContext, outcomes: PushOutcome[], opts: { warnOnly?: boolean } = {}): number {
  let code = 0;
  for (const o of outcomes) {
    const lines = remoteMsg.pushOutcome(o, ctx.out);
    if (o.ok) lines.forEach((l) => ctx.out.line(l));
    else {
      lines.forEach((l) => ctx.out.warn(l));
      if (!code && o.error) code = exitCodeFor(o.error.code);
    }
  }
  return opts.warnOnly ? 0 : code;
}

export function registerRemote({ program, action }: Registrar): void {
  const remote = program.command('remote').description('manage remotes (copies of the vault elsewhere: NAS, USB-attached server, cloud)');

  remote
    .command('add <name> <url>')
    .description('add a remote: an http(s) git server, a folder on a mounted disk (/media/usb/lab.git, file:///…; created on first push), an ssh repository (ssh://user@host[:port]/path, user@host:path) or an s3://bucket/prefix bucket; http credentials come from SAVEPOINT_TOKEN / SAVEPOINT_USERNAME+SAVEPOINT_PASSWORD or git credential helpers, ssh logs in with your ssh keys, S3 from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE; never from the URL')
    .option('--media <kind>', 'storage media for the 3-2-1 count: disk, usb, nas, cloud, network, ssh (default: usb for folders under /media, /run/media, /mnt; disk for other folders; ssh; cloud for s3://; network for http)')
    .option('--endpoint <url>', 's3:// only: an S3-compatible server (MinIO, …) instead of AWS')
    .option('--region <region>', 's3:// only: the bucket\'s region')
    .option('--encrypt', 's3:// only: encrypt everything pushed (AES-256-GCM; key from SAVEPOINT_PASSPHRASE, SAVEPOINT_KEY_FILE or a prompt; never stored — losing it loses the data)')
    .option('--offsite', 'the copy is off-site (default for cloud/network/ssh)')
    .option('--no-offsite', 'the copy is on-site (default for disk/usb/nas)')
    .option('--auto-push', 'push here after every save')
    .action(
      action(async (ctx, name: string, url: string, opts: { media?: string; offsite?: boolean; autoPush?: boolean; endpoint?: string; region?: string; encrypt?: boolean }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.addRemote(vault, {
          name,
          url: absoluteIfPath(ctx, url),
          ...(opts.media ? { media: opts.media } : {}),
          ...(opts.offsite !== undefined ? { offsite: opts.offsite } : {}),
          ...(opts.autoPush ? { autoPush: true } : {}),
          ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
          ...(opts.region ? { region: opts.region } : {}),
          ...(opts.encrypt ? { encrypt: true } : {}),
        });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, remote: r });
        ctx.out.line(remoteMsg.added(r));
      }),
    );

  remote
    .command('list')
    .description('list remotes with media, off-site flag, auto-push and last push/fetch')
    .action(
      action(async (ctx) => {
        const vault = await ctx.vault();
        const remotes = ctx.core.listRemotes(vault);
        const queue = await ctx.core.pushQueue(vault);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, remotes, pushQueue: queue });
        if (!remotes.length) ctx.out.line(remoteMsg.none);
        for (const r of remotes) ctx.out.line(remoteMsg.listLine(r, queue.find((q) => q.remote === r.name), ctx.out));
      }),
    );

  remote
    .command('remove <name>')
    .alias('rm')
    .description('forget a remote (the remote repository itself is not touched)')
    .action(
      action(async (ctx, name: string) => {
        const vault = await ctx.vault();
        const r = await ctx.core.removeRemote(vault, name);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, removed: r });
        ctx.out.line(remoteMsg.removed(r));
      }),
    );

  program
    .command('push [name]')
    .description('send the history branch, tags and checksum notes to a remote (default: every remote); queued pushes are retried')
    .option('--all', 'push to every remote (what push without NAME does; not with NAME)')
    .action(
      action(async (ctx, name: string | undefined, opts: { all?: boolean }) => {
        if (name && opts.all) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', remoteMsg.pushAllWithName(name), { remote: name });
        const vault = await ctx.vault();
        const remotes = name ? [name] : ctx.core.listRemotes(vault).map((r) => r.name);
        if (!remotes.length) throw new ctx.core.SavepointError('E_REMOTE_NOT_FOUND', remoteMsg.noRemotes, {});
        const outcomes = await ctx.core.pushRemotes(vault, { ...transport(ctx), remotes });
        ctx.out.endProgress();
        const failed = outcomes.find((o) => !o.ok);
        if (ctx.out.json) {
          ctx.out.emitJson({ ok: !failed, results: outcomes, ...(failed?.error ? { error: failed.error } : {}) });
          return failed?.error ? exitCodeFor(failed.error.code) : 0;
        }
        return reportPushOutcomes(ctx, outcomes);
      }),
    );

  program
    .command('fetch [name]')
    .description('download a remote\'s saves, tags and notes (notes are merged into yours; your files are not touched)')
    .action(
      action(async (ctx, name: string | undefined) => {
        const vault = await ctx.vault();
        const r = await ctx.core.fetchRemote(vault, { ...transport(ctx), remote: defaultRemote(ctx, vault, name) });
        ctx.out.endProgress();
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
        remoteMsg.fetched(r, vault.branch).forEach((l) => ctx.out.line(l));
      }),
    );

  program
    .command('pull [name]')
    .description('fetch, then fast-forward the history branch (refused, with an explanation, if it diverged)')
    .action(
      action(async (ctx, name: string | undefined) => {
        const vault = await ctx.vault();
        const r = await ctx.core.pullRemote(vault, { ...transport(ctx), remote: defaultRemote(ctx, vault, name) });
        ctx.out.endProgress();
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
        remoteMsg.pulled(r, vault.branch).forEach((l) => ctx.out.line(l));
      }),
    );

  program
    .command('clone <url> <dir>')
    .description('make a new vault from a remote: history, tags, notes and the latest files; restore and verify work for every version')
    .option('--name <name>', 'name for the remote', 'origin')
    .option('-b, --branch <branch>', 'history branch to clone (default: savepoint if present, else the remote HEAD)')
    .option('--media <kind>', 'media of the remote for the 3-2-1 count (default by URL kind, as for remote add)')
    .option('--offsite', 'the remote is off-site')
    .option('--no-offsite', 'the remote is on-site')
    .option('--endpoint <url>', 's3:// only: an S3-compatible server (MinIO, …) instead of AWS')
    .option('--region <region>', 's3:// only: the bucket\'s region')
    .action(
      action(async (ctx, url: string, dir: string, opts: { name: string; branch?: string; media?: string; offsite?: boolean; endpoint?: string; region?: string }) => {
        const r = await ctx.core.cloneVault({
          ...transport(ctx),
          url: absoluteIfPath(ctx, url),
          dir: path.resolve(ctx.cwd, dir),
          name: opts.name,
          ...(opts.media ? { media: opts.media } : {}),
          ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
          ...(opts.region ? { region: opts.region } : {}),
          ...(opts.branch ? { branch: opts.branch } : {}),
          ...(opts.offsite !== undefined ? { offsite: opts.offsite } : {}),
        });
        ctx.out.endProgress();
        const versions = (await ctx.core.log(r.vault)).length;
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, dir: r.dir, branch: r.branch, remote: r.remote, files: r.files, versions, notes: r.fetch.notes.remote !== null });
        remoteMsg.cloned(r, versions).forEach((l) => ctx.out.line(l));
      }),
    );
}
