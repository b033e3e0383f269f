/**
 * The retention planner: versions + policy + now → one decision per version (keep / archive / delete), the
 * rule that decided it, and the bytes an apply would free. Pure and deterministic: no I/O, no clock.
 *
 * Rules, checked per file (the first one that keeps a version is its reason; all of them are listed):
 * - latest         the newest version of every file is never removed
 * - permanent      saves made with `--keep permanent`
 * - tagged         versions with a tag (`sp/<path>/vN` or a user tag)
 * - unverified     pre-change / pre-restore snapshots (kind, or `--keep pre-change`) until their note is verified
 * - keep-days      `--keep days:N`: kept until N days after the save
 * - keep-last      the newest `keepLast` versions of the file
 * - keep-within    saved within `keepWithin` of now
 * - daily/weekly/monthly/yearly   the newest version in each of the last N periods (UTC days, ISO weeks,
 *                  months, years) that have a version of the file — restic's `--keep-daily` semantics
 * A live version no rule keeps is archived ("unprotected"), never deleted. `delete` is only ever planned for
 * versions already in an archive, and only when `expireArchivesAfter` is set and the archive is that old.
 * Versions already archived otherwise stay where they are ("archived").
 */
import type { SaveKind } from '../model/note.js';
import type { VersionStatus } from '../model/version.js';
import type { RetentionPolicy } from './policy.js';
import { parseDuration, validatePolicy } from './policy.js';

export interface PlanVersion {
  path: string;
  version: number;
  savedAt: string;
  /** bytes of content (-1 when unknown) */
  size: number;
  tags: string[];
  kind: SaveKind;
  keep?: string;
  status: VersionStatus;
  /** git blob id; versions sharing a blob free its bytes only when all of them go */
  blob?: string;
  commit?: string;
  /** set for versions already in an archive */
  archive?: string;
  /** when that archive was written */
  archivedAt?: string;
}

export type RetentionAction = 'keep' | 'archive' | 'delete';

export type RetentionRule =
  | 'latest'
  | 'permanent'
  | 'tagged'
  | 'unverified'
  | 'keep-days'
  | 'keep-last'
  | 'keep-within'
  | 'daily'
  | 'weekly'
  | 'monthly'
  | 'yearly'
  | 'unprotected'
  | 'archived'
  | 'archive-expired';

export interface RetentionDecision {
  path: string;
  version: number;
  savedAt: string;
  size: number;
  commit?: string;
  blob?: string;
  archive?: string;
  action: RetentionAction;
  /** the rule that decided (for keep: the first rule that keeps it) */
  rule: RetentionRule;
  /** every rule that keeps the version (empty for archive/delete) */
  rules: RetentionRule[];
  /** one sentence for people */
  reason: string;
  /** for versions kept only by time-bound rules: when the last of them runs out */
  keptUntil?: string;
  /** bytes this decision frees from the repository (0 when another kept version shares the blob) */
  bytesFreed: number;
}

export interface RetentionPlan {
  now: string;
  policy: RetentionPolicy;
  /** sorted by path, then version */
  decisions: RetentionDecision[];
  counts: Record<RetentionAction, number>;
  /** bytes leaving the repository (archive) or the archives (delete) */
  bytesFreed: number;
}

const DAY = 86_400_000;

function periodKey(kind: 'daily' | 'weekly' | 'monthly' | 'yearly', ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() + 1;
  if (kind === 'yearly') return String(y);
  if (kind === 'monthly') return `${y}-${mo}`;
  if (kind === 'daily') return `${y}-${mo}-${d.getUTCDate()}`;
  // ISO week: the Thursday of this week decides the year
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = Date.UTC(y, d.getUTCMonth(), d.getUTCDate() - day + 3);
  const ty = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(ty, 0, 1)) / (7 * DAY)) + 1;
  return `${ty}-W${week}`;
}

function timeOf(v: PlanVersion): number {
  const t = Date.parse(v.savedAt);
  return Number.isNaN(t) ? 0 : t;
}

const RULE_TEXT: Record<RetentionRule, string> = {
  latest: 'latest version of the file (never removed)',
  permanent: 'marked permanent',
  tagged: 'tagged',
  unverified: 'pre-change/pre-restore snapshot not verified yet',
  'keep-days': 'kept by its own days:N hint',
  'keep-last': 'among the newest versions (keep-last)',
  'keep-within': 'saved within the keep-within window',
  daily: 'newest of its day (daily)',
  weekly: 'newest of its week (weekly)',
  monthly: 'newest of its month (monthly)',
  yearly: 'newest of its year (yearly)',
  unprotected: 'no rule keeps it',
  archived: 'already archived',
  'archive-expired': 'its archive is older than expireArchivesAfter',
};

export function describeRule(rule: RetentionRule): string {
  return RULE_TEXT[rule];
}

/** Plan retention for `versions` under `policy` at time `now`. */
export function planRetention(versions: readonly PlanVersion[], policy: RetentionPolicy, now: Date): RetentionPlan {
  validatePolicy(policy);
  const nowMs = now.getTime();
  const withinMs = policy.keepWithin !== undefined ? parseDuration(policy.keepWithin) : null;
  const expireMs = policy.expireArchivesAfter !== undefined ? parseDuration(policy.expireArchivesAfter) : null;

  // one record per path@version (duplicates, e.g. a version listed twice, are planned once)
  const unique = new Map<string, PlanVersion>();
  for (const v of versions) {
    const key = `${v.path}\0${v.version}`;
    const prev = unique.get(key);
    // a live copy wins over an archived one: it is what the repository holds
    if (!prev || (prev.archive && !v.archive)) unique.set(key, v);
  }
  const byPath = new Map<string, PlanVersion[]>();
  for (const v of unique.values()) {
    if (!byPath.has(v.path)) byPath.set(v.path, []);
    byPath.get(v.path)!.push(v);
  }

  const decisions: RetentionDecision[] = [];
  for (const path of [...byPath.keys()].sort()) {
    const all = byPath.get(path)!.sort((a, b) => a.version - b.version);
    const live = all.filter((v) => !v.archive);
    // newest first for the count-based rules
    const newestFirst = [...live].reverse();
    const latest = all[all.length - 1]!;
    const lastN = new Set(newestFirst.slice(0, policy.keepLast));
    const gfs = new Map<PlanVersion, RetentionRule[]>();
    for (const kind of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
      const n = policy[kind];
      if (!n) continue;
      const seen = new Set<string>();
      for (const v of newestFirst) {
        const key = periodKey(kind, timeOf(v));
        if (seen.has(key)) continue;
        if (seen.size >= n) break;
        seen.add(key);
        if (!gfs.has(v)) gfs.set(v, []);
        gfs.get(v)!.push(kind);
      }
    }
    for (const v of all) {
      const base = { path: v.path, version: v.version, savedAt: v.savedAt, size: v.size, ...(v.commit ? { commit: v.commit } : {}), ...(v.blob ? { blob: v.blob } : {}), ...(v.archive ? { archive: v.archive } : {}) };
      if (v.archive) {
        const at = v.archivedAt ? Date.parse(v.archivedAt) : NaN;
        if (expireMs !== null && !Number.isNaN(at) && nowMs - at > expireMs && v !== latest) {
          decisions.push({ ...base, action: 'delete', rule: 'archive-expired', rules: [], reason: `${describeRule('archive-expired')} (archived ${v.archivedAt})`, bytesFreed: 0 });
        } else {
          decisions.push({ ...base, action: 'keep', rule: 'archived', rules: ['archived'], reason: `${describeRule('archived')} in ${v.archive}`, bytesFreed: 0 });
        }
        continue;
      }
      const rules: RetentionRule[] = [];
      const until: number[] = [];
      let timeless = false;
      const keepBy = (rule: RetentionRule, end?: number) => {
        rules.push(rule);
        if (end === undefined) timeless = true;
        else until.push(end);
      };
      const t = timeOf(v);
      if (v === latest) keepBy('latest');
      if (v.keep === 'permanent') keepBy('permanent');
      if (v.tags.length > 0) keepBy('tagged');
      const snapshot = v.kind === 'pre-change' || v.kind === 'pre-restore' || v.keep === 'pre-change';
      if (snapshot && v.status !== 'verified') keepBy('unverified');
      const days = v.keep ? /^days:(\d+)$/.exec(v.keep) : null;
      if (days && t + Number(days[1]) * DAY > nowMs) keepBy('keep-days', t + Number(days[1]) * DAY);
      if (lastN.has(v)) keepBy('keep-last');
      if (withinMs !== null && nowMs - t <= withinMs) keepBy('keep-within', t + withinMs);
      for (const r of gfs.get(v) ?? []) keepBy(r);
      if (rules.length) {
        const d: RetentionDecision = { ...base, action: 'keep', rule: rules[0]!, rules, reason: describeRule(rules[0]!), bytesFreed: 0 };
        if (!timeless && until.length) d.keptUntil = new Date(Math.max(...until)).toISOString();
        decisions.push(d);
      } else {
        decisions.push({ ...base, action: 'archive', rule: 'unprotected', rules: [], reason: describeRule('unprotected'), bytesFreed: 0 });
      }
    }
  }

  // Bytes: a blob leaves the repository only when no kept live version shares it.
  const keptBlobs = new Set<string>();
  for (const d of decisions) if (d.action === 'keep' && !d.archive && d.blob) keptBlobs.add(d.blob);
  const counted = new Set<string>();
  let bytesFreed = 0;
  for (const d of decisions) {
    if (d.action === 'keep') continue;
    const key = d.blob ? `${d.archive ?? ''}\0${d.blob}` : `${d.path}\0${d.version}`;
    if ((d.blob && !d.archive && keptBlobs.has(d.blob)) || counted.has(key)) continue;
    counted.add(key);
    d.bytesFreed = Math.max(0, d.size);
    bytesFreed += d.bytesFreed;
  }
  const counts: Record<RetentionAction, number> = { keep: 0, archive: 0, delete: 0 };
  for (const d of decisions) counts[d.action]++;
  return { now: now.toISOString(), policy: { ...policy }, decisions, counts, bytesFreed };
}

export interface ExpiringVersion {
  path: string;
  version: number;
  savedAt: string;
  size: number;
  /** the rule keeping it today */
  keptBy: RetentionRule;
  /** when the time-bound rules keeping it run out (when known) */
  keptUntil?: string;
  /** what the plan at the end of the window would do with it */
  then: RetentionAction;
}

/**
 * Versions kept today that the same policy would archive (or delete) at `now + within` if nothing else
 * changed (no new saves, no verification). Pure.
 */
export function planExpiring(versions: readonly PlanVersion[], policy: RetentionPolicy, now: Date, within: string): { until: string; versions: ExpiringVersion[] } {
  const later = new Date(now.getTime() + parseDuration(within));
  const today = planRetention(versions, policy, now);
  const then = new Map(planRetention(versions, policy, later).decisions.map((d) => [`${d.path}\0${d.version}`, d]));
  const out: ExpiringVersion[] = [];
  for (const d of today.decisions) {
    if (d.action !== 'keep' || d.archive) continue;
    const future = then.get(`${d.path}\0${d.version}`)!;
    if (future.action === 'keep') continue;
    const e: ExpiringVersion = { path: d.path, version: d.version, savedAt: d.savedAt, size: d.size, keptBy: d.rule, then: future.action };
    if (d.keptUntil) e.keptUntil = d.keptUntil;
    out.push(e);
  }
  out.sort((a, b) => (a.keptUntil ?? '').localeCompare(b.keptUntil ?? '') || a.path.localeCompare(b.path) || a.version - b.version);
  return { until: later.toISOString(), versions: out };
}
