/**
 * isomorphic-git access for the browser side: a repository context (injected fs, dir, gitdir, cache), error
 * mapping to our codes, refs, trees, tags and notes. No node: modules here or in anything imported from here.
 */
import git from 'isomorphic-git';
import type { FsClient } from 'isomorphic-git';
import { SavepointError } from '../errors.js';
import { readNotesTree } from '../model/git-trees.js';
import type { TreeEntry, TreeIO } from '../model/git-trees.js';

export interface BrowserRepoOptions {
  /** any fs isomorphic-git accepts: a LightningFS instance, its `.promises`, memfs, … */
  fs: FsClient;
  /** working-tree folder inside `fs` */
  dir: string;
  /** defaults to `${dir}/.git` */
  gitdir?: string;
  /** isomorphic-git object cache; pass the same object across calls to reuse parsed packs */
  cache?: object;
}

export interface Ctx {
  fs: FsClient;
  dir: string;
  gitdir: string;
  cache: object;
}

export function ctxOf(o: BrowserRepoOptions): Ctx {
  const dir = o.dir.replace(/\/+$/, '') || '/';
  return { fs: o.fs, dir, gitdir: o.gitdir ?? `${dir === '/' ? '' : dir}/.git`, cache: o.cache ?? {} };
}

export function isNotFound(e: unknown): boolean {
  return !!e && typeof e === 'object' && ((e as { code?: string }).code === 'NotFoundError' || (e as { code?: string }).code === 'ENOENT');
}

/** Wrap isomorphic-git read failures (missing objects, SHA-1 mismatches, bad zlib) in our codes. */
export function objectError(e: unknown, what: string, details: Record<string, unknown>): SavepointError {
  if (e instanceof SavepointError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (isNotFound(e)) {
    return new SavepointError('E_OBJECT_MISSING', `Git object missing while ${what}: ${msg}. The copy of the repository is incomplete; fetch or copy it again.`, details, { cause: e });
  }
  return new SavepointError('E_OBJECT_CORRUPT', `Git object unreadable while ${what}: ${msg}. The copy of the repository is damaged; fetch or copy it again.`, details, { cause: e });
}

export async function tryResolve(c: Ctx, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, ref });
  } catch (e) {
    if (isNotFound(e)) return null;
    throw objectError(e, `resolving ${ref}`, { ref });
  }
}

/** The history branch: `savepoint` when it exists (a vault inside a code repo), else `main`. */
export async function defaultBranch(c: Ctx): Promise<string> {
  return (await tryResolve(c, 'refs/heads/savepoint')) ? 'savepoint' : 'main';
}

/** The shared tree algorithms (model/git-trees.ts) over isomorphic-git. */
export function treeIO(c: Ctx): TreeIO {
  return {
    async readTree(oid) {
      try {
        return (await git.readTree({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid, cache: c.cache })).tree as TreeEntry[];
      } catch (e) {
        throw objectError(e, `reading the tree ${oid}`, { oid });
      }
    },
    async writeTree(entries) {
      return git.writeTree({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, tree: entries });
    },
  };
}

/** Blob oid at `path` in `tree`, or null. */
export async function blobAtPath(c: Ctx, tree: string, path: string): Promise<string | null> {
  const slash = path.lastIndexOf('/');
  const parent = slash < 0 ? undefined : path.slice(0, slash);
  const name = path.slice(slash + 1);
  try {
    const t = await git.readTree({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid: tree, cache: c.cache, ...(parent !== undefined ? { filepath: parent } : {}) });
    const e = t.tree.find((x) => x.path === name);
    return e && e.type === 'blob' ? e.oid : null;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw objectError(e, `reading the tree of ${path}`, { tree, path });
  }
}

/** The tree of a commit. */
export async function commitTree(c: Ctx, oid: string): Promise<string> {
  try {
    return (await git.readCommit({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid, cache: c.cache })).commit.tree;
  } catch (e) {
    throw objectError(e, `reading commit ${oid}`, { commit: oid });
  }
}

/** commit oid → note blob oid, from a notes commit whose tree has any fanout. */
export async function readNotesMap(c: Ctx, notesCommit: string | null): Promise<Map<string, string>> {
  if (!notesCommit) return new Map();
  return readNotesTree(treeIO(c), await commitTree(c, notesCommit));
}

/** Tag name → commit, peeling annotated tags. */
export async function readTags(c: Ctx): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const names = await git.listTags({ fs: c.fs, dir: c.dir, gitdir: c.gitdir });
  for (const name of names) {
    let target = await tryResolve(c, `refs/tags/${name}`);
    if (!target) continue;
    for (let depth = 0; depth < 5; depth++) {
      let obj;
      try {
        obj = await git.readObject({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid: target, cache: c.cache, format: 'parsed' });
      } catch {
        break; // a tag on a missing object names nothing we can show
      }
      if (obj.type !== 'tag') break;
      target = (obj.object as { object: string }).object;
    }
    out.set(name, target);
  }
  return out;
}

const textDecoder = new TextDecoder();

export async function readBlobText(c: Ctx, oid: string): Promise<string> {
  const { blob } = await git.readBlob({ fs: c.fs, dir: c.dir, gitdir: c.gitdir, oid, cache: c.cache });
  return textDecoder.decode(blob);
}

function hex(buf: ArrayBuffer): string {
  let s = '';
  for (const b of new Uint8Array(buf)) s += b.toString(16).padStart(2, '0');
  return s;
}

/** sha256 of `bytes` as lowercase hex, via Web Crypto. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new SavepointError('E_INTERNAL', 'Web Crypto (crypto.subtle) is not available here; it needs a secure context (https or localhost) in browsers, or Node 20+.', {});
  }
  return hex(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}
