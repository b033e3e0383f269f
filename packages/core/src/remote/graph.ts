/** Commit-graph questions answered from the local object store (no network). */
import type { GitCtx } from '../history/git.js';
import { readCommit, readTreeEntries } from '../history/git.js';
import { parseTag, readObject } from '../history/objects.js';
import { hasObject as storeHasObject } from '../store/reader.js';

export async function hasObject(ctx: GitCtx, oid: string): Promise<boolean> {
  return storeHasObject(ctx.gitdir, oid);
}

/** Follow annotated tags to the commit; null when an object is missing locally. */
export async function peel(ctx: GitCtx, oid: string): Promise<{ commit: string; tags: string[] } | null> {
  const tags: string[] = [];
  let cur = oid;
  for (let depth = 0; depth < 10; depth++) {
    let obj;
    try {
      obj = await readObject(ctx.gitdir, cur);
    } catch {
      return null;
    }
    if (obj.type === 'commit') return { commit: cur, tags };
    if (obj.type !== 'tag') return null;
    tags.push(cur);
    cur = parseTag(obj.data).object;
  }
  return null;
}

/** Every commit reachable from `tips` (commits missing locally are skipped). */
export async function reachableCommits(ctx: GitCtx, tips: Iterable<string>, into = new Set<string>()): Promise<Set<string>> {
  const stack = [...tips];
  while (stack.length) {
    const oid = stack.pop()!;
    if (into.has(oid)) continue;
    let commit;
    try {
      commit = await readCommit(ctx, oid);
    } catch {
      continue;
    }
    into.add(oid);
    for (const p of commit.parent) if (!into.has(p)) stack.push(p);
  }
  return into;
}

/** Is `ancestor` reachable from `descendant` (or equal)? */
export async function isAncestor(ctx: GitCtx, ancestor: string, descendant: string): Promise<boolean> {
  if (ancestor === descendant) return true;
  const seen = new Set<string>();
  const stack = [descendant];
  while (stack.length) {
    const oid = stack.pop()!;
    if (oid === ancestor) return true;
    if (seen.has(oid)) continue;
    seen.add(oid);
    try {
      stack.push(...(await readCommit(ctx, oid)).parent);
    } catch {
      // missing locally: that line cannot prove anything
    }
  }
  return false;
}

/** All tree and blob ids under `tree` (trees already in `into` are not descended). */
async function collectTree(ctx: GitCtx, tree: string, into: Set<string>, skip: Set<string>): Promise<void> {
  if (into.has(tree) || skip.has(tree)) return;
  into.add(tree);
  for (const e of await readTreeEntries(ctx, tree)) {
    if (e.type === 'tree') await collectTree(ctx, e.oid, into, skip);
    else if (e.type === 'blob' && !skip.has(e.oid)) into.add(e.oid);
  }
}

/**
 * The objects a remote that has `remoteTips` lacks to get `localTips` (commits, trees, blobs, tag objects):
 * git's "edge" logic: commits not reachable from the remote's tips, and their trees minus the trees of the
 * boundary commits the remote already has.
 */
export async function objectsMissingOnRemote(ctx: GitCtx, localTips: string[], remoteTips: string[]): Promise<string[]> {
  const remoteCommits = new Set<string>();
  const remoteStarts: string[] = [];
  for (const t of remoteTips) {
    const p = await peel(ctx, t);
    if (p) remoteStarts.push(p.commit);
  }
  await reachableCommits(ctx, remoteStarts, remoteCommits);
  const out = new Set<string>();
  const newCommits: string[] = [];
  const edges = new Set<string>();
  const seen = new Set<string>();
  const stack: string[] = [];
  for (const t of localTips) {
    const p = await peel(ctx, t);
    if (!p) continue;
    for (const tag of p.tags) if (!remoteTips.includes(tag)) out.add(tag);
    stack.push(p.commit);
  }
  while (stack.length) {
    const oid = stack.pop()!;
    if (seen.has(oid)) continue;
    seen.add(oid);
    if (remoteCommits.has(oid)) {
      edges.add(oid);
      continue;
    }
    const c = await readCommit(ctx, oid);
    newCommits.push(oid);
    out.add(oid);
    for (const p of c.parent) stack.push(p);
  }
  const have = new Set<string>();
  for (const e of edges) await collectTree(ctx, (await readCommit(ctx, e)).tree, have, new Set());
  const trees = new Set<string>();
  for (const oid of newCommits) await collectTree(ctx, (await readCommit(ctx, oid)).tree, trees, have);
  for (const o of trees) out.add(o);
  return [...out];
}
