/**
 * Retention's prune (step 5 of apply.ts): archived blobs leave the object store only when they are loose and
 * unreachable from every ref, HEAD, reflog entry and index, of the repository and its worktrees.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseCommit, parseTag, parseTree, readObject } from '../history/objects.js';
import { listRefs } from '../history/refs.js';
import { looseObjectPath } from '../store/reader.js';
import type { Vault } from '../vault.js';

export interface PruneReport {
  /** loose archived blobs removed */
  objects: number;
  bytes: number;
  /** archived blobs kept because they are in a pack (run `git gc --prune=now` to drop them) */
  packed: number;
  /** archived blobs still reachable (another ref, a reflog, the index or another kept version) */
  reachable: number;
}

/** Every object id a ref, HEAD, reflog entry or index can reach is a root. */
async function collectRoots(gitdir: string): Promise<{ roots: Set<string>; indexes: Buffer[] }> {
  const roots = new Set<string>();
  for (const oid of (await listRefs(gitdir, 'refs/')).values()) roots.add(oid);
  const gitdirs = [gitdir];
  const wt = await fsp.readdir(path.join(gitdir, 'worktrees')).catch(() => [] as string[]);
  for (const w of wt) gitdirs.push(path.join(gitdir, 'worktrees', w));
  const indexes: Buffer[] = [];
  for (const g of gitdirs) {
    const head = (await fsp.readFile(path.join(g, 'HEAD'), 'utf8').catch(() => '')).trim();
    if (/^[0-9a-f]{40}$/.test(head)) roots.add(head);
    const idx = await fsp.readFile(path.join(g, 'index')).catch(() => null);
    if (idx) indexes.push(idx);
  }
  const walkLogs = async (dir: string): Promise<void> => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walkLogs(p);
      else if (e.isFile()) {
        for (const line of (await fsp.readFile(p, 'utf8').catch(() => '')).split('\n')) {
          const m = /^([0-9a-f]{40}) ([0-9a-f]{40}) /.exec(line);
          if (m) for (const oid of [m[1]!, m[2]!]) if (!/^0+$/.test(oid)) roots.add(oid);
        }
      }
    }
  };
  for (const g of gitdirs) await walkLogs(path.join(g, 'logs'));
  return { roots, indexes };
}

/** Blobs reachable from `roots` among `wanted`; throws when an object cannot be read (then nothing is pruned). */
async function reachableAmong(gitdir: string, roots: Set<string>, wanted: Set<string>): Promise<Set<string>> {
  const seen = new Set<string>();
  const hit = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const oid = stack.pop()!;
    if (seen.has(oid)) continue;
    seen.add(oid);
    if (wanted.has(oid)) {
      hit.add(oid);
      continue; // a blob: nothing below it
    }
    const { type, data } = await readObject(gitdir, oid);
    if (type === 'commit') {
      const c = parseCommit(data);
      stack.push(c.tree, ...c.parent);
    } else if (type === 'tag') stack.push(parseTag(data).object);
    else if (type === 'tree') {
      for (const e of parseTree(data)) {
        if (e.type === 'tree') stack.push(e.oid);
        else if (e.type === 'blob') {
          if (wanted.has(e.oid)) hit.add(e.oid);
          seen.add(e.oid);
        }
      }
    }
  }
  return hit;
}

/** Remove the loose copies of `candidates` nothing can reach any more; reports what it removed and kept. */
export async function pruneArchivedBlobs(vault: Vault, candidates: string[]): Promise<PruneReport> {
  const report: PruneReport = { objects: 0, bytes: 0, packed: 0, reachable: 0 };
  if (!candidates.length) return report;
  const wanted = new Set(candidates);
  const { roots, indexes } = await collectRoots(vault.gitdir);
  let reachable: Set<string>;
  try {
    reachable = await reachableAmong(vault.gitdir, roots, wanted);
  } catch {
    // an unreadable object means we cannot prove anything unreachable: keep everything
    report.reachable = candidates.length;
    return report;
  }
  for (const oid of wanted) {
    const bin = Buffer.from(oid, 'hex');
    if (reachable.has(oid) || indexes.some((b) => b.includes(bin))) {
      report.reachable++;
      continue;
    }
    const file = looseObjectPath(vault.gitdir, oid);
    const st = await fsp.stat(file).catch(() => null);
    if (!st) {
      report.packed++;
      continue;
    }
    await fsp.rm(file, { force: true });
    report.objects++;
    report.bytes += st.size;
  }
  return report;
}
