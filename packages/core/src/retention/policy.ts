/** Retention policies: durations, the policy shape, and the policy a vault's savepoint.json describes. Pure. */
import { SavepointError } from '../errors.js';
import type { VaultConfig } from '../model/config.js';

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  m: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/** "30d", "12h", "8w", "6m" (30 days each), "1y" (365 days) → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})([hdwmy])$/.exec(text.trim());
  if (!m) {
    throw new SavepointError('E_INVALID_ARGUMENT', `"${text}" is not a duration. Use a number and a unit: 12h, 30d, 8w, 6m (months of 30 days) or 1y.`, { duration: text });
  }
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export interface RetentionPolicy {
  /** keep the newest N versions of every file */
  keepLast: number;
  /** keep every version saved within this duration of `now` ("30d") */
  keepWithin?: string;
  /** keep the newest version of each of the last N days / ISO weeks / months / years that have versions */
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  /**
   * Delete archives older than this duration ("365d"). Off unless set: deleting is the only step that
   * loses data, so it is never a default. Live versions are never deleted, only archived.
   */
  expireArchivesAfter?: string;
}

/** Flags a user can pass to override (parts of) the configured policy. */
export type RetentionOverrides = Partial<RetentionPolicy>;

/**
 * The policy of a vault: `retention.*` from savepoint.json, `keepLast` falling back to `maxVersions`.
 * Overrides (CLI flags) replace the configured value of the rules they name.
 */
export function policyFromConfig(config: VaultConfig, overrides: RetentionOverrides = {}): RetentionPolicy {
  const r = config.retention;
  const policy: RetentionPolicy = { keepLast: overrides.keepLast ?? r.keepLast ?? config.maxVersions };
  const keepWithin = overrides.keepWithin ?? r.keepWithin;
  if (keepWithin !== undefined) policy.keepWithin = keepWithin;
  for (const k of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
    const v = overrides[k] ?? r[k];
    if (v !== undefined) policy[k] = v;
  }
  const expire = overrides.expireArchivesAfter ?? r.expireArchivesAfter;
  if (expire !== undefined) policy.expireArchivesAfter = expire;
  validatePolicy(policy);
  return policy;
}

export function validatePolicy(p: RetentionPolicy): void {
  if (!Number.isInteger(p.keepLast) || p.keepLast < 1) {
    throw new SavepointError('E_INVALID_ARGUMENT', `keep-last must be a whole number of at least 1 (got ${p.keepLast}); the latest version of every file is always kept.`, { keepLast: p.keepLast });
  }
  for (const k of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
    const v = p[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new SavepointError('E_INVALID_ARGUMENT', `--${k} must be a whole number of 0 or more (got ${v}).`, { [k]: v });
    }
  }
  if (p.keepWithin !== undefined) parseDuration(p.keepWithin);
  if (p.expireArchivesAfter !== undefined) parseDuration(p.expireArchivesAfter);
}
