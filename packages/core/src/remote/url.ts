/** Remote URLs and names: validation and redaction of credentials in anything we print. Pure. */
import { SavepointError } from '../errors.js';
import { remoteNameProblem } from '../model/ref-name.js';
import { isS3Url, parseS3Url } from './s3/url.js';

/** git check-ref-format friendly remote names: letters, digits, . _ - (no leading dot or dash). */
export function assertRemoteName(name: string): void {
  if (remoteNameProblem(name) !== null) {
    throw new SavepointError('E_INVALID_ARGUMENT', `"${name}" is not a valid remote name. Use letters, digits, ".", "_" or "-" (e.g. origin, nas, cloud-backup).`, { name });
  }
}

/** Replace the userinfo of every URL in `text` (`https://user:pass@host` → `https://***@host`). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@');
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** The URL without user and password, for messages, logs and config. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    // an ssh login name is not a secret (and the URL needs it); a password never stays
    if (/^(git\+)?ssh:$/i.test(u.protocol) && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return redactText(url);
  }
}

export interface ParsedRemoteUrl {
  /** the URL to store and show: no password */
  url: string;
  /** a username embedded in the URL, if any (never a password) */
  username?: string;
}

// ---------------------------------------------------------------- remote kinds (issue 12)

/** How a remote is reached: smart HTTP(S), a path on a mounted disk, or git over the system ssh client. */
export type RemoteKind = 'http' | 'local' | 'ssh';

/** `user@host:path` / `host:path` as git reads it: a colon before any slash, and not a URL or a Windows drive. */
const SCP_LIKE = /^(?:([^@/:\s]+)@)?([^@/:\s]+):(?!\/\/)(.*)$/;

export function remoteKind(url: string): RemoteKind {
  if (/^https?:\/\//i.test(url)) return 'http';
  if (/^ssh:\/\//i.test(url) || /^git\+ssh:\/\//i.test(url)) return 'ssh';
  if (/^file:\/\//i.test(url) || url.startsWith('/')) return 'local';
  if (SCP_LIKE.test(url) && !/^[a-z]:[\\/]/i.test(url)) return 'ssh';
  return 'http';
}

/** The folder of a local-path remote (`/media/usb/lab.git` or `file:///media/usb/lab.git`). */
export function localRemotePath(url: string): string {
  if (/^file:\/\//i.test(url)) return decodeURIComponent(new URL(url).pathname).replace(/\/+$/, '') || '/';
  return url.replace(/\/+$/, '') || '/';
}

export interface SshTarget {
  /** `user@host` or `host` */
  destination: string;
  host: string;
  user?: string;
  port?: number;
  /** the repository path as given (relative paths are relative to the login's home, as with git) */
  path: string;
}

/** `ssh://[user@]host[:port]/path` or `[user@]host:path`. */
export function parseSshUrl(url: string): SshTarget {
  if (/^(git\+)?ssh:\/\//i.test(url)) {
    const u = new URL(url.replace(/^git\+/i, ''));
    const user = u.username ? decodeURIComponent(u.username) : undefined;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    let p = decodeURIComponent(u.pathname);
    // ssh://host/~/repo and ssh://host/~user/repo are home-relative, as git reads them
    if (p.startsWith('/~')) p = p.slice(1);
    return { destination: user ? `${user}@${host}` : host, host, ...(user ? { user } : {}), ...(u.port ? { port: Number(u.port) } : {}), path: p };
  }
  const m = SCP_LIKE.exec(url);
  if (!m) throw new SavepointError('E_INVALID_ARGUMENT', `"${url}" is not an ssh remote (use ssh://user@host/path or user@host:path).`, { url });
  const [, user, host, p] = m as unknown as [string, string | undefined, string, string];
  return { destination: user ? `${user}@${host}` : host, host, ...(user ? { user } : {}), path: p };
}

/** Removable-media mount roots: a local remote under one of them counts as a USB copy by default. */
const REMOVABLE_ROOTS = ['/media/', '/run/media/', '/mnt/', '/Volumes/'];

/** The 3-2-1 media a remote counts as unless --media says otherwise. */
export function defaultMedia(url: string): 'usb' | 'disk' | 'ssh' | 'network' | 'cloud' {
  if (isS3Url(url)) return 'cloud';
  const kind = remoteKind(url);
  if (kind === 'local') return REMOVABLE_ROOTS.some((r) => localRemotePath(url).startsWith(r)) ? 'usb' : 'disk';
  if (kind === 'ssh') return 'ssh';
  return 'network';
}

/**
 * Check a remote URL before it is stored: http(s) smart-HTTP, an absolute local path or file:// URL, or an
 * ssh URL. A password in the URL is refused (it would end up in savepoint.json and .git/config).
 */
export function parseRemoteUrl(input: string): ParsedRemoteUrl {
  if (isS3Url(input)) return { url: parseS3Url(input).url }; // issue 12: s3://bucket/prefix
  const kind = remoteKind(input);
  if (kind === 'local') {
    if (/^file:\/\//i.test(input)) {
      let u: URL;
      try {
        u = new URL(input);
      } catch {
        throw new SavepointError('E_INVALID_ARGUMENT', `"${input}" is not a valid file:// URL. Give an absolute path, e.g. /media/usb/lab.git.`, { url: input });
      }
      if (u.host && u.host !== 'localhost') throw new SavepointError('E_INVALID_ARGUMENT', `file:// URLs name a path on this machine (file:///path); "${input}" names the host "${u.host}". Mount the disk and give its path.`, { url: input });
    }
    if (localRemotePath(input) === '/') throw new SavepointError('E_INVALID_ARGUMENT', 'A remote cannot be the root folder. Give the path of a repository folder, e.g. /media/usb/lab.git.', { url: input });
    return { url: input.replace(/\/+$/, '') };
  }
  if (kind === 'ssh') {
    let t: SshTarget;
    try {
      t = parseSshUrl(input);
    } catch (e) {
      if (e instanceof SavepointError) throw e;
      throw new SavepointError('E_INVALID_ARGUMENT', `"${redactText(input)}" is not a valid ssh URL (use ssh://user@host[:port]/path or user@host:path).`, { url: redactText(input) });
    }
    if (/^(git\+)?ssh:\/\//i.test(input) && new URL(input.replace(/^git\+/i, '')).password) {
      throw new SavepointError('E_INVALID_ARGUMENT', `The URL ${redactUrl(input)} contains a password. Savepoint never stores credentials: ssh remotes log in with your ssh keys (ssh-agent, ~/.ssh/config).`, { url: redactUrl(input) });
    }
    if (!t.host || !t.path) throw new SavepointError('E_INVALID_ARGUMENT', `"${input}" names no host or no repository path (use ssh://user@host[:port]/path or user@host:path).`, { url: input });
    return { url: input.replace(/\/+$/, ''), ...(t.user ? { username: t.user } : {}) };
  }
  return parseHttpRemoteUrl(input);
}

/** http(s) remotes (the original and still default kind). */
function parseHttpRemoteUrl(input: string): ParsedRemoteUrl {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new SavepointError('E_INVALID_ARGUMENT', `"${redactText(input)}" is not a URL. Give an http(s) URL of a git repository, e.g. https://example.org/lab/data.git.`, { url: redactText(input) });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SavepointError('E_INVALID_ARGUMENT', `Remote ${redactUrl(input)} uses ${u.protocol.replace(/:$/, '')}; Savepoint's remotes are http(s) git servers, local paths (/media/usb/lab.git, file:///…) and ssh (ssh://user@host/path, user@host:path).`, { url: redactUrl(input) });
  }
  if (u.password) {
    throw new SavepointError('E_INVALID_ARGUMENT', `The URL ${redactUrl(input)} contains a password. Savepoint never stores credentials: add the URL without it and set SAVEPOINT_TOKEN (or SAVEPOINT_USERNAME and SAVEPOINT_PASSWORD), or use a git credential helper.`, { url: redactUrl(input) });
  }
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  return { url: input.replace(/\/+$/, ''), ...(username ? { username } : {}) };
}
