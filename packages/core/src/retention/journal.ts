/**
 * Retention's journal and recovery (step 4 of apply.ts): the ref moves of a run are written down before the first
 * one is made, so a run stopped at any point (kill -9, power loss) is finished by the next one, and then pruned.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { resolveRef, updateRef } from '../history/git.js';
import { recordRewrite } from '../history/rewrites.js';
import { NOTES_REF } from '../model/note.js';
import { writeFileAtomic } from '../util/atomic.js';
import { withLock } from '../util/lock.js';
import type { Vault } from '../vault.js';
import { pruneArchivedBlobs } from './prune.js';
import type { PruneReport } from './prune.js';

export type ApplyStep = 'archives-written' | 'objects-written' | 'index-written' | 'journal-written' | 'notes-added' | 'branch-moved' | 'tags-moved' | 'notes-cleaned' | 'pruned';

type OnStep = (step: ApplyStep) => void | Promise<void>;

export interface RefMove {
  ref: string;
  from: string | null;
  to: string;
}

export interface Journal {
  schema: 1;
  createdAt: string;
  moves: RefMove[];
  /** archived blobs to prune once every move is made */
  prune: string[];
}

export interface JournalRun {
  completed: boolean;
  prune: PruneReport;
  warnings: string[];
}

function journalFile(vault: Vault): string {
  return path.join(vault.gitdir, 'savepoint', 'retention-journal.json');
}

async function readJournal(vault: Vault): Promise<Journal | null> {
  try {
    return JSON.parse(await fsp.readFile(journalFile(vault), 'utf8')) as Journal;
  } catch {
    return null;
  }
}

export async function writeJournal(vault: Vault, j: Journal): Promise<void> {
  await writeFileAtomic(journalFile(vault), JSON.stringify(j));
}

/** Apply an interrupted run's journal: finish its ref moves, then prune. Returns what it did (null: nothing to do). */
export async function recoverRetention(vault: Vault, onStep?: OnStep): Promise<JournalRun | null> {
  const j = await readJournal(vault);
  return j && withLock(vault.gitdir, 'retention', () => runJournal(vault, j, onStep));
}

/** recoverRetention for a caller that already holds the vault lock (applyRetention). */
export async function recoverRetentionHeld(vault: Vault, onStep?: OnStep): Promise<JournalRun | null> {
  const j = await readJournal(vault);
  return j && runJournal(vault, j, onStep);
}

/** Make the journal's ref moves (each only from the state it expects), then prune; removes the journal. */
export async function runJournal(vault: Vault, j: Journal, onStep?: OnStep): Promise<JournalRun> {
  const warnings: string[] = [];
  const noPrune: PruneReport = { objects: 0, bytes: 0, packed: 0, reachable: j.prune.length };
  for (const [i, m] of j.moves.entries()) {
    const cur = await resolveRef(vault, m.ref);
    if (cur === m.to) continue;
    // a ref moved twice (the notes): already past this move when it sits at a later move's state
    if (j.moves.slice(i + 1).some((x) => x.ref === m.ref && (x.from === cur || x.to === cur))) continue;
    if (cur !== m.from) {
      // something else moved this ref since the journal was written: stop, prune nothing (always safe)
      warnings.push(`${m.ref} moved during an interrupted retention run (expected ${m.from ?? 'nothing'}, found ${cur ?? 'nothing'}); the run was not finished and nothing was pruned. Run \`savepoint retention apply\` again.`);
      await fsp.rm(journalFile(vault), { force: true });
      return { completed: false, prune: noPrune, warnings };
    }
    if (m.ref === `refs/heads/${vault.branch}` && m.from && m.to) await recordRewrite(vault, m.from, m.to);
    await updateRef(vault, m.ref, m.to, m.from);
    await onStep?.(moveStep(j, i));
  }
  const prune = await pruneArchivedBlobs(vault, j.prune);
  await onStep?.('pruned');
  await fsp.rm(journalFile(vault), { force: true });
  return { completed: true, prune, warnings };
}

/** The step name reported after move `i`: notes-added, branch-moved, tags-moved (after the last tag), notes-cleaned. */
function moveStep(j: Journal, i: number): ApplyStep {
  const m = j.moves[i]!;
  if (m.ref === NOTES_REF) return i === 0 ? 'notes-added' : 'notes-cleaned';
  if (m.ref.startsWith('refs/tags/')) return 'tags-moved';
  return 'branch-moved';
}
