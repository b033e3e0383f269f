/**
 * The header's status at a glance, as pure text: last save ("2 min ago"), verify state, queued pushes
 * and the 3-2-1 verdict. Every state carries a word or mark (✓ / ✗), never colour alone (NO_COLOR).
 */
import type { CopiesSummary } from '@savepoint/core';

/** "just now", "5 s ago" is noise: under a minute is "just now"; then min, h, d; a month on, the date. */
export function timeAgo(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const s = Math.floor((now.getTime() - ms) / 1000);
  if (s < 60) return 'just now';
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  if (d < 31) return `${d} d ago`;
  return new Date(ms).toISOString().slice(0, 10);
}

export type VerifyGlance = { phase: 'never' } | { phase: 'running' } | { phase: 'done'; ok: boolean; at: string };

export interface GlanceInput {
  now: Date;
  /** newest savedAt over all versions */
  lastSaveAt: string | undefined;
  verify: VerifyGlance;
  /** pushes waiting for a retry (push queue) */
  queued: number | null;
  /** null while the copies report loads */
  copies: CopiesSummary | null;
}

export type GlanceTone = 'ok' | 'warn' | 'bad' | 'muted';
export interface GlancePart {
  text: string;
  tone: GlanceTone;
}

export function verdict321(s: CopiesSummary): GlancePart {
  if (s.versions === 0) return { text: '3-2-1 –', tone: 'muted' };
  if (s.ok321 === s.versions) return { text: `3-2-1 ✓ ${s.ok321}/${s.versions}`, tone: 'ok' };
  return { text: `3-2-1 ✗ ${s.ok321}/${s.versions}`, tone: s.withOffsite > 0 ? 'warn' : 'bad' };
}

export function glanceParts(g: GlanceInput): GlancePart[] {
  const parts: GlancePart[] = [{ text: g.lastSaveAt ? `saved ${timeAgo(g.lastSaveAt, g.now)}` : 'never saved', tone: 'muted' }];
  const v = g.verify;
  parts.push(
    v.phase === 'never' ? { text: 'verify –', tone: 'muted' }
    : v.phase === 'running' ? { text: 'verify …', tone: 'muted' }
    : v.ok ? { text: `verify ✓ ${timeAgo(v.at, g.now)}`, tone: 'ok' }
    : { text: `verify ✗ FAILED ${timeAgo(v.at, g.now)}`, tone: 'bad' },
  );
  if (g.queued !== null) parts.push(g.queued > 0 ? { text: `${g.queued} push${g.queued === 1 ? '' : 'es'} queued`, tone: 'warn' } : { text: '0 queued', tone: 'muted' });
  if (g.copies) parts.push(verdict321(g.copies));
  return parts;
}
