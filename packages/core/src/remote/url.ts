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

/**
 * Check a remote URL before it is stored. Only http(s) smart-HTTP remotes are supported.
 * A password in the URL is refused (it would end up in savepoint.json and .git/config).
 */
export function parseRemoteUrl(input: string): ParsedRemoteUrl {
  if (isS3Url(input)) return { url: parseS3Url(input).url }; // issue 12: s3://bucket/prefix
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new SavepointError('E_INVALID_ARGUMENT', `"${redactText(input)}" is not a URL. Give an http(s) URL of a git repository, e.g. https://example.org/lab/data.git.`, { url: redactText(input) });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SavepointError('E_INVALID_ARGUMENT', `Remote ${redactUrl(input)} uses ${u.protocol.replace(/:$/, '')}; Savepoint pushes over smart HTTP(S) only. Serve the repository over https (e.g. a NAS's git server, Gitea, GitHub, GitLab).`, { url: redactUrl(input) });
  }
  if (u.password) {
    throw new SavepointError('E_INVALID_ARGUMENT', `The URL ${redactUrl(input)} contains a password. Savepoint never stores credentials: add the URL without it and set SAVEPOINT_TOKEN (or SAVEPOINT_USERNAME and SAVEPOINT_PASSWORD), or use a git credential helper.`, { url: redactUrl(input) });
  }
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  return { url: input.replace(/\/+$/, ''), ...(username ? { username } : {}) };
}
