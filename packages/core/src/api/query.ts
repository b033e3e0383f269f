import { promises as fsp } from 'node:fs';
import path from 'node:path';
/** Read-only queries: list versions, resolve an address, show one version. */
import type { Address, VersionRecord } from '../model/version.js';
import { parseAddress, selectVersion } from '../model/version.js';
import { loadHistory, reindexCatalog, withHistoryIndex } from '../history/versions.js';
import type { ExperimentSummary } from '../history/catalog.js';
import { saveKinds } from '../model/note.js';
import type { History } from '../history/versions.js';
import { resolveVaultPath } from '../util/paths.js';
import type { Vault } from '../vault.js';
import { SavepointError } from '../errors.js';

export interface LogOptions {
  path?: string;
  cwd?: string;
  limit?: number;
  /** only versions saved with this experiment id (`savepoint log --experiment EXP-7`) */
  experiment?: string;
}

/** Versions newest first, optionally for one path and/or one experiment: one catalog query. */
export async function log(vault: Vault, opts: LogOptions = {}): Promise<VersionRecord[]> {
  const rel = opts.path !== undefined ? await resolveVaultPath(vault.dir, opts.cwd ?? vault.dir, opts.path) : undefined;
  return withHistoryIndex(vault, async (index) => {
    const cat = index.catalog;
    if (opts.experiment !== undefined && !cat.hasExperiment(opts.experiment)) throw unknownExperiment(opts.experiment, cat.experiments().map((e) => e.experiment));
    const versions = cat.query({ ...(rel !== undefined ? { path: rel } : {}), ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}), ...(opts.limit !== undefined ? { limit: opts.limit } : {}) });
    if (rel !== undefined && versions.length === 0 && (opts.experiment === undefined || cat.latest(rel) === null)) {
      const exists = await fsp.stat(path.join(vault.dir, rel)).then((st) => st.isFile(), () => false);
      throw new SavepointError('E_NOT_TRACKED', exists ? `${opts.path} has no saved versions. Save it with \`savepoint save ${opts.path}\`.` : `${opts.path} has no saved versions and no such file exists. Check the name; \`savepoint status\` lists tracked files.`, { path: rel });
    }
    return index.withTags(versions);
  });
}

function unknownExperiment(id: string, known: string[]): SavepointError {
  const list = known.length ? `Known experiments: ${known.slice(0, 10).join(', ')}${known.length > 10 ? `, … (${known.length})` : ''}.` : 'No save has an experiment id yet (save with `--experiment <id>`).';
  return new SavepointError('E_UNKNOWN_EXPERIMENT', `No version was saved with experiment "${id}". ${list} \`savepoint experiments\` lists them all.`, { experiment: id, known: known.slice(0, 50) });
}

/** Every experiment id with its files, version count and first/last save. */
export async function experiments(vault: Vault): Promise<ExperimentSummary[]> {
  return withHistoryIndex(vault, (index) => index.catalog.experiments());
}

export interface FindOptions {
  sha256?: string;
  /** ISO date or date-time; a date alone means from its start (since) / to its end (until), UTC */
  since?: string;
  until?: string;
  kind?: string;
  path?: string;
  experiment?: string;
  cwd?: string;
  limit?: number;
}

const KINDS: readonly string[] = saveKinds;

function parseBound(text: string, flag: '--since' | '--until'): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(dateOnly ? `${text}T${flag === '--since' ? '00:00:00.000' : '23:59:59.999'}Z` : text.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) throw new SavepointError('E_INVALID_ARGUMENT', `${flag} ${text} is not a date. Use an ISO date like 2026-05-01 or a date-time like 2026-05-01T14:00Z.`, { [flag.slice(2)]: text });
  return new Date(ms).toISOString();
}

/** Versions matching every given filter (content sha256, saved-at window, kind, path, experiment), newest first. */
export async function findVersions(vault: Vault, opts: FindOptions): Promise<VersionRecord[]> {
  if (opts.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(opts.sha256)) {
    throw new SavepointError('E_INVALID_ARGUMENT', `--sha256 needs the 64 hex digits of a SHA-256 checksum (got "${opts.sha256}"), e.g. the first column of \`sha256sum data.csv\`.`, { sha256: opts.sha256 });
  }
  const since = opts.since !== undefined ? parseBound(opts.since, '--since') : undefined;
  const until = opts.until !== undefined ? parseBound(opts.until, '--until') : undefined;
  if (since && until && since > until) throw new SavepointError('E_INVALID_ARGUMENT', `--since ${opts.since} is after --until ${opts.until}: nothing can match. Swap them.`, { since: opts.since, until: opts.until });
  if (opts.kind !== undefined && !KINDS.includes(opts.kind)) throw new SavepointError('E_INVALID_ARGUMENT', `--kind ${opts.kind} is not a kind of save. Use one of: ${KINDS.join(', ')}.`, { kind: opts.kind, kinds: KINDS });
  const rel = opts.path !== undefined ? await resolveVaultPath(vault.dir, opts.cwd ?? vault.dir, opts.path) : undefined;
  return withHistoryIndex(vault, (index) => {
    if (opts.experiment !== undefined && !index.catalog.hasExperiment(opts.experiment)) throw unknownExperiment(opts.experiment, index.catalog.experiments().map((e) => e.experiment));
    return index.withTags(
      index.catalog.query({
        ...(opts.sha256 !== undefined ? { sha256: opts.sha256 } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
        ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
        ...(rel !== undefined ? { path: rel } : {}),
        ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      }),
    );
  });
}

/** Rebuild the catalog from the history branch, the notes and the archive index (`savepoint reindex`). */
export async function reindex(vault: Vault): Promise<{ saves: number; versions: number; persistent: boolean; ms: number }> {
  const t0 = performance.now();
  const r = await reindexCatalog(vault);
  return { ...r, ms: Math.round(performance.now() - t0) };
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
  if (history) return selectVersion(rel, history.versions.filter((v) => v.path === rel), addr.spec, refResolver(history));
  // from the catalog: only this path's versions are read, tags and commit prefixes are index lookups
  return withHistoryIndex(vault, (index) => {
    const cat = index.catalog;
    const versions = index.withTags(cat.query({ path: rel, newestFirst: false }));
    return selectVersion(rel, versions, addr.spec, (text) => {
      const tagged = index.tags.get(text);
      let commit = tagged ?? null;
      if (!commit && /^[0-9a-f]{4,40}$/i.test(text)) {
        const hits = cat.commitsWithPrefix(text.toLowerCase());
        if (hits.length > 1) throw new SavepointError('E_BAD_ADDRESS', `Commit prefix ${text} is ambiguous (${hits.length} saves match). Type more characters.`, { prefix: text.toLowerCase() });
        commit = hits[0] ?? null;
      }
      if (!commit) return null;
      const seq = cat.seqOf(commit);
      return seq !== null ? { seq, commit } : { seq: Number.MAX_SAFE_INTEGER, commit };
    });
  });
}

export { loadHistory };
