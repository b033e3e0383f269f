/**
 * Archive one version by hand (`savepoint archive data.csv@3`): a retention plan with exactly that version
 * marked archive, applied through the same crash-safe path as retention (retention/apply.ts). Never the latest version;
 * a tagged or `permanent` one only with `force`. The version stays listed and restorable from its archive.
 */
import { SavepointError } from '../errors.js';
import { loadHistory } from '../history/versions.js';
import { resolveVersion } from './query.js';
import type { VersionRecord } from '../model/version.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import { applyRetention, recoverRetention } from '../retention/apply.js';
import type { ApplyRetentionResult, VaultRetentionPlan } from '../retention/apply.js';
import { policyFromConfig } from '../retention/policy.js';

export interface ArchiveVersionOptions {
  address: string;
  cwd?: string;
  /** archive a tagged or `permanent` version too */
  force?: boolean;
  onProgress?: ProgressCallback;
}

export interface ArchiveVersionResult {
  path: string;
  version: number;
  /** `already-archived`: nothing to do (the version was in an archive before) */
  status: 'archived' | 'already-archived';
  archive?: string;
  plan: VaultRetentionPlan;
  result?: ApplyRetentionResult;
}

/** The one-version plan (pure): refuses the latest version, and tagged/permanent ones without `force`. */
export function planManualArchive(rec: VersionRecord, all: readonly VersionRecord[], base: { now: Date; branch: string; tip: string | null; notesTip: string | null; policy: VaultRetentionPlan['policy'] }, force: boolean): VaultRetentionPlan {
  const latest = all.filter((v) => v.path === rec.path).reduce((n, v) => Math.max(n, v.version), 0);
  if (rec.version === latest) {
    throw new SavepointError('E_VERSION_PROTECTED', `${rec.path}@${rec.version} is the latest version; Savepoint never archives the latest version of a file. Save a newer version first.`, { path: rec.path, version: rec.version, reason: 'latest' });
  }
  if (!force && rec.tags.length > 0) {
    throw new SavepointError('E_VERSION_PROTECTED', `${rec.path}@${rec.version} is tagged (${rec.tags.join(', ')}); tagged versions are kept in the history. Pass --force to archive it anyway (the tag keeps naming it).`, { path: rec.path, version: rec.version, reason: 'tagged', tags: rec.tags });
  }
  if (!force && rec.keep === 'permanent') {
    throw new SavepointError('E_VERSION_PROTECTED', `${rec.path}@${rec.version} is marked permanent; pass --force to archive it anyway.`, { path: rec.path, version: rec.version, reason: 'permanent' });
  }
  const shared = all.some((v) => v !== rec && !v.archive && v.blob === rec.blob);
  const bytes = shared ? 0 : Math.max(0, rec.size);
  return {
    now: base.now.toISOString(),
    policy: base.policy,
    decisions: [{ path: rec.path, version: rec.version, savedAt: rec.savedAt, size: rec.size, commit: rec.commit, blob: rec.blob, action: 'archive', rule: 'unprotected', rules: [], reason: 'archived by hand (savepoint archive)', bytesFreed: bytes }],
    counts: { keep: 0, archive: 1, delete: 0 },
    bytesFreed: bytes,
    branch: base.branch,
    tip: base.tip,
    notesTip: base.notesTip,
  };
}

export async function archiveVersion(vault: Vault, opts: ArchiveVersionOptions): Promise<ArchiveVersionResult> {
  await recoverRetention(vault);
  const history = await loadHistory(vault);
  const rec = await resolveVersion(vault, opts.address, opts.cwd, history);
  const base = { now: vault.clock(), branch: vault.branch, tip: history.tip, notesTip: history.notesTip, policy: policyFromConfig(vault.config) };
  if (rec.archive) {
    return { path: rec.path, version: rec.version, status: 'already-archived', archive: rec.archive, plan: { ...base, now: base.now.toISOString(), decisions: [], counts: { keep: 0, archive: 0, delete: 0 }, bytesFreed: 0 } };
  }
  const plan = planManualArchive(rec, history.versions, base, !!opts.force);
  const result = await applyRetention(vault, plan, { ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const after = (await loadHistory(vault)).versions.find((v) => v.path === rec.path && v.version === rec.version);
  return { path: rec.path, version: rec.version, status: 'archived', ...(after?.archive ? { archive: after.archive } : {}), plan, result };
}
