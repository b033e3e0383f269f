/** verify: re-hash every stored version and compare with its note; mark fully verified saves in the notes. */
import { SavepointError } from '../errors.js';
import { serializeNote } from '../model/note.js';
import type { SaveNote } from '../model/note.js';
import type { VersionRecord } from '../model/version.js';
import { readNotesMap, writeNotes } from '../history/notes.js';
import { readBlobText, resolveRef } from '../history/git.js';
import { NOTES_REF, parseNote } from '../model/note.js';
import { loadHistory } from '../history/versions.js';
import { digestBlobs } from '../store/digest-pool.js';
import { recorded } from '../health/record.js';
import { checkPacks, type PackCheck } from '../store/pack-check.js';
import { withLock } from '../util/lock.js';
import { verifyArchivedVersions } from '../retention/archive.js';
import { resolveVaultPath } from '../util/paths.js';
import type { ProgressCallback } from '../util/progress.js';
import type { Vault } from '../vault.js';
import type { VerifyItem, VerifyItemStatus } from '../model/verify-item.js';
import { personAt } from '../vault.js';

/** `unnoted`: the content matches its commit's sha256 trailer but the save has no checksum note (E_NOTE_MISSING). */
export type { VerifyItem, VerifyItemStatus };

export interface VerifyResult {
  verified: number;
  corrupted: number;
  missing: number;
  /** versions whose save has no checksum note (run `savepoint repair`) */
  unnoted: number;
  bytes: number;
  items: VerifyItem[];
  /** whole-pack checks (trailer and index checksums, index ↔ pack consistency, entry CRCs); whole-vault runs only */
  packs: PackCheck[];
  /**
   * Whether the verified status went into the notes: `recorded`, `up-to-date` (nothing new to record),
   * `off` (markNotes false) or `read-only` (the vault cannot be written; the results above still stand).
   */
  marks?: 'recorded' | 'up-to-date' | 'off' | 'read-only';
  /** `full` (sha256 + git SHA-1 + zlib checksums + whole packs) or `quick` (sha256 of each version only) */
  mode?: 'full' | 'quick';
  ok: boolean;
}

export interface VerifyOptions {
  path?: string;
  cwd?: string;
  onProgress?: ProgressCallback;
  /** check every pack as a whole too (default true; skipped when `path` narrows the run) */
  packs?: boolean;
  /** verify archived versions too (default true) */
  archives?: boolean;
  /**
   * sha256 of each version's content only (no git SHA-1, no zlib Adler-32, no whole-pack checks): proves
   * every version's content is what was saved; not that the storage framing and unused pack bytes are intact.
   * Anything that does not match is checked again in full.
   */
  quick?: boolean;
  /** worker threads hashing versions in parallel (default: one per core, at most 4; 1 = this thread) */
  workers?: number;
  /** write verified status into the notes (default true) */
  markNotes?: boolean;
  /** how archived versions are checked (default: retention/archive.ts unpacks and re-hashes each archive) */
  verifyArchived?: (vault: Vault, versions: VersionRecord[]) => Promise<VerifyItem[]>;
  /** stop early (the TUI's Esc): rejects with the signal's reason, writes no verified marks and records no health entry */
  signal?: AbortSignal;
}

/** Verify, and record the outcome (and the damaged versions found) in the health record (health/). */
export async function verify(vault: Vault, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const trace: { scope?: string } = {};
  opts.signal?.throwIfAborted();
  return recorded(vault, 'verify', () => verifyVersions(vault, opts, trace), (r) => {
    // a run the user cancelled is not a verify that failed
    if (!r && opts.signal?.aborted) return null;
    if (!r) return {};
    const bad = r.items.filter((i) => i.status !== 'verified');
    return {
      ok: r.ok,
      ...(r.ok ? {} : { error: { code: 'E_VERIFY_FAILED', message: `${r.corrupted} corrupted and ${r.missing} missing version${r.corrupted + r.missing === 1 ? '' : 's'}` } }),
      details: { ...(trace.scope !== undefined ? { scope: trace.scope } : {}), verified: r.verified, corrupted: r.corrupted, missing: r.missing, bad: bad.slice(0, 50).map((i) => ({ path: i.path, version: i.version, status: i.status })) },
    };
  });
}

async function verifyVersions(vault: Vault, opts: VerifyOptions, trace: { scope?: string }): Promise<VerifyResult> {
  const history = await loadHistory(vault);
  let versions = history.versions;
  if (opts.path !== undefined) {
    const rel = await resolveVaultPath(vault.dir, opts.cwd ?? vault.dir, opts.path);
    trace.scope = rel;
    versions = versions.filter((v) => v.path === rel);
    if (versions.length === 0) throw new SavepointError('E_NOT_TRACKED', `${opts.path} has no saved versions to verify.`, { path: rel });
  }
  const live = versions.filter((v) => !v.archive);
  const archived = versions.filter((v) => v.archive);
  const total = live.reduce((n, v) => n + Math.max(v.size, 0), 0);
  const items: VerifyItem[] = [];
  const byBlob = new Map<string, { sha256: string; size: number; damaged?: Array<{ location: string; message: string }> } | { error: SavepointError }>();
  let bytes = 0;
  // every distinct stored blob is hashed once, on every core (store/digest-pool.ts)
  const jobs = live.filter((v) => v.blob).map((v) => ({ oid: v.blob, size: Math.max(v.size, 0) }));
  const quick = !!opts.quick;
  const signal = opts.signal;
  signal?.throwIfAborted();
  // the notes are re-read (below) while the workers hash: this thread is otherwise idle then
  const notesCheck = damagedNotes(vault, live);
  notesCheck.catch(() => undefined); // awaited after the hashing; a failure must not go unhandled before then
  const outcomes = await digestBlobs(vault.gitdir, jobs, {
    quick,
    ...(signal ? { signal } : {}),
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.onProgress ? { onProgress: (loaded: number) => opts.onProgress!({ phase: 'verify', loaded, total }) } : {}),
  });
  const expected = new Map(live.map((v) => [v.blob, v.sha256]));
  for (const [oid, o] of outcomes) {
    // --quick hashed sha256 only: anything but a match is read again with every check, so the report (which
    // copy is damaged, whether an intact one exists) is the same as a full verify's
    // (likewise a blob split over two threads whose sha256 is unexpected: read again on one thread)
    let got = o;
    const unexpected = o.digest?.sha256 !== expected.get(oid);
    if ((quick && (o.error || unexpected)) || (o.split && unexpected)) got = (await digestBlobs(vault.gitdir, [{ oid, size: 0 }], { workers: 1 })).get(oid)!;
    if (got.digest) {
      byBlob.set(oid, { sha256: got.digest.sha256, size: got.digest.size, ...(got.damaged ? { damaged: got.damaged } : {}) });
      bytes += got.digest.size;
    } else byBlob.set(oid, { error: got.error! });
  }
  for (const v of live) {
    const got = v.blob ? byBlob.get(v.blob)! : { error: new SavepointError('E_OBJECT_MISSING', `${v.path}@${v.version} is not in the save commit's tree.`, {}) };
    const base = { path: v.path, version: v.version, commit: v.commit, expected: v.sha256 };
    if ('error' in got) {
      items.push({ ...base, status: got.error.code === 'E_OBJECT_MISSING' ? 'missing' : 'corrupted', code: got.error.code, message: got.error.message });
    } else if (got.sha256 !== v.sha256 || (v.size >= 0 && got.size !== v.size)) {
      items.push({ ...base, status: 'corrupted', code: 'E_CHECKSUM_MISMATCH', actual: got.sha256, message: `content hashes to ${got.sha256}, the ${v.noteMissing ? 'commit trailer' : 'note'} says ${v.sha256}` });
    } else if (v.noteMissing) {
      // the content is intact, but nothing records its size, md5 or status: a problem to fix, not a pass
      items.push({ ...base, status: 'unnoted', actual: got.sha256, code: 'E_NOTE_MISSING', message: `no checksum note for commit ${v.commit.slice(0, 12)} (refs/notes/savepoint is missing or lacks this save; content matches the commit's sha256 trailer). Rebuild the notes with: savepoint repair` });
    } else {
      items.push({ ...base, status: 'verified', actual: got.sha256, ...(got.damaged ? { damagedCopies: got.damaged } : {}) });
    }
  }
  // --- damaged notes (issue 13 item 3): see damagedNotes
  const noteDamage = await notesCheck;
  for (const [i, item] of items.entries()) {
    const why = noteDamage.get(item.commit);
    if (why === undefined || item.status !== 'verified') continue;
    items[i] = { ...item, status: 'unnoted', code: 'E_OBJECT_CORRUPT', message: `the checksum note of commit ${item.commit.slice(0, 12)} is damaged (${why}); the content matches the sha256 recorded before. Rebuild the note with: savepoint repair` };
  }
  // ---
  if (archived.length && opts.archives !== false) {
    if (opts.verifyArchived) items.push(...(await opts.verifyArchived(vault, archived)));
    else items.push(...(await verifyArchivedVersions(vault, archived, opts.onProgress, signal)));
  }
  signal?.throwIfAborted();
  // --- packs (issue 19 item 13): a damaged pack is reported by name even when every version still reads
  const packs = opts.packs !== false && !quick && opts.path === undefined ? await checkPacks(vault.gitdir, { ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }) : [];
  // ---
  const count = (s: VerifyItemStatus) => items.filter((i) => i.status === s).length;
  const result: VerifyResult = { verified: count('verified'), corrupted: count('corrupted'), missing: count('missing'), unnoted: count('unnoted'), bytes, items, packs, mode: quick ? 'quick' : 'full', ok: false };
  result.ok = result.corrupted === 0 && result.missing === 0 && result.unnoted === 0 && packs.every((p) => p.ok) && !items.some((i) => i.damagedCopies);
  result.marks = 'off';
  if (opts.markNotes !== false) {
    try {
      result.marks = (await markVerified(vault, items, history.commits)) ? 'recorded' : 'up-to-date';
    } catch (e) {
      // read-only media (issue 19 item 4): report what was checked, say it could not be recorded
      if (!(e instanceof SavepointError && e.code === 'E_READ_ONLY')) throw e;
      result.marks = 'read-only';
    }
  }
  vault.events.emit('verify', { verified: result.verified, corrupted: result.corrupted, missing: result.missing });
  return result;
}

/**
 * The history cache may hold a note parsed before its blob was damaged, so each live save's note is read
 * again from the object store; returns the commits whose note no longer reads, with the reason.
 */
async function damagedNotes(vault: Vault, live: VersionRecord[]): Promise<Map<string, string>> {
  const noteBlobs = await readNotesMap(vault, await resolveRef(vault, NOTES_REF));
  const noteDamage = new Map<string, string>();
  for (const c of new Set(live.map((v) => v.commit))) {
    const blob = noteBlobs.get(c);
    if (!blob) continue;
    try {
      await parseNote(await readBlobText(vault, blob), c);
    } catch (e) {
      noteDamage.set(c, e instanceof Error ? e.message : String(e));
    }
  }
  return noteDamage;
}

/** A save's note becomes `verified` when every file it holds verified. Returns whether any note changed. */
async function markVerified(vault: Vault, items: VerifyItem[], seen: Array<{ oid: string; note?: SaveNote | null }>): Promise<boolean> {
  const okByCommit = new Map<string, boolean>();
  for (const i of items) if (!i.archive) okByCommit.set(i.commit, (okByCommit.get(i.commit) ?? true) && i.status === 'verified');
  // nothing new to record: no lock, no write (so verifying again works on read-only media)
  if (!seen.some((c) => c.note && okByCommit.get(c.oid) && c.note.status !== 'verified')) return false;
  return withLock(vault.gitdir, 'verify', async () => {
    const history = await loadHistory(vault);
    const now = vault.clock();
    const updates = new Map<string, string>();
    for (const c of history.commits) {
      if (!c.note || !okByCommit.get(c.oid) || c.note.status === 'verified') continue;
      const note: SaveNote = { ...c.note, status: 'verified', verifiedAt: now.toISOString(), verifiedBy: vault.author.name };
      updates.set(c.oid, serializeNote(note));
    }
    if (updates.size) await writeNotes(vault, updates, personAt(vault.author, now), "Notes updated by 'savepoint verify'");
    return updates.size > 0;
  });
}
