/**
 * Tree algorithms shared by the Node object store and the browser (isomorphic-git): updating a tree with
 * changed paths, and reading and writing the checksum-notes tree. Pure: objects are read and written through
 * an injected TreeIO, so each side brings its own storage.
 */

export interface TreeEntry {
  /** '100644', '100755', '120000', '040000' (trees), '160000' (submodules) */
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

export interface TreeIO {
  readTree(oid: string): Promise<TreeEntry[]>;
  /** write a tree object (the writer sorts the entries as git does) and return its id */
  writeTree(entries: TreeEntry[]): Promise<string>;
}

/** A path's new content, or null to remove it. */
export type TreeChange = { oid: string; mode: string } | null;

/** Write a new tree = `base` with `changes` applied (null removes). Only touched subtrees are rewritten. */
export async function updateTreeWith(io: TreeIO, base: string | null, changes: Map<string, TreeChange>): Promise<string> {
  const entries = base ? [...(await io.readTree(base))] : [];
  const direct = new Map<string, TreeChange>();
  const nested = new Map<string, Map<string, TreeChange>>();
  for (const [p, change] of changes) {
    const slash = p.indexOf('/');
    if (slash === -1) direct.set(p, change);
    else {
      const head = p.slice(0, slash);
      if (!nested.has(head)) nested.set(head, new Map());
      nested.get(head)!.set(p.slice(slash + 1), change);
    }
  }
  const byName = new Map(entries.map((e) => [e.path, e]));
  for (const [name, change] of direct) {
    if (change === null) byName.delete(name);
    else byName.set(name, { mode: change.mode, path: name, oid: change.oid, type: 'blob' });
  }
  for (const [name, sub] of nested) {
    const existing = byName.get(name);
    const subBase = existing && existing.type === 'tree' ? existing.oid : null;
    const oid = await updateTreeWith(io, subBase, sub);
    const subEntries = await io.readTree(oid);
    if (subEntries.length === 0) byName.delete(name);
    else byName.set(name, { mode: '040000', path: name, oid, type: 'tree' });
  }
  return io.writeTree([...byName.values()]);
}

/** commit oid → note blob oid, from a notes tree of any fanout native git may write (flat, ab/cdef…, ab/cd/ef…). */
export async function readNotesTree(io: TreeIO, root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (treeOid: string, prefix: string): Promise<void> => {
    for (const e of await io.readTree(treeOid)) {
      const name = prefix + e.path;
      if (e.type === 'tree' && /^[0-9a-f]+$/.test(e.path) && name.length < 40) await walk(e.oid, name);
      else if (e.type === 'blob' && /^[0-9a-f]{40}$/.test(name)) out.set(name, e.oid);
    }
  };
  await walk(root, '');
  return out;
}

/** A notes tree in our 2/38 fanout (`ab/cdef…`) holding exactly `notes` (commit → note blob). */
export async function writeNotesFanout(io: TreeIO, notes: Map<string, string>): Promise<string> {
  const dirs = new Map<string, TreeEntry[]>();
  for (const [commit, blob] of notes) {
    const d = commit.slice(0, 2);
    if (!dirs.has(d)) dirs.set(d, []);
    dirs.get(d)!.push({ mode: '100644', path: commit.slice(2), oid: blob, type: 'blob' });
  }
  const root: TreeEntry[] = [];
  for (const [d, entries] of dirs) root.push({ mode: '040000', path: d, oid: await io.writeTree(entries), type: 'tree' });
  return io.writeTree(root);
}

/**
 * The notes tree `root` (null: none yet) with `blobs` (commit → note blob) added or replaced, in 2/38 fanout.
 * A tree already in that fanout has only the touched subtrees rewritten; a flat or deeper fanout (native git)
 * is rebuilt whole.
 */
export async function addNotesToTree(io: TreeIO, root: string | null, blobs: Map<string, string>): Promise<string> {
  const rootEntries = root ? await io.readTree(root) : [];
  const simpleFanout = rootEntries.every((e) => e.type === 'tree' && /^[0-9a-f]{2}$/.test(e.path));
  if (!simpleFanout) {
    const all = await readNotesTree(io, root!);
    for (const [c, b] of blobs) all.set(c, b);
    return writeNotesFanout(io, all);
  }
  const byRoot = new Map(rootEntries.map((e) => [e.path, e]));
  const byDir = new Map<string, Map<string, string>>();
  for (const [commit, blob] of blobs) {
    const d = commit.slice(0, 2);
    if (!byDir.has(d)) byDir.set(d, new Map());
    byDir.get(d)!.set(commit.slice(2), blob);
  }
  for (const [d, files] of byDir) {
    const existing = byRoot.get(d);
    const entries = new Map<string, TreeEntry>();
    if (existing) {
      for (const e of await io.readTree(existing.oid)) {
        if (e.type === 'tree') {
          // a deeper fanout under this dir: flatten it into 38-char names
          const stack: [string, string][] = [[e.oid, e.path]];
          while (stack.length) {
            const [oid, prefix] = stack.pop()!;
            for (const sub of await io.readTree(oid)) {
              if (sub.type === 'tree') stack.push([sub.oid, prefix + sub.path]);
              else entries.set(prefix + sub.path, { ...sub, path: prefix + sub.path });
            }
          }
        } else entries.set(e.path, e);
      }
    }
    for (const [name, blob] of files) entries.set(name, { mode: '100644', path: name, oid: blob, type: 'blob' });
    const oid = await io.writeTree([...entries.values()]);
    byRoot.set(d, { mode: '040000', path: d, oid, type: 'tree' });
  }
  return io.writeTree([...byRoot.values()]);
}
