import { promises as fsp } from 'node:fs';
import path from 'node:path';
/** Read-only queries: list versions, resolve an address, show one version. */
import type { Address, VersionRecord } from '../model/version.js';
import { parseAddress, selectVersion } from '../model/version.js';
import { loadHistory } from '../history/versions.js';
import type { History } from '../history/versions.js';
import { resolveVaultPath } from '../util/paths.js';
import type { Vault } from '../vault.js';
import { SavepointError } from '../errors.js';

export interface LogOptions {
  path?: string;
  cwd?: string;
  limit?: number;
}

/** Versions newest first, optionally for one path. */
export async function log(vault: Vault, opts: LogOptions = {}): Promise<VersionRecord[]> {
  const history = await loadHistory(vault);
  let versions = history.versions;
  if (opts.path !== undefined) {
    const rel = await resolveVaultPath(vault.dir, opts.cwd ?? vault.dir, opts.path);
    versions = versions.filter((v) => v.path === rel);
    if (versions.length === 0) {
      const exists = await fsp.stat(path.join(vault.dir, rel)).then((st) => st.isFile(), () => false);
      throw new SavepointError('E_NOT_TRACKED', exists ? `${opts.path} has no saved versions. Save it with \`savepoint save ${opts.path}\`.` : `${opts.path} has no saved versions and no such file exists. Check the name; \`savepoint status\` lists tracked files.`, { path: rel });
    }
  }
  const out = [...versions].reverse();
  return opts.limit !== undefined ? out.slice(0, opts.limit) : out;
}

/** Tag names and commit SHA prefixes → a save's commit and history position (also used by whole-vault time travel). */
export function refResolver(history: History) {
  return (text: string) => {
    const tagged = history.tags.get(text);
    const commit = tagged ?? (/^[0-9a-f]{4,40}$/i.test(text) ? matchPrefix(history, text.toLowerCase()) : null);
    if (!commit) return null;
    const c = history.commits.find((x) => x.oid === commit);
    return c ? { seq: c.seq, commit } : { seq: Number.MAX_SAFE_INTEGER, commit };
  };
}

function matchPrefix(history: History, prefix: string): string | null {
  const hits = new Set<string>();
  for (const c of history.commits) if (c.oid.startsWith(prefix)) hits.add(c.oid);
  for (const v of history.versions) if (v.commit.startsWith(prefix)) hits.add(v.commit);
  if (hits.size > 1) {
    throw new SavepointError('E_BAD_ADDRESS', `Commit prefix ${prefix} is ambiguous (${hits.size} saves match). Type more characters.`, { prefix });
  }
  return hits.values().next().value ?? null;
}

/** Resolve `data.csv@12` (path relative to cwd) to one version record. */
export async function resolveVersion(vault: Vault, address: string | Address, cwd?: string, history?: History): Promise<VersionRecord> {
  const addr = typeof address === 'string' ? parseAddress(address) : address;
  const rel = await resolveVaultPath(vault.dir, cwd ?? vault.dir, addr.path);
  const h = history ?? (await loadHistory(vault));
  return selectVersion(rel, h.versions.filter((v) => v.path === rel), addr.spec, refResolver(h));
}

export { loadHistory };
