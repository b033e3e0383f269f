/**
 * Remotes live in savepoint.json (name → url, media, offsite, autoPush; never credentials) and are mirrored
 * into .git/config so native git sees them too (`git fetch <name>` brings the branch and the notes).
 */
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { parseConfig, serializeConfig } from '../model/config.js';
import type { VaultConfigInput } from '../model/config.js';
import { NOTES_REF } from '../model/note.js';
import { isogit } from '../history/isogit.js';
import { listRefs } from '../history/refs.js';
import { deleteRef } from '../history/git.js';
import { withLock } from '../util/lock.js';
import type { Vault } from '../vault.js';
import { CONFIG_FILE } from '../vault.js';
import { assertRemoteName, defaultMedia, parseRemoteUrl, redactUrl } from './url.js';
import { checkEndpoint, isS3Url } from './s3/url.js';
import { writeFileAtomic } from '../util/atomic.js';

export const MEDIA_KINDS = ['disk', 'usb', 'nas', 'cloud', 'network', 'ssh'] as const;

/** Off-site unless the media is a disk, USB disk or NAS at hand (issue 12: ssh and cloud copies are elsewhere). */
export function defaultOffsite(media: string): boolean {
  return media === 'cloud' || media === 'network' || media === 'ssh';
}
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** Where fetched/pushed notes of a remote are remembered. */
export const REMOTE_NOTES_PREFIX = 'refs/notes/savepoint-remotes/';
export const trackingNotesRef = (name: string) => `${REMOTE_NOTES_PREFIX}${name}`;
export const trackingBranchRef = (name: string, branch: string) => `refs/remotes/${name}/${branch}`;

export interface RemoteInfo {
  name: string;
  url: string;
  media: string;
  offsite: boolean;
  /** true when saves push here automatically (per remote, or the vault-wide autoPush) */
  autoPush: boolean;
  /** s3:// remotes (issue 12) */
  endpoint?: string;
  region?: string;
  encrypt?: boolean;
}

export interface AddRemoteOptions {
  name: string;
  url: string;
  media?: string;
  /** default: false for disk/usb/nas, true for cloud/network/ssh */
  offsite?: boolean;
  autoPush?: boolean;
  /** s3:// remotes only (issue 12): S3-compatible server, region, encryption at rest */
  endpoint?: string;
  region?: string;
  encrypt?: boolean;
}

type S3Extras = { endpoint?: string | undefined; region?: string | undefined; encrypt?: boolean | undefined };
function info(vaultAutoPush: boolean, name: string, r: { url: string; media: string; offsite: boolean; autoPush?: boolean | undefined } & S3Extras): RemoteInfo {
  return { name, url: r.url, media: r.media, offsite: r.offsite, autoPush: r.autoPush ?? vaultAutoPush, ...(r.endpoint ? { endpoint: r.endpoint } : {}), ...(r.region ? { region: r.region } : {}), ...(r.encrypt ? { encrypt: true } : {}) };
}

/** The s3-only keys of a remote entry, checked (issue 12). */
function s3Extras(url: string, o: S3Extras): Record<string, unknown> {
  if (!isS3Url(url)) {
    if (o.endpoint || o.region || o.encrypt) throw new SavepointError('E_INVALID_ARGUMENT', '--endpoint, --region and --encrypt apply to s3:// remotes only.', {});
    return {};
  }
  return { ...(o.endpoint ? { endpoint: checkEndpoint(o.endpoint) } : {}), ...(o.region ? { region: o.region } : {}), ...(o.encrypt ? { encrypt: true } : {}) };
}

export function listRemotes(vault: Vault): RemoteInfo[] {
  return Object.entries(vault.config.remotes)
    .map(([name, r]) => info(vault.config.autoPush, name, r))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function getRemote(vault: Vault, name: string): RemoteInfo {
  const r = vault.config.remotes[name];
  if (!r) {
    const known = Object.keys(vault.config.remotes);
    throw new SavepointError('E_REMOTE_NOT_FOUND', `There is no remote "${name}". ${known.length ? `Known remotes: ${known.join(', ')}.` : 'Add one with `savepoint remote add NAME URL`.'}`, { name, known });
  }
  return info(vault.config.autoPush, name, r);
}

/** Edit savepoint.json as raw JSON (keeping the user's other keys as written), validate, write atomically. */
async function editConfigFile(vault: Vault, edit: (raw: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(vault.dir, CONFIG_FILE);
  const raw = JSON.parse((await fsp.readFile(file, 'utf8')).replace(/^\uFEFF/, '')) as Record<string, unknown>;
  edit(raw);
  const text = serializeConfig(raw as VaultConfigInput);
  const config = await parseConfig(text, file);
  await writeFileAtomic(file, text);
  vault.config = config;
}

/** Make .git/config's [remote "<name>"] match: url, the branch refspec and the notes refspec. */
export async function syncGitRemote(gitdir: string, name: string, url: string): Promise<void> {
  if (isS3Url(url)) return; // native git cannot read a Savepoint S3 bucket (issue 12)
  const git = await isogit();
  const wanted = [`+refs/heads/*:refs/remotes/${name}/*`, `+${NOTES_REF}:${trackingNotesRef(name)}`];
  const clean = redactUrl(url);
  const curUrl = (await git.getConfig({ fs, gitdir, path: `remote.${name}.url` }).catch(() => undefined)) as string | undefined;
  const curFetch = ((await git.getConfigAll({ fs, gitdir, path: `remote.${name}.fetch` }).catch(() => [])) as string[]) ?? [];
  if (curUrl === clean && wanted.every((w) => curFetch.includes(w))) return;
  if (curUrl !== undefined || curFetch.length) await git.deleteRemote({ fs, gitdir, remote: name }).catch(() => undefined);
  await git.setConfig({ fs, gitdir, path: `remote.${name}.url`, value: clean });
  await git.setConfig({ fs, gitdir, path: `remote.${name}.fetch`, value: wanted[0] });
  await git.setConfig({ fs, gitdir, path: `remote.${name}.fetch`, value: wanted[1], append: true });
}

export async function addRemote(vault: Vault, opts: AddRemoteOptions): Promise<RemoteInfo> {
  assertRemoteName(opts.name);
  const { url } = parseRemoteUrl(opts.url);
  const media = opts.media ?? defaultMedia(url);
  if (!(MEDIA_KINDS as readonly string[]).includes(media)) {
    throw new SavepointError('E_INVALID_ARGUMENT', `--media must be one of ${MEDIA_KINDS.join(', ')} (got "${media}").`, { media });
  }
  const extras = s3Extras(url, opts);
  const offsite = opts.offsite ?? defaultOffsite(media);
  return withLock(vault.gitdir, 'remote add', async () => {
    if (vault.config.remotes[opts.name]) {
      throw new SavepointError('E_REMOTE_EXISTS', `A remote named "${opts.name}" already exists (${vault.config.remotes[opts.name]!.url}). Pick another name, or remove it first with \`savepoint remote remove ${opts.name}\`.`, { name: opts.name });
    }
    await editConfigFile(vault, (raw) => {
      const remotes = { ...((raw.remotes as Record<string, unknown> | undefined) ?? {}) };
      remotes[opts.name] = { url, media, offsite, ...(opts.autoPush !== undefined ? { autoPush: opts.autoPush } : {}), ...extras };
      raw.remotes = remotes;
    });
    await syncGitRemote(vault.gitdir, opts.name, url);
    return getRemote(vault, opts.name);
  });
}

/** Forget a remote: savepoint.json entry, .git/config section, its tracking refs and queued pushes. */
export async function removeRemote(vault: Vault, name: string): Promise<RemoteInfo> {
  const removed = getRemote(vault, name);
  await withLock(vault.gitdir, 'remote remove', async () => {
    await editConfigFile(vault, (raw) => {
      const remotes = { ...((raw.remotes as Record<string, unknown> | undefined) ?? {}) };
      delete remotes[name];
      raw.remotes = remotes;
    });
    const git = await isogit();
    await git.deleteRemote({ fs, gitdir: vault.gitdir, remote: name }).catch(() => undefined);
    for (const ref of (await listRefs(vault.gitdir, `refs/remotes/${name}/`)).keys()) await deleteRef(vault, ref);
    await deleteRef(vault, trackingNotesRef(name));
  });
  return removed;
}

/** Edit savepoint.json for a freshly cloned vault (no lock needed: nobody else knows the folder yet). */
export async function writeClonedConfig(dir: string, base: Record<string, unknown>, patch: { historyBranch: string; remote: { name: string; url: string; media: string; offsite: boolean } & S3Extras }): Promise<void> {
  const raw: Record<string, unknown> = { ...base, historyBranch: patch.historyBranch };
  const remotes = { ...((raw.remotes as Record<string, unknown> | undefined) ?? {}) };
  remotes[patch.remote.name] = { url: patch.remote.url, media: patch.remote.media, offsite: patch.remote.offsite, ...s3Extras(patch.remote.url, patch.remote) };
  raw.remotes = remotes;
  const file = path.join(dir, CONFIG_FILE);
  const text = serializeConfig(raw as VaultConfigInput);
  await parseConfig(text, file);
  await writeFileAtomic(file, text);
}
