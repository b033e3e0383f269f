/**
 * Refs, trees, commits and tags for the history branch. Objects go through ./objects (direct, fast);
 * ref updates are written lock-file-and-rename like git, so a crash never leaves a half-written ref.
 * isomorphic-git is kept for what it is good at (transport, init, index fallback) and loaded lazily.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import type { Commit, Person, TreeEntry } from './objects.js';
import { parseTag, readCommitObject, readObject, readTree, serializeCommit, serializeTag, writeObject, writeTreeObject } from './objects.js';
import { listRefs, readRef } from './refs.js';
import { refFormatProblem, tagNameProblem } from '../model/ref-name.js';
import { updateTreeWith } from '../model/git-trees.js';
import type { TreeChange } from '../model/git-trees.js';

export type { TreeEntry } from './objects.js';
export type GitPerson = Person;

export interface GitCtx {
  gitdir: string;
  /** isomorphic-git object cache, shared for one operation */
  cache: object;
}

export async function resolveRef(ctx: GitCtx, ref: string): Promise<string | null> {
  return readRef(ctx.gitdir, ref);
}

/**
 * The file of a ref we are about to write or delete. Defence in depth (issue 19): whatever the callers
 * checked, a name that is not a valid git ref under refs/, or whose file would land outside .git/refs,
 * is refused here, so no configuration or remote can make Savepoint write elsewhere.
 */
export function refFile(gitdir: string, ref: string): string {
  const why = ref.startsWith('refs/') ? refFormatProblem(ref) : 'it is not under refs/';
  const refsDir = path.resolve(gitdir, 'refs');
  const file = path.resolve(gitdir, ...ref.split('/'));
  if (why || !file.startsWith(refsDir + path.sep)) {
    throw new SavepointError('E_INVALID_ARGUMENT', `Refusing to write the ref ${JSON.stringify(ref)}: ${why ?? 'it would be written outside .git/refs'}. Check the branch, tag and remote names in savepoint.json and on the command line.`, { ref });
  }
  return file;
}

/** Atomically point `ref` at `oid` (write ref.lock, rename), only if it still points at `expected`. */
export async function updateRef(ctx: GitCtx, ref: string, oid: string, expected: string | null): Promise<void> {
  const file = refFile(ctx.gitdir, ref);
  if (!/^[0-9a-f]{40}$/.test(oid)) throw new SavepointError('E_INTERNAL', `Refusing to point ${ref} at ${JSON.stringify(oid)}: not an object id.`, { ref });
  const current = await resolveRef(ctx, ref);
  if (current !== expected) {
    throw new SavepointError('E_LOCKED', `${ref} moved while Savepoint was writing (expected ${expected ?? 'nothing'}, found ${current}). Run the command again.`, { ref });
  }
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  const h = await fsp.open(lock, 'wx').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EEXIST') throw new SavepointError('E_LOCKED', `${lock} exists: another git process is updating ${ref}. Wait, or remove the lock file if none is running.`, { ref });
    throw e;
  });
  try {
    await h.writeFile(`${oid}\n`);
    await h.sync();
  } finally {
    await h.close();
  }
  await fsp.rename(lock, file);
}

export async function deleteRef(ctx: GitCtx, ref: string): Promise<void> {
  // loose ref only; a packed copy would need rewriting packed-refs, which git itself does on gc
  await fsp.rm(refFile(ctx.gitdir, ref), { force: true });
}

export async function readCommit(ctx: GitCtx, oid: string): Promise<Commit> {
  return readCommitObject(ctx.gitdir, oid);
}

export async function readTreeEntries(ctx: GitCtx, oid: string): Promise<TreeEntry[]> {
  return readTree(ctx.gitdir, oid);
}

export async function writeTree(ctx: GitCtx, entries: TreeEntry[]): Promise<string> {
  return writeTreeObject(ctx.gitdir, entries);
}

export async function writeBlobText(ctx: GitCtx, text: string): Promise<string> {
  return writeObject(ctx.gitdir, 'blob', Buffer.from(text, 'utf8'));
}

export async function readBlobText(ctx: GitCtx, oid: string): Promise<string> {
  const { type, data } = await readObject(ctx.gitdir, oid);
  if (type !== 'blob') throw new SavepointError('E_OBJECT_CORRUPT', `Object ${oid} is a ${type}, expected a blob.`, { oid });
  return data.toString('utf8');
}

/** Find the blob at `filepath` inside tree `treeOid`, or null. */
export async function blobAtPath(ctx: GitCtx, treeOid: string, filepath: string): Promise<string | null> {
  let tree = treeOid;
  const parts = filepath.split('/');
  for (let i = 0; i < parts.length; i++) {
    const entries = await readTreeEntries(ctx, tree);
    const e = entries.find((x) => x.path === parts[i]);
    if (!e) return null;
    if (i === parts.length - 1) return e.type === 'blob' ? e.oid : null;
    if (e.type !== 'tree') return null;
    tree = e.oid;
  }
  return null;
}

export type { TreeChange } from '../model/git-trees.js';

/** Write a new tree = `base` with `changes` applied (null removes). Only touched subtrees are rewritten. */
export async function updateTree(ctx: GitCtx, base: string | null, changes: Map<string, TreeChange>): Promise<string> {
  return updateTreeWith({ readTree: (oid) => readTreeEntries(ctx, oid), writeTree: (entries) => writeTree(ctx, entries) }, base, changes);
}

export async function writeCommit(
  ctx: GitCtx,
  input: { tree: string; parents: string[]; message: string; author: GitPerson },
): Promise<string> {
  const commit: Commit = { tree: input.tree, parent: input.parents, author: input.author, committer: input.author, message: input.message };
  return writeObject(ctx.gitdir, 'commit', serializeCommit(commit));
}

/** Walk first parents from `tip`, newest first, stopping when `stop(oid)` is true. */
export async function* firstParentWalk(ctx: GitCtx, tip: string | null, stop: (oid: string) => boolean) {
  let oid = tip;
  while (oid && !stop(oid)) {
    const commit = await readCommit(ctx, oid);
    yield { oid, commit };
    oid = commit.parent[0] ?? null;
  }
}

/** All tags (name → target commit), following annotated tags. */
export async function listTagTargets(ctx: GitCtx, known: Map<string, { ref: string; commit: string }>): Promise<Map<string, { ref: string; commit: string }>> {
  const refs = await listRefs(ctx.gitdir, 'refs/tags/');
  const out = new Map<string, { ref: string; commit: string }>();
  for (const [full, ref] of refs) {
    const name = full.slice('refs/tags/'.length);
    const cached = known.get(name);
    if (cached && cached.ref === ref) {
      out.set(name, cached);
      continue;
    }
    let target = ref;
    for (let depth = 0; depth < 5; depth++) {
      const obj = await readObject(ctx.gitdir, target).catch(() => null);
      if (!obj || obj.type !== 'tag') break;
      target = parseTag(obj.data).object;
    }
    out.set(name, { ref, commit: target });
  }
  return out;
}

export async function writeAnnotatedTag(
  ctx: GitCtx,
  input: { name: string; commit: string; message: string; tagger: GitPerson },
): Promise<string> {
  const oid = await writeObject(ctx.gitdir, 'tag', serializeTag({ object: input.commit, type: 'commit', tag: input.name, tagger: input.tagger, message: input.message }));
  await updateRef(ctx, `refs/tags/${input.name}`, oid, null);
  return oid;
}

/** Refuse (E_BAD_TAG_NAME, with the reason) a tag name git would refuse or read as another ref, e.g. a branch's name. */
export async function assertTagName(ctx: GitCtx, name: string): Promise<void> {
  const branches = [...(await listRefs(ctx.gitdir, 'refs/heads/')).keys()].map((r) => r.slice('refs/heads/'.length));
  const why = tagNameProblem(name, branches);
  if (why) {
    throw new SavepointError('E_BAD_TAG_NAME', `"${name}" cannot be a tag name: ${why}. Use a plain name such as "v1", "baseline" or "paper-2026" (no spaces, ~ ^ : ? * [ \\, "..", or leading "-").`, { tag: name, reason: why });
  }
}

/** A tag name git accepts (refs/tags/<name>, no leading "-") that is not ambiguous with HEAD or refs/…. */
export function isValidRefName(name: string): boolean {
  return tagNameProblem(name) === null;
}
