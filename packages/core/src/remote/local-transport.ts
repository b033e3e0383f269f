/**
 * Local-path remotes (issue 12 item 1): a plain bare git repository on a mounted disk (`/media/usb/lab.git`
 * or `file:///…`), read and written by us — no git binary, no server. Created on first push (`git init
 * --bare` layout, built in a temp folder beside it and renamed into place). A push copies the missing
 * objects into a new pack (fsynced, renamed in), then moves each ref with a lock file and compare-and-swap,
 * so a crash leaves the previous refs and at worst an unreferenced pack. Native git reads the result.
 * A path whose parent folder is missing (an unmounted disk) is E_REMOTE_NOT_MOUNTED and changes nothing.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { readRef, listRefs } from '../history/refs.js';
import { readCommit, readTreeEntries, updateRef } from '../history/git.js';
import type { GitCtx } from '../history/git.js';
import { parseTag, readObject } from '../history/objects.js';
import { hasObject } from '../store/reader.js';
import { fsyncDir } from '../store/pack-writer.js';
import { copyObjects } from './pack-io.js';
import type { ReceivePackReport, RefAdvertisement } from './pkt-line.js';
import type { TransportOptions } from './transport.js';
import type { RemoteTransport, TransportFactory } from './transports.js';
import { localRemotePath } from './url.js';

const ZERO = '0'.repeat(40);

async function isDir(p: string): Promise<boolean> {
  return (await fsp.stat(p).catch(() => null))?.isDirectory() ?? false;
}

/** A bare repository (HEAD, objects/, refs/) or a non-bare one's .git folder. */
async function gitdirOf(repo: string): Promise<string | null> {
  for (const d of [repo, path.join(repo, '.git')]) {
    if ((await isDir(path.join(d, 'objects'))) && (await isDir(path.join(d, 'refs'))) && (await fsp.stat(path.join(d, 'HEAD')).catch(() => null))) return d;
  }
  return null;
}

async function writeSynced(file: string, text: string): Promise<void> {
  const fh = await fsp.open(file, 'wx');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** `git init --bare` with HEAD on `branch`, built beside `repo` and renamed into place (or filled in, when `repo` is an empty folder). */
export async function initBareRepo(repo: string, branch: string): Promise<void> {
  const parent = path.dirname(repo);
  const empty = (await fsp.readdir(repo).catch(() => null))?.length === 0;
  const build = empty ? repo : path.join(parent, `.${path.basename(repo)}.savepoint-init-${process.pid}`);
  try {
    for (const d of ['objects/pack', 'objects/info', 'refs/heads', 'refs/tags', 'info', 'hooks']) await fsp.mkdir(path.join(build, ...d.split('/')), { recursive: true });
    await writeSynced(path.join(build, 'config'), '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n');
    await writeSynced(path.join(build, 'description'), 'Savepoint vault copy (a bare git repository).\n');
    await writeSynced(path.join(build, 'info', 'exclude'), '');
    // HEAD last: its presence is what makes the folder a repository
    await writeSynced(path.join(build, 'HEAD'), `ref: refs/heads/${branch}\n`);
    if (!empty) await fsp.rename(build, repo);
    await fsyncDir(parent);
  } catch (e) {
    if (!empty) await fsp.rm(build, { recursive: true, force: true });
    throw e;
  }
}

/** What `dst` lacks of everything reachable from `tips` in `src` (a complete destination is assumed, as git does). */
async function objectsLacking(src: GitCtx, tips: string[], dstGitdir: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const lacks = async (oid: string) => {
    if (seen.has(oid)) return false;
    seen.add(oid);
    return !(await hasObject(dstGitdir, oid));
  };
  const walkTree = async (tree: string): Promise<void> => {
    if (!(await lacks(tree))) return;
    out.push(tree);
    for (const e of await readTreeEntries(src, tree)) {
      if (e.type === 'tree') await walkTree(e.oid);
      else if (e.type === 'blob' && (await lacks(e.oid))) out.push(e.oid);
    }
  };
  const stack = [...tips];
  while (stack.length) {
    const oid = stack.pop()!;
    if (!(await lacks(oid))) continue;
    const obj = await readObject(src.gitdir, oid);
    out.push(oid);
    if (obj.type === 'tag') stack.push(parseTag(obj.data).object);
    else if (obj.type === 'commit') {
      const c = await readCommit(src, oid);
      await walkTree(c.tree);
      stack.push(...c.parent);
    }
  }
  return out;
}

export const localTransport: TransportFactory = (url: string, opts: TransportOptions, remoteName?: string): RemoteTransport => {
  const repo = localRemotePath(url);
  const who = remoteName ? `remote "${remoteName}" (${repo})` : repo;
  const notMounted = (): SavepointError =>
    new SavepointError('E_REMOTE_NOT_MOUNTED', `The folder holding ${who} does not exist: ${path.dirname(repo)}. Is the disk mounted? Plug it in (or mount it) and try again; nothing was changed.`, { remote: remoteName, url, path: repo });
  const notRepo = (): SavepointError =>
    new SavepointError('E_REMOTE_UNREACHABLE', `${who} is not a git repository (no HEAD, objects/ and refs/ there). Point the remote at an empty or new folder, or at a bare repository made by Savepoint or \`git init --bare\`.`, { remote: remoteName, url, path: repo });
  const open = async (create: string | null): Promise<string | null> => {
    if (!(await isDir(path.dirname(repo)))) throw notMounted();
    const g = await gitdirOf(repo);
    if (g) return g;
    const st = await fsp.stat(repo).catch(() => null);
    if (st && (!st.isDirectory() || (await fsp.readdir(repo)).length > 0)) throw notRepo();
    if (!create) return null;
    await initBareRepo(repo, create);
    return repo;
  };
  const mapErr = (e: unknown, doing: string): unknown => {
    if (e instanceof SavepointError) return e;
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ENOSPC') return new SavepointError('E_NO_SPACE', `The disk of ${who} is full while ${doing}. Free space there and push again; its previous state is intact.`, { remote: remoteName, url });
    if (err?.code === 'EACCES' || err?.code === 'EPERM' || err?.code === 'EROFS') return new SavepointError('E_REMOTE_UNREACHABLE', `Cannot write to ${who} while ${doing} (${err.code}): check the disk is mounted read-write and you may write there.`, { remote: remoteName, url, reason: err.code });
    return e;
  };
  let branchHint = 'main';
  return {
    kind: 'local',
    shownUrl: url,
    async discover(service) {
      const gitdir = await open(null);
      const refs = new Map<string, string>();
      const capabilities = new Set<string>(['ofs-delta', 'report-status']); // refs move one by one (branch last), not atomically
      if (gitdir) {
        for (const [r, oid] of await listRefs(gitdir, 'refs/')) refs.set(r, oid);
        const head = (await fsp.readFile(path.join(gitdir, 'HEAD'), 'utf8').catch(() => '')).trim();
        if (head.startsWith('ref: refs/heads/')) capabilities.add(`symref=HEAD:${head.slice(5)}`);
      } else if (service === 'git-upload-pack') {
        throw new SavepointError('E_REMOTE_UNREACHABLE', `There is no repository at ${who} yet. Push to it first (\`savepoint push${remoteName ? ` ${remoteName}` : ''}\` creates it).`, { remote: remoteName, url, path: repo });
      }
      return { refs, peeled: new Map(), capabilities };
    },
    async fetchObjects(gitdir, wants) {
      const src = await open(null);
      if (!src) throw notMounted();
      const oids = await objectsLacking({ gitdir: src, cache: {} }, wants, gitdir);
      await copyObjects(src, gitdir, oids, { tmpDir: path.join(gitdir, 'objects', 'tmp-savepoint'), phase: 'fetch: copying objects', ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    },
    async push(gitdir, updates, oids, _adv: RefAdvertisement): Promise<ReceivePackReport> {
      const branch = updates.find((u) => u.ref.startsWith('refs/heads/'))?.ref.slice(11) ?? branchHint;
      branchHint = branch;
      try {
        const dst = (await open(branch))!;
        // objects first (one pack, fsynced and renamed in); only objects the remote really lacks
        const lacking: string[] = [];
        for (const o of oids) if (!(await hasObject(dst, o))) lacking.push(o);
        await copyObjects(gitdir, dst, lacking, { tmpDir: path.join(gitdir, 'objects', 'tmp-savepoint'), phase: 'push: writing objects', ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
        // then refs, each only if it still holds what we saw (a lease), branch last
        const ctx: GitCtx = { gitdir: dst, cache: {} };
        const ordered = [...updates.filter((u) => !u.ref.startsWith('refs/heads/')), ...updates.filter((u) => u.ref.startsWith('refs/heads/'))];
        const refs: ReceivePackReport['refs'] = [];
        for (const u of ordered) {
          const cur = await readRef(dst, u.ref);
          if ((cur ?? ZERO) !== u.old) {
            refs.push({ ref: u.ref, ok: false, reason: 'stale info (fetch first)' });
            continue;
          }
          if (!(await hasObject(dst, u.new))) {
            refs.push({ ref: u.ref, ok: false, reason: 'missing objects' });
            continue;
          }
          try {
            await updateRef(ctx, u.ref, u.new, cur);
            refs.push({ ref: u.ref, ok: true });
          } catch (e) {
            if (e instanceof SavepointError && e.code === 'E_LOCKED') refs.push({ ref: u.ref, ok: false, reason: 'failed to lock' });
            else throw e;
          }
        }
        await fsyncDir(path.join(dst, 'refs'));
        return { unpack: 'ok', refs: ordered.map((u) => refs.find((r) => r.ref === u.ref)!).sort((a, b) => updates.findIndex((u) => u.ref === a.ref) - updates.findIndex((u) => u.ref === b.ref)), progress: [], errors: [] };
      } catch (e) {
        throw mapErr(e, 'pushing');
      }
    },
    scrub: (t) => t,
    close: async () => undefined,
  };
};
