/**
 * Retention rewrites Savepoint's own history branch. Each rewrite is recorded (old tip → new tip) so a
 * push can tell "the remote holds history we rewrote" (safe to replace, after keeping the old tip on the
 * remote under refs/savepoint/retained/) from a real divergence (refused).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Vault } from '../vault.js';
import { writeFileAtomic } from '../util/atomic.js';

export interface Rewrite {
  branch: string;
  from: string;
  to: string;
  at: string;
}

function file(vault: Vault): string {
  return path.join(vault.gitdir, 'savepoint', 'rewrites.json');
}

export async function readRewrites(vault: Vault): Promise<Rewrite[]> {
  try {
    return (JSON.parse(await fsp.readFile(file(vault), 'utf8')) as Rewrite[]).filter((r) => r.branch === vault.branch);
  } catch {
    return [];
  }
}

/** Record a rewrite before the branch moves (a record without the move is harmless: push never needs it). */
export async function recordRewrite(vault: Vault, from: string, to: string): Promise<void> {
  let all: Rewrite[] = [];
  try {
    all = JSON.parse(await fsp.readFile(file(vault), 'utf8')) as Rewrite[];
  } catch {
    all = [];
  }
  if (all.some((r) => r.branch === vault.branch && r.from === from && r.to === to)) return;
  all.push({ branch: vault.branch, from, to, at: vault.clock().toISOString() });
  await writeFileAtomic(file(vault), JSON.stringify(all, null, 2));
}

/**
 * True when `remoteTip` is history that retention rewrote into (an ancestor of) `local`: following recorded
 * rewrites from an old tip at or after `remoteTip` leads to a new tip at or before `local`.
 */
export async function rewrittenInto(
  rewrites: Rewrite[],
  remoteTip: string,
  local: string,
  isAncestorOrSelf: (a: string, b: string) => Promise<boolean>,
): Promise<boolean> {
  let frontier = [remoteTip];
  const used = new Set<Rewrite>();
  for (let round = 0; round <= rewrites.length && frontier.length; round++) {
    const next: string[] = [];
    for (const r of rewrites) {
      if (used.has(r)) continue;
      let reaches = false;
      for (const s of frontier) if (await isAncestorOrSelf(s, r.from)) reaches = true;
      if (!reaches) continue;
      used.add(r);
      if (await isAncestorOrSelf(r.to, local)) return true;
      next.push(r.to);
    }
    frontier = next;
  }
  return false;
}
