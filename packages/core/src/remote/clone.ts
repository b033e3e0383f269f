/**
 * clone: make a new vault from a remote — history branch, tags, notes and savepoint.json from the branch —
 * with the latest files checked out (streamed blob by blob) and the remote recorded as "origin".
 */
import { EventEmitter } from 'node:events';
import { promises as fsp } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { branchNameProblem } from '../model/ref-name.js';
import { blobAtPath, readBlobText, readCommit, readTreeEntries, resolveRef, updateRef } from '../history/git.js';
import type { GitCtx } from '../history/git.js';
import { updateIndexEntries } from '../history/git-index.js';
import { isogit } from '../history/isogit.js';
import { readBlobToFile } from '../store/object-store.js';
import type { Author, Vault, VaultEvents } from '../vault.js';
import { CONFIG_FILE, openVault } from '../vault.js';
import { MEDIA_KINDS, defaultOffsite, syncGitRemote, trackingBranchRef, writeClonedConfig } from './config.js';
import { fetchRemote } from './sync.js';
import type { FetchResult } from './sync.js';
import { openTransport } from './transports.js';
import type { TransportOptions } from './transport.js';
import { assertRemoteName, defaultMedia, parseRemoteUrl, redactUrl } from './url.js';
import { isS3Url } from './s3/url.js';

export interface CloneOptions extends TransportOptions {
  url: string;
  /** the new vault's folder (must not exist, or be empty) */
  dir: string;
  /** remote name for the source (default origin) */
  name?: string;
  /** history branch to clone (default: "savepoint" if the remote has it, else the remote's HEAD, else main) */
  branch?: string;
  media?: string;
  offsite?: boolean;
  /** s3:// sources (issue 12): S3-compatible server and region */
  endpoint?: string;
  region?: string;
  clock?: () => Date;
  author?: Author;
}

export interface CloneResult {
  dir: string;
  branch: string;
  remote: string;
  files: number;
  fetch: FetchResult;
  vault: Vault;
}

async function checkoutTree(ctx: GitCtx, dir: string, tree: string, prefix = '', out: { path: string; oid: string; mode: number }[] = []): Promise<typeof out> {
  for (const e of await readTreeEntries(ctx, tree)) {
    const rel = `${prefix}${e.path}`;
    if (e.path === '.git' || e.path.includes('/') || e.path === '..' || e.path === '.') continue;
    if (e.type === 'tree') {
      await fsp.mkdir(path.join(dir, ...rel.split('/')), { recursive: true });
      await checkoutTree(ctx, dir, e.oid, `${rel}/`, out);
    } else if (e.type === 'blob' && (e.mode === '100644' || e.mode === '100755')) {
      const abs = path.join(dir, ...rel.split('/'));
      await readBlobToFile(ctx.gitdir, e.oid, abs);
      await fsp.chmod(abs, e.mode === '100755' ? 0o755 : 0o644);
      out.push({ path: rel, oid: e.oid, mode: Number.parseInt(e.mode, 8) });
    }
  }
  return out;
}

/** A branch name from an option or a remote must be one git accepts before it names a ref or HEAD (issue 19). */
function assertBranchName(name: string, what: string): void {
  const why = branchNameProblem(name);
  if (why) throw new SavepointError('E_INVALID_ARGUMENT', `${what} ${JSON.stringify(name)} is not a valid git branch name (${why}). Name a branch such as "main" or "savepoint".`, { branch: name });
}

export async function cloneVault(opts: CloneOptions): Promise<CloneResult> {
  const name = opts.name ?? 'origin';
  assertRemoteName(name);
  const { url } = parseRemoteUrl(opts.url);
  const media = opts.media ?? defaultMedia(url);
  if (!(MEDIA_KINDS as readonly string[]).includes(media)) throw new SavepointError('E_INVALID_ARGUMENT', `--media must be one of ${MEDIA_KINDS.join(', ')} (got "${media}").`, { media });
  if (opts.branch !== undefined) assertBranchName(opts.branch, '--branch');
  const target = path.resolve(opts.dir);
  const existing = await fsp.readdir(target).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
  if (existing && existing.length) throw new SavepointError('E_VAULT_EXISTS', `${target} exists and is not empty. Clone into a new or empty folder.`, { dir: target });
  // --- issue 12 item 3: an s3:// source offers the refs of its bucket's manifest; the others go through a transport
  const s3 = isS3Url(url) ? { ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...(opts.region ? { region: opts.region } : {}) } : null;
  let adv: Awaited<ReturnType<Awaited<ReturnType<typeof openTransport>>['discover']>>;
  let shownUrl = redactUrl(url);
  if (s3) adv = await (await import('./s3/sync.js')).s3Advertisement({ url, ...s3 }, { key: opts.key, name });
  else {
    const session = await openTransport(url, opts, name);
    shownUrl = session.shownUrl;
    adv = await session.discover('git-upload-pack').finally(() => session.close());
  }
  const s3Entry = s3 ? { ...s3, ...('encrypted' in adv && adv.encrypted ? { encrypt: true } : {}) } : {};
  const session = { shownUrl };
  // ---
  if (adv.refs.size === 0) throw new SavepointError('E_INVALID_ARGUMENT', `${session.shownUrl} is an empty repository: nothing to clone. Push a vault to it first (\`savepoint remote add\` + \`savepoint push\`).`, { url: session.shownUrl });
  const headSym = [...adv.capabilities].find((c) => c.startsWith('symref=HEAD:'))?.slice('symref=HEAD:refs/heads/'.length);
  const branch =
    opts.branch ??
    (adv.refs.has('refs/heads/savepoint')
      ? 'savepoint'
      : headSym && adv.refs.has(`refs/heads/${headSym}`)
        ? headSym
        : adv.refs.has('refs/heads/main')
          ? 'main'
          : [...adv.refs.keys()].find((r) => r.startsWith('refs/heads/'))?.slice(11));
  if (branch) assertBranchName(branch, `the branch ${session.shownUrl} offers`);
  if (!branch || !adv.refs.has(`refs/heads/${branch}`)) {
    throw new SavepointError('E_INVALID_ARGUMENT', `${session.shownUrl} has no branch "${branch ?? '(none)'}" to clone. Branches there: ${[...adv.refs.keys()].filter((r) => r.startsWith('refs/heads/')).map((r) => r.slice(11)).join(', ') || 'none'}.`, { url: session.shownUrl, branch });
  }
  await fsp.mkdir(target, { recursive: true });
  const dir = await fsp.realpath(target);
  const gitdir = path.join(dir, '.git');
  const git = await isogit();
  try {
    await git.init({ fs, dir, defaultBranch: branch });
    await syncGitRemote(gitdir, name, url);
    const ctx: GitCtx = { gitdir, cache: {} };
    // a bootstrap vault object so fetch can run before savepoint.json exists
    const bootConfig = { remotes: { [name]: { url, media, offsite: opts.offsite ?? defaultOffsite(media), ...s3Entry } }, autoPush: false } as unknown as Vault['config'];
    const boot: Vault = { dir, gitdir, cache: ctx.cache, config: bootConfig, branch, clock: opts.clock ?? (() => new Date()), author: opts.author ?? { name: 'Savepoint', email: 'savepoint@localhost' }, events: new EventEmitter<VaultEvents>() };
    const fetch = await fetchRemote(boot, { ...opts, remote: name });
    const tip = await resolveRef(ctx, trackingBranchRef(name, branch));
    if (!tip) throw new SavepointError('E_INTERNAL', `Fetching ${branch} from ${session.shownUrl} did not bring its commits.`, {});
    await updateRef(ctx, `refs/heads/${branch}`, tip, null);
    const tree = (await readCommit(ctx, tip)).tree;
    const configBlob = await blobAtPath(ctx, tree, CONFIG_FILE);
    const baseConfig = configBlob ? (JSON.parse(await readBlobText(ctx, configBlob)) as Record<string, unknown>) : {};
    const entries = await checkoutTree(ctx, dir, tree);
    await updateIndexEntries(dir, gitdir, entries);
    await writeClonedConfig(dir, baseConfig, { historyBranch: branch, remote: { name, url, media, offsite: opts.offsite ?? defaultOffsite(media), ...s3Entry } });
    const vault = await openVault({ dir, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.author ? { author: opts.author } : {}) });
    // keep the archive folder out of `git status`, as init does
    const exclude = path.join(gitdir, 'info', 'exclude');
    await fsp.mkdir(path.dirname(exclude), { recursive: true });
    const line = `/${vault.config.archiveLocation.replace(/^\.?\//, '').split('/')[0]}/`;
    const current = await fsp.readFile(exclude, 'utf8').catch(() => '');
    if (!current.split('\n').includes(line)) await fsp.appendFile(exclude, `${current && !current.endsWith('\n') ? '\n' : ''}${line}\n`);
    return { dir, branch, remote: name, files: entries.length, fetch, vault };
  } catch (e) {
    // leave no half-made vault behind
    if (!existing) await fsp.rm(dir, { recursive: true, force: true });
    else for (const n of await fsp.readdir(dir).catch(() => [])) await fsp.rm(path.join(dir, n), { recursive: true, force: true });
    throw e;
  }
}
