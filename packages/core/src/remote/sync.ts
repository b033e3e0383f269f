/**
 * push / fetch / pull against one remote. Push sends the history branch, Savepoint's tags and
 * refs/notes/savepoint in one receive-pack request; when the remote's notes moved on they are fetched and
 * merged first (a merge commit with both parents), never overwritten. Fetch brings branch, tags and notes
 * and merges the notes locally; pull also fast-forwards the history branch.
 */
import { readRewrites, rewrittenInto } from '../history/rewrites.js';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { NOTES_REF } from '../model/note.js';
import type { GitCtx } from '../history/git.js';
import { isValidRefName, refFile, readCommit, readTreeEntries, resolveRef, updateRef } from '../history/git.js';
import { updateIndexEntries } from '../history/git-index.js';
import { listRefs } from '../history/refs.js';
import { loadHistory } from '../history/versions.js';
import { readBlobToFile } from '../store/object-store.js';
import { trackTemp } from '../util/cleanup.js';
import { withLock } from '../util/lock.js';
import type { Vault } from '../vault.js';
import { historyBranchCheckedOut } from '../vault.js';
import { getRemote, syncGitRemote, trackingBranchRef, trackingNotesRef } from './config.js';
import { hasObject, isAncestor, objectsMissingOnRemote, peel } from './graph.js';
import { finishFetch } from './fetch-result.js';
import type { NotesMergeAction } from './notes-ref.js';
import type { RefAdvertisement } from './pkt-line.js';
import { updateRemoteState } from './state.js';
import { openTransport } from './transports.js';
import type { RemoteTransport } from './transports.js';
import { isS3Url } from './s3/url.js';
import type { FetchResult, PullResult, PushResult, RemoteOpOptions } from './sync-types.js';

export type { FetchResult, PullResult, PushResult, RemoteOpOptions };


const ZERO = '0'.repeat(40);

/** Point `ref` at `oid` whatever it held (tracking refs only). */
async function setRef(ctx: GitCtx, ref: string, oid: string): Promise<void> {
  const cur = await resolveRef(ctx, ref);
  if (cur !== oid) await updateRef(ctx, ref, oid, cur);
}

async function dropRef(ctx: GitCtx, ref: string): Promise<void> {
  await fsp.rm(refFile(ctx.gitdir, ref), { force: true });
}

// ------------------------------------------------------------------ fetch

/**
 * Download the remote's history branch, its notes and the tags on them into the object store (one pack,
 * indexed next to git's own). Tags already present here are never replaced (as git does); new ones are added.
 */
async function fetchObjects(vault: Vault, transport: RemoteTransport, adv: RefAdvertisement): Promise<void> {
  const wants = new Set<string>();
  const branchTip = adv.refs.get(`refs/heads/${vault.branch}`);
  const notesTip = adv.refs.get(NOTES_REF);
  for (const oid of [branchTip, notesTip]) if (oid && !(await hasObject(vault, oid))) wants.add(oid);
  // tags whose target we have (or are about to get via include-tag) but whose tag object we lack
  const tagRefs = [...adv.refs].filter(([r]) => r.startsWith('refs/tags/'));
  for (const [ref, oid] of tagRefs) {
    const target = adv.peeled.get(ref) ?? oid;
    if (!(await hasObject(vault, oid)) && (await hasObject(vault, target))) wants.add(oid);
  }
  const haves = new Set<string>();
  for (const prefix of ['refs/heads/', 'refs/notes/', 'refs/tags/', 'refs/remotes/']) for (const oid of (await listRefs(vault.gitdir, prefix)).values()) haves.add(oid);
  await transport.fetchObjects(vault.gitdir, [...wants], [...haves], adv);
  for (const [ref, oid] of tagRefs) {
    if (ref.endsWith('^{}') || !isValidRefName(ref.slice(10))) continue;
    if ((await resolveRef(vault, ref)) === null && (await hasObject(vault, oid))) {
      const target = await peel(vault, oid);
      if (target) await updateRef(vault, ref, oid, null);
    }
  }
}


async function fetchInto(vault: Vault, transport: RemoteTransport, name: string, adv: RefAdvertisement): Promise<FetchResult> {
  const tagsBefore = new Set((await listRefs(vault.gitdir, 'refs/tags/')).keys());
  await fetchObjects(vault, transport, adv);
  const branchRef = trackingBranchRef(name, vault.branch);
  const remoteBranch = adv.refs.get(`refs/heads/${vault.branch}`) ?? null;
  if (remoteBranch && (await hasObject(vault, remoteBranch))) await setRef(vault, branchRef, remoteBranch);
  else if (!remoteBranch) await dropRef(vault, branchRef);
  const remoteNotes = adv.refs.get(NOTES_REF) ?? null;
  if (remoteNotes && (await hasObject(vault, remoteNotes))) await setRef(vault, trackingNotesRef(name), remoteNotes);
  else if (!remoteNotes) await dropRef(vault, trackingNotesRef(name));
  return finishFetch(vault, name, transport.shownUrl, remoteBranch, remoteNotes, tagsBefore);
}

export async function fetchRemote(vault: Vault, opts: RemoteOpOptions): Promise<FetchResult> {
  const r = getRemote(vault, opts.remote);
  if (isS3Url(r.url)) return (await import('./s3/sync.js')).fetchS3(vault, opts); // issue 12 item 3
  await syncGitRemote(vault.gitdir, r.name, r.url);
  const transport = await openTransport(r.url, opts, r.name);
  try {
    const adv = await transport.discover('git-upload-pack');
    return await fetchInto(vault, transport, r.name, adv);
  } finally {
    await transport.close();
  }
}

// ------------------------------------------------------------------ push


function rejected(name: string, shownUrl: string, message: string, details: Record<string, unknown>): SavepointError {
  return new SavepointError('E_PUSH_REJECTED', message, { remote: name, url: shownUrl, ...details });
}

export async function pushRemote(vault: Vault, opts: RemoteOpOptions): Promise<PushResult> {
  const r = getRemote(vault, opts.remote);
  if (isS3Url(r.url)) return (await import('./s3/sync.js')).pushS3(vault, opts); // issue 12 item 3
  await syncGitRemote(vault.gitdir, r.name, r.url);
  const session = await openTransport(r.url, opts, r.name);
  try {
    return await pushWith(vault, r, session, opts);
  } finally {
    await session.close();
  }
}

async function pushWith(vault: Vault, r: { name: string }, session: RemoteTransport, opts: RemoteOpOptions): Promise<PushResult> {
  const branchRef = `refs/heads/${vault.branch}`;
  let lastReasons: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const adv = await session.discover('git-receive-pack');
    const local = await resolveRef(vault, branchRef);
    if (!local) throw new SavepointError('E_INVALID_ARGUMENT', `Nothing to push yet: the history branch "${vault.branch}" has no saves. Save a file first.`, { branch: vault.branch });
    const remoteTip = adv.refs.get(branchRef) ?? null;
    // the remote holds history that retention rewrote here: keep it there under a ref, then replace the branch
    let retained: string | null = null;
    if (remoteTip && remoteTip !== local && (await hasObject(vault, remoteTip)) && !(await isAncestor(vault, remoteTip, local))) {
      const ancestorOrSelf = async (a: string, b: string) => a === b || ((await hasObject(vault, a)) && (await hasObject(vault, b)) && (await isAncestor(vault, a, b)));
      if (await rewrittenInto(await readRewrites(vault), remoteTip, local, ancestorOrSelf)) {
        retained = `refs/savepoint/retained/${vault.branch}/${vault.clock().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${remoteTip.slice(0, 12)}`;
      }
    }
    if (remoteTip && remoteTip !== local && !retained) {
      const known = await hasObject(vault, remoteTip);
      if (!known || !(await isAncestor(vault, remoteTip, local))) {
        const behind = known && (await isAncestor(vault, local, remoteTip));
        throw rejected(
          r.name,
          session.shownUrl,
          behind || !known
            ? `Push to "${r.name}" was refused: the remote has saves on "${vault.branch}" that this vault does not have. Run \`savepoint pull ${r.name}\` first, then push again.`
            : `Push to "${r.name}" was refused: this vault's "${vault.branch}" and the remote's have diverged (both have saves the other lacks), so pushing would overwrite history. Keep this vault's saves elsewhere (e.g. \`savepoint clone\` the remote and save your files there), or push to a new remote.`,
          { reason: behind || !known ? 'behind' : 'diverged', branch: vault.branch },
        );
      }
    }
    // notes: when the remote's notes are not an ancestor of ours, fetch and merge them first
    let notesMerge: NotesMergeAction = 'none';
    const remoteNotes = adv.refs.get(NOTES_REF) ?? null;
    let localNotes = await resolveRef(vault, NOTES_REF);
    if (remoteNotes && remoteNotes !== localNotes && !((await hasObject(vault, remoteNotes)) && localNotes && (await isAncestor(vault, remoteNotes, localNotes)))) {
      const readAdv = await session.discover('git-upload-pack');
      const f = await fetchInto(vault, session, r.name, readAdv);
      notesMerge = f.notes.action;
      localNotes = await resolveRef(vault, NOTES_REF);
      if (readAdv.refs.get(NOTES_REF) !== remoteNotes) continue; // moved meanwhile: start over
    }
    // tags: only those on the history branch; an existing different tag is reported, never replaced
    const history = await loadHistory(vault);
    const onBranch = new Set(history.commits.map((c) => c.oid));
    const pushedTags: string[] = [];
    const conflicts: string[] = [];
    const updates: { ref: string; old: string; new: string }[] = [];
    for (const [ref, oid] of await listRefs(vault.gitdir, 'refs/tags/')) {
      const target = await peel(vault, oid);
      if (!target || !onBranch.has(target.commit)) continue;
      const theirs = adv.refs.get(ref);
      if (theirs === oid) continue;
      if (theirs) conflicts.push(ref.slice(10));
      else {
        updates.push({ ref, old: ZERO, new: oid });
        pushedTags.push(ref.slice(10));
      }
    }
    if (localNotes && remoteNotes !== localNotes) updates.unshift({ ref: NOTES_REF, old: remoteNotes ?? ZERO, new: localNotes });
    // the branch update carries the remote's current tip as its old value, so the server refuses it if the
    // branch moved meanwhile (a lease); the retained ref keeps the rewritten history reachable there
    if (remoteTip !== local) updates.unshift({ ref: branchRef, old: remoteTip ?? ZERO, new: local });
    if (retained && remoteTip) updates.push({ ref: retained, old: ZERO, new: remoteTip });
    let objects = 0;
    if (updates.length) {
      opts.onProgress?.({ phase: 'push: counting objects', loaded: 0, total: 0 });
      const oids = await objectsMissingOnRemote(vault, updates.map((u) => u.new), [...adv.refs.values()]);
      objects = oids.length;
      const report = await session.push(vault.gitdir, updates, oids, adv);
      const failed = report.refs.filter((x) => !x.ok);
      if (report.unpack !== 'ok' || failed.length || report.errors.length) {
        lastReasons = [...(report.unpack && report.unpack !== 'ok' ? [`unpack: ${report.unpack}`] : []), ...failed.map((x) => `${x.ref}: ${x.reason ?? 'rejected'}`), ...report.errors].map((t) => session.scrub(t));
        const retriable = failed.length > 0 && failed.every((x) => /fetch first|non-fast-forward|stale|lock|atomic/i.test(x.reason ?? ''));
        if (retriable) continue;
        throw rejected(r.name, session.shownUrl, `The remote "${r.name}" refused the push: ${lastReasons.join('; ')}. Nothing was overwritten; fix the cause on the server (e.g. disk full, hooks, permissions) and push again.`, { reasons: lastReasons });
      }
    }
    await setRef(vault, trackingBranchRef(r.name, vault.branch), local);
    if (localNotes) await setRef(vault, trackingNotesRef(r.name), localNotes);
    const now = vault.clock().toISOString();
    await updateRemoteState(vault.gitdir, r.name, { lastPush: now, lastSeen: now });
    return {
      remote: r.name,
      url: session.shownUrl,
      status: updates.length ? 'pushed' : 'up-to-date',
      branch: { ref: branchRef, from: remoteTip, to: local, ...(retained ? { retained } : {}) },
      notes: { from: remoteNotes, to: localNotes, merged: notesMerge },
      tags: { pushed: pushedTags, conflicts },
      objects,
    };
  }
  throw rejected(r.name, session.shownUrl, `The remote "${r.name}" kept changing while pushing (${lastReasons.join('; ') || 'notes moved'}). Try again in a moment.`, { reasons: lastReasons });
}

// ------------------------------------------------------------------ pull


async function flattenTree(ctx: GitCtx, tree: string | null, prefix = '', out = new Map<string, { oid: string; mode: string }>()): Promise<Map<string, { oid: string; mode: string }>> {
  if (!tree) return out;
  for (const e of await readTreeEntries(ctx, tree)) {
    if (e.type === 'tree') await flattenTree(ctx, e.oid, `${prefix}${e.path}/`, out);
    else if (e.type === 'blob') out.set(`${prefix}${e.path}`, { oid: e.oid, mode: e.mode });
  }
  return out;
}

/** The git blob id of a working file, streamed. */
async function gitBlobIdOfFile(file: string): Promise<string | null> {
  const st = await fsp.lstat(file).catch(() => null);
  if (!st || !st.isFile()) return null;
  const h = createHash('sha1').update(`blob ${st.size}\0`);
  await new Promise<void>((resolve, reject) => {
    createReadStream(file).on('data', (d) => h.update(d)).on('end', () => resolve()).on('error', reject);
  });
  return h.digest('hex');
}

/** Write blob `oid` to vault path `rel` through a temp file + rename. */
async function writeWorkingFile(vault: Vault, rel: string, oid: string, mode: string): Promise<void> {
  const abs = path.join(vault.dir, ...rel.split('/'));
  await fsp.mkdir(path.dirname(abs), { recursive: true });
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.savepoint-pull-${process.pid}`);
  const untrack = trackTemp(tmp);
  try {
    await readBlobToFile(vault.gitdir, oid, tmp);
    await fsp.chmod(tmp, mode === '100755' ? 0o755 : 0o644);
    await fsp.rename(tmp, abs);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  } finally {
    untrack();
  }
}

export async function pullRemote(vault: Vault, opts: RemoteOpOptions): Promise<PullResult> {
  const fetched = await fetchRemote(vault, opts);
  const theirs = await resolveRef(vault, trackingBranchRef(opts.remote, vault.branch));
  const base = { ...fetched, updatedFiles: [] as string[], keptFiles: [] as string[] };
  if (!theirs) return { ...base, status: 'no-remote-branch', from: await resolveRef(vault, `refs/heads/${vault.branch}`), to: null };
  return withLock(vault.gitdir, 'pull', async () => {
    const ours = await resolveRef(vault, `refs/heads/${vault.branch}`);
    if (ours === theirs) return { ...base, status: 'up-to-date' as const, from: ours, to: ours };
    if (ours && (await isAncestor(vault, theirs, ours))) return { ...base, status: 'ahead' as const, from: ours, to: ours };
    if (ours && !(await isAncestor(vault, ours, theirs))) {
      throw new SavepointError(
        'E_HISTORY_DIVERGED',
        `This vault and remote "${opts.remote}" both have saves on "${vault.branch}" that the other lacks, so Savepoint cannot simply move forward (that would drop saves). Nothing was changed. To keep both, clone the remote into a new folder (\`savepoint clone URL DIR\`) and save your newer files there.`,
        { remote: opts.remote, branch: vault.branch, local: ours, remoteTip: theirs },
      );
    }
    const checkedOut = await historyBranchCheckedOut(vault);
    const updated: string[] = [];
    const kept: string[] = [];
    if (checkedOut) {
      const before = await flattenTree(vault, ours ? (await readCommit(vault, ours)).tree : null);
      const after = await flattenTree(vault, (await readCommit(vault, theirs)).tree);
      const indexUpdates: { path: string; oid: string; mode: number }[] = [];
      for (const [rel, next] of after) {
        const prev = before.get(rel);
        if (prev && prev.oid === next.oid) continue;
        const current = await gitBlobIdOfFile(path.join(vault.dir, ...rel.split('/')));
        if (current === next.oid) {
          // already has the pulled content
        } else if (current === null ? !(await fsp.lstat(path.join(vault.dir, ...rel.split('/'))).catch(() => null)) : current === prev?.oid) {
          await writeWorkingFile(vault, rel, next.oid, next.mode);
          updated.push(rel);
        } else {
          kept.push(rel);
        }
        indexUpdates.push({ path: rel, oid: next.oid, mode: Number.parseInt(next.mode, 8) });
      }
      await updateRef(vault, `refs/heads/${vault.branch}`, theirs, ours);
      if (indexUpdates.length) await updateIndexEntries(vault.dir, vault.gitdir, indexUpdates.filter((u) => !kept.includes(u.path)));
    } else {
      await updateRef(vault, `refs/heads/${vault.branch}`, theirs, ours);
    }
    return { ...base, status: 'fast-forward' as const, from: ours, to: theirs, updatedFiles: updated, keptFiles: kept };
  });
}
