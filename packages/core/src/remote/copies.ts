/**
 * How many copies of every version exist and where: the local vault, archives, and each remote whose
 * tracking refs (recorded at the last push/fetch) contain the save — the 3-2-1 check (3 copies, 2 media,
 * 1 off-site). Reads no network unless `refresh` is set. The counting itself is pure (computeCopies).
 */
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { loadHistory } from '../history/versions.js';
import { resolveRef, updateRef } from '../history/git.js';
import type { Vault } from '../vault.js';
import { listRemotes, trackingBranchRef } from './config.js';
import { hasObject, reachableCommits } from './graph.js';
import { readPushQueue } from './queue.js';
import type { QueueEntry } from './queue.js';
import { readRemoteStates, updateRemoteState } from './state.js';
import { openTransport } from './transports.js';
import { isS3Url } from './s3/url.js';
import type { TransportOptions } from './transport.js';

export interface CopyLocation {
  kind: 'local' | 'archive' | 'remote';
  name: string;
  media: string;
  offsite: boolean;
}

export interface VersionCopies {
  path: string;
  version: number;
  commit: string;
  copies: number;
  media: number;
  offsite: boolean;
  /** 3 copies, on 2 kinds of media, 1 off-site */
  ok321: boolean;
  locations: CopyLocation[];
}

export interface CopySource {
  location: CopyLocation;
  /** does this source hold the version? */
  holds(v: { commit: string; archive?: string | undefined }): boolean;
}

/** Pure: count copies per version from the available sources. */
export function computeCopies(versions: { path: string; version: number; commit: string; archive?: string | undefined }[], sources: CopySource[]): VersionCopies[] {
  return versions.map((v) => {
    const locations = sources.filter((s) => s.holds(v)).map((s) => s.location);
    const media = new Set(locations.map((l) => l.media)).size;
    const offsite = locations.some((l) => l.offsite);
    return { path: v.path, version: v.version, commit: v.commit, copies: locations.length, media, offsite, ok321: locations.length >= 3 && media >= 2 && offsite, locations };
  });
}

export interface RemoteCopyInfo {
  name: string;
  url: string;
  media: string;
  offsite: boolean;
  /** the remote's history tip as last recorded (null: never pushed/fetched) */
  tip: string | null;
  lastPush?: string;
  lastFetch?: string;
  lastSeen?: string;
  queued?: QueueEntry;
  /** --refresh only: why the remote could not be asked */
  refreshError?: { code: string; message: string };
}

export interface CopiesSummary {
  versions: number;
  ok321: number;
  singleCopy: number;
  withOffsite: number;
  minCopies: number;
}

export interface CopiesReport {
  versions: VersionCopies[];
  remotes: RemoteCopyInfo[];
  queue: QueueEntry[];
  summary: CopiesSummary;
}

export interface CopiesOptions extends TransportOptions {
  /** ask every remote for its current refs first (network) */
  refresh?: boolean;
}

export const LOCAL_MEDIA = 'local-disk';

/**
 * The commits a remote's recorded tip holds. A tip on our history branch holds exactly the branch's commits up to
 * it (`commits` is the branch's first-parent chain, oldest first, from the catalog): no object is read, where
 * walking the commit graph once per remote made `status --copies` grow faster than the history (issue 17 item 6).
 * Any other tip (the remote is ahead, or kept the history from before a retention rewrite) is walked.
 */
async function commitsUpTo(vault: Vault, commits: readonly { oid: string }[], position: Map<string, number>, tip: string): Promise<Set<string>> {
  const at = position.get(tip);
  if (at === undefined) return reachableCommits(vault, [tip]);
  const out = new Set<string>();
  for (let i = 0; i <= at; i++) out.add(commits[i]!.oid);
  return out;
}

export async function copiesStatus(vault: Vault, opts: CopiesOptions = {}): Promise<CopiesReport> {
  const history = await loadHistory(vault);
  const onBranch = new Set(history.commits.map((c) => c.oid));
  const position = new Map(history.commits.map((c, i) => [c.oid, i]));
  const queue = (await readPushQueue(vault.gitdir)).entries;
  const remotes: RemoteCopyInfo[] = [];
  const sources: CopySource[] = [
    { location: { kind: 'local', name: 'this vault', media: LOCAL_MEDIA, offsite: false }, holds: (v) => !v.archive && onBranch.has(v.commit) },
  ];
  const archiveAbs = path.resolve(vault.dir, vault.config.archiveLocation);
  const archiveInside = !path.relative(vault.dir, archiveAbs).startsWith('..');
  sources.push({ location: { kind: 'archive', name: vault.config.archiveLocation, media: archiveInside ? LOCAL_MEDIA : 'archive-location', offsite: false }, holds: (v) => !!v.archive });
  for (const r of listRemotes(vault)) {
    const ref = trackingBranchRef(r.name, vault.branch);
    let refreshError: RemoteCopyInfo['refreshError'];
    if (opts.refresh) {
      try {
        // issue 12: an s3:// remote's refs come from its bucket's manifest; the others go through a transport
        let adv: Awaited<ReturnType<Awaited<ReturnType<typeof openTransport>>['discover']>>;
        if (isS3Url(r.url)) {
          const s3 = await import('./s3/sync.js');
          adv = await s3.s3Advertisement(s3.s3Settings(vault, r.name), { key: opts.key, name: r.name });
        } else {
          const t = await openTransport(r.url, opts, r.name);
          adv = await t.discover('git-upload-pack').finally(() => t.close());
        }
        const tip = adv.refs.get(`refs/heads/${vault.branch}`);
        const cur = await resolveRef(vault, ref);
        if (tip && tip !== cur && (await hasObject(vault, tip))) await updateRef(vault, ref, tip, cur);
        await updateRemoteState(vault.gitdir, r.name, { lastSeen: vault.clock().toISOString() });
      } catch (e) {
        if (!(e instanceof SavepointError)) throw e;
        refreshError = { code: e.code, message: e.message };
      }
    }
    const tip = await resolveRef(vault, ref);
    const commits = tip ? await commitsUpTo(vault, history.commits, position, tip) : new Set<string>();
    const state = (await readRemoteStates(vault.gitdir))[r.name] ?? {};
    const queued = queue.find((q) => q.remote === r.name);
    remotes.push({ name: r.name, url: r.url, media: r.media, offsite: r.offsite, tip, ...state, ...(queued ? { queued } : {}), ...(refreshError ? { refreshError } : {}) });
    sources.push({ location: { kind: 'remote', name: r.name, media: r.media, offsite: r.offsite }, holds: (v) => commits.has(v.commit) });
  }
  const versions = computeCopies(history.versions, sources);
  const summary: CopiesSummary = {
    versions: versions.length,
    ok321: versions.filter((v) => v.ok321).length,
    singleCopy: versions.filter((v) => v.copies <= 1).length,
    withOffsite: versions.filter((v) => v.offsite).length,
    minCopies: versions.length ? Math.min(...versions.map((v) => v.copies)) : 0,
  };
  return { versions, remotes, queue, summary };
}
