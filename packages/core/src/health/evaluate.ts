/**
 * evaluateAlerts: gather what holds now (health record, push queue, disk space, clock), plan the events
 * against the stored incidents (pure, alerts.ts), deliver them, and put back what could not be sent.
 * Never throws: alerting must not break the operation that triggered it.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadHistory } from '../history/versions.js';
import { listRemotes } from '../remote/config.js';
import { readPushQueue } from '../remote/queue.js';
import type { QueueEntry } from '../remote/queue.js';
import { parseDuration } from '../retention/policy.js';
import type { Vault } from '../vault.js';
import { activeConditions, isBackupFailure, markUndelivered, planAlerts } from './alerts.js';
import type { AlertEvent, AlertObservations } from './alerts.js';
import { deliverEvent } from './deliver.js';
import type { ChannelResult } from './deliver.js';
import { readHealthState, updateHealthState } from './store.js';
import type { HealthState } from './state.js';

export interface EvaluateAlertsOptions {
  /** the wall clock (default: real time); tests inject one */
  now?: () => Date;
}

export interface AlertDelivery {
  event: AlertEvent;
  channels: ChannelResult[];
}

export interface EvaluateAlertsResult {
  /** false when the vault has no alert command or webhook configured */
  configured: boolean;
  /** the incidents open after this evaluation */
  firing: { key: string; alert: string; subject?: string; since: string; message: string }[];
  sent: AlertDelivery[];
}

async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await fsp.statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** When a vault has no save recorded yet (older vault), its newest version's savedAt stands in. */
async function lastSaveAt(vault: Vault, state: HealthState): Promise<string | null> {
  const recorded = state.ops.save?.lastSuccess?.startedAt;
  if (recorded) return recorded;
  try {
    const h = await loadHistory(vault);
    return h.versions.reduce<string | null>((m, v) => (m === null || v.savedAt > m ? v.savedAt : m), null);
  } catch {
    return null;
  }
}

/** Everything alerts look at, read now. */
export async function observeAlerts(vault: Vault, state: HealthState, queue: QueueEntry[], now: Date): Promise<AlertObservations> {
  const cfg = vault.config.alerts ?? {};
  const failingFiles: AlertObservations['failingFiles'] = [];
  for (const [p, f] of Object.entries(state.failingFiles)) {
    if (!isBackupFailure(f.error.code)) continue;
    // a file that is gone for good cannot keep an alert open
    if (!(await fsp.stat(path.join(vault.dir, p)).catch(() => null))) continue;
    failingFiles.push({ path: p, since: f.since, attempts: f.attempts, error: f.error });
  }
  const configured = new Set(listRemotes(vault).map((r) => r.name));
  const failingRemotes = new Map<string, AlertObservations['failingRemotes'][number]>();
  for (const [name, r] of Object.entries(state.remotes)) {
    if (!r.ok && configured.has(name)) failingRemotes.set(name, { remote: name, since: r.since ?? r.lastAttempt, error: r.error ?? { code: 'E_INTERNAL', message: '' }, queued: false });
  }
  for (const q of queue) {
    if (!configured.has(q.remote)) continue;
    failingRemotes.set(q.remote, { remote: q.remote, since: q.since, error: q.lastError, queued: true });
  }
  const obs: AlertObservations = { now: now.toISOString(), failingFiles, badVersions: state.badVersions, failingRemotes: [...failingRemotes.values()] };
  if (cfg.staleAfter) obs.stale = { lastSaveAt: await lastSaveAt(vault, state), staleAfter: cfg.staleAfter, staleAfterMs: parseDuration(cfg.staleAfter) };
  if (cfg.minFreeBytes !== undefined) {
    const free = await freeBytes(vault.gitdir);
    if (free !== null) obs.disk = { freeBytes: free, minFreeBytes: cfg.minFreeBytes };
  }
  return obs;
}

export async function evaluateAlerts(vault: Vault, opts: EvaluateAlertsOptions = {}): Promise<EvaluateAlertsResult> {
  const cfg = vault.config.alerts;
  const configured = !!(cfg && (cfg.command || cfg.webhook));
  const result: EvaluateAlertsResult = { configured, firing: [], sent: [] };
  if (!configured) return result;
  try {
    const now = (opts.now ?? (() => new Date()))();
    const queue = (await readPushQueue(vault.gitdir)).entries;
    const obs = await observeAlerts(vault, await readHealthState(vault.gitdir), queue, now);
    let events: AlertEvent[] = [];
    // plan under the health lock so two processes never announce the same incident twice
    const stored = await updateHealthState(vault.gitdir, (s) => {
      const planned = planAlerts(s.alerts, activeConditions({ ...obs, badVersions: s.badVersions }), obs.now);
      events = planned.events;
      return { ...s, alerts: planned.next };
    });
    // a read-only vault cannot remember incidents: stay silent rather than repeat an alert on every run
    if (!stored) return result;
    result.firing = Object.values(stored.alerts.incidents).map((i) => ({ key: i.key, alert: i.alert, ...(i.subject !== undefined ? { subject: i.subject } : {}), since: i.since, message: i.message }));
    if (!events.length) return result;
    const host = os.hostname();
    for (const event of events) {
      const channels = await deliverEvent({ ...event, vault: vault.dir, host }, { command: cfg!.command, webhook: cfg!.webhook }, vault.dir);
      result.sent.push({ event, channels });
    }
    const undelivered = result.sent.filter((d) => d.channels.every((c) => !c.ok)).map((d) => d.event);
    const failed = result.sent.flatMap((d) => d.channels.filter((c) => !c.ok).map((c) => ({ channel: c.channel, message: c.error ?? '' })));
    if (undelivered.length || failed.length) {
      await updateHealthState(vault.gitdir, (s) => ({
        ...s,
        alerts: { ...markUndelivered(s.alerts, undelivered), ...(failed.length ? { lastDeliveryError: { at: obs.now, ...failed[failed.length - 1]! } } : {}) },
      }));
    }
  } catch {
    // alerting is best effort: the operation that triggered it already succeeded or failed on its own
  }
  return result;
}
