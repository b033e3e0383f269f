/**
 * push / fetch for s3://bucket/prefix remotes (issue 12 item 3), optionally encrypted at rest (item 4).
 *
 * Bucket layout under the prefix (content-addressed; see README "S3 remotes"):
 *   savepoint-remote.json   {format, version, encrypted, kdf?: {kdf, logN, r, p, salt}, keyCheck?}  (no secret)
 *   objects/<sha256>        one git pack per push holding what the bucket lacked (encrypted when asked);
 *                           the name is the sha256 of the stored bytes, so damage is detected before use
 *   manifests/<sha256>      the refs after a push + every pack with the tips it completes (encrypted when asked)
 *   HEAD                    {"manifest": "<sha256>"}, rewritten last
 * A push uploads packs, then the manifest, then HEAD: a crash at any point leaves the previous HEAD and
 * everything it names intact, so the bucket stays readable. Notes are merged (fetched first), never overwritten.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs, { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SavepointError } from '../../errors.js';
import { Keyring, assertKeyCheck, createDecryptStream, createEncryptStream, decryptBuffer, encryptBuffer, keyCheck, newKdf } from '../../crypto/chunked.js';
import type { KdfParams, KeyProvider } from '../../crypto/chunked.js';
import { NOTES_REF } from '../../model/note.js';
import { isValidRefName, refFile, resolveRef, updateRef } from '../../history/git.js';
import type { GitCtx } from '../../history/git.js';
import { isogit } from '../../history/isogit.js';
import { listRefs } from '../../history/refs.js';
import { loadHistory } from '../../history/versions.js';
import { trackTemp } from '../../util/cleanup.js';
import type { ProgressCallback } from '../../util/progress.js';
import type { Vault } from '../../vault.js';
import { getRemote, trackingBranchRef, trackingNotesRef } from '../config.js';
import { hasObject, isAncestor, objectsMissingOnRemote, peel } from '../graph.js';
import { updateRemoteState } from '../state.js';
import type { FetchResult, PushResult } from '../sync-types.js';
import { finishFetch } from '../fetch-result.js';
import type { NotesMergeAction } from '../notes-ref.js';
import { S3Store } from './client.js';
import type { S3RemoteSettings } from './client.js';

export interface S3OpOptions {
  remote: string;
  onProgress?: ProgressCallback;
  /** the key for encrypted remotes (asked only when the bucket is encrypted or --encrypt was set) */
  key?: KeyProvider;
  /** multipart part size (tests; default 8 MiB) */
  s3PartSize?: number;
  /** scrypt cost for a new encrypted bucket (tests; default 15) */
  scryptLogN?: number;
}

const INFO = 'savepoint-remote.json';
const HEAD = 'HEAD';
const HEX64 = /^[0-9a-f]{64}$/;
const OID = /^[0-9a-f]{40}$/;

interface BucketInfo {
  format: 'savepoint-s3';
  version: 1;
  encrypted: boolean;
  kdf?: { kdf: 1 | 2; logN: number; r: number; p: number; salt: string };
  keyCheck?: string;
}

export interface S3Manifest {
  schema: 1;
  createdAt: string;
  previous: string | null;
  /** the branch a clone checks out */
  head: string;
  refs: Record<string, string>;
  packs: { id: string; size: number; tips: string[] }[];
}

interface BucketState {
  info: BucketInfo | null;
  manifestId: string | null;
  manifest: S3Manifest | null;
  ring: Keyring | null;
  kdf: KdfParams | null;
}

function corrupt(store: S3Store, message: string, details: Record<string, unknown> = {}): SavepointError {
  return new SavepointError('E_REMOTE_CORRUPT', `${store.shownUrl}: ${message} The bucket was changed by something other than Savepoint, or damaged. Nothing was changed here; push from a vault that has the history to a new prefix, or restore the bucket from its own backup/versioning.`, { url: store.shownUrl, ...details });
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** The remote's settings from savepoint.json (endpoint, region, encrypt sit beside url). */
export function s3Settings(vault: Vault, name: string): S3RemoteSettings & { encrypt: boolean } {
  const r = getRemote(vault, name);
  const raw = vault.config.remotes[name] as { endpoint?: string; region?: string; encrypt?: boolean } | undefined;
  return { url: r.url, endpoint: raw?.endpoint, region: raw?.region, encrypt: raw?.encrypt ?? false };
}

function needKey(store: S3Store, opts: { key?: KeyProvider | undefined }): Keyring {
  if (!opts.key) throw new SavepointError('E_INVALID_ARGUMENT', `${store.shownUrl} is encrypted: set SAVEPOINT_PASSPHRASE (or SAVEPOINT_KEY_FILE), or run in a terminal to be asked.`, { url: store.shownUrl });
  return new Keyring(opts.key);
}

function parseInfo(store: S3Store, buf: Buffer): BucketInfo {
  let j: BucketInfo;
  try {
    j = JSON.parse(buf.toString('utf8')) as BucketInfo;
  } catch {
    throw corrupt(store, `${INFO} is not valid JSON.`);
  }
  if (j.format !== 'savepoint-s3' || j.version !== 1 || typeof j.encrypted !== 'boolean') throw corrupt(store, `${INFO} is not a Savepoint remote description (or a newer version).`);
  if (j.encrypted && (!j.kdf || !/^[0-9a-f]{32}$/.test(j.kdf.salt) || !j.keyCheck)) throw corrupt(store, `${INFO} says encrypted but has no key parameters.`);
  return j;
}

function kdfOf(info: BucketInfo): KdfParams {
  const k = info.kdf!;
  return { kdf: k.kdf, logN: k.logN, r: k.r, p: k.p, salt: Buffer.from(k.salt, 'hex') };
}

function parseManifest(store: S3Store, id: string, buf: Buffer): S3Manifest {
  let m: S3Manifest;
  try {
    m = JSON.parse(buf.toString('utf8')) as S3Manifest;
  } catch {
    throw corrupt(store, `manifest ${id.slice(0, 12)} is not valid JSON.`, { manifest: id });
  }
  const ok =
    m &&
    m.schema === 1 &&
    typeof m.head === 'string' &&
    m.refs &&
    typeof m.refs === 'object' &&
    Object.entries(m.refs).every(([k, v]) => k.startsWith('refs/') && typeof v === 'string' && OID.test(v)) &&
    Array.isArray(m.packs) &&
    m.packs.every((p) => p && HEX64.test(p.id) && Number.isInteger(p.size) && Array.isArray(p.tips) && p.tips.every((t) => OID.test(t)));
  if (!ok) throw corrupt(store, `manifest ${id.slice(0, 12)} is not a valid Savepoint manifest.`, { manifest: id });
  return m;
}

/** Read what the bucket holds now: description, HEAD, the manifest it names (hash-checked, decrypted). */
async function readBucket(store: S3Store, opts: { key?: KeyProvider | undefined }): Promise<BucketState> {
  await store.checkBucket();
  const infoBuf = await store.get(INFO);
  const headBuf = await store.get(HEAD);
  if (!infoBuf) {
    if (headBuf) throw corrupt(store, `${HEAD} exists but ${INFO} is missing.`);
    return { info: null, manifestId: null, manifest: null, ring: null, kdf: null };
  }
  const info = parseInfo(store, infoBuf);
  let ring: Keyring | null = null;
  let kdf: KdfParams | null = null;
  if (info.encrypted) {
    ring = needKey(store, opts);
    kdf = kdfOf(info);
    assertKeyCheck(await ring.master(kdf), Buffer.from(info.keyCheck!, 'hex'), store.shownUrl);
  }
  if (!headBuf) return { info, manifestId: null, manifest: null, ring, kdf };
  let id: string;
  try {
    id = (JSON.parse(headBuf.toString('utf8')) as { manifest: string }).manifest;
  } catch {
    throw corrupt(store, `${HEAD} is not valid JSON.`);
  }
  if (typeof id !== 'string' || !HEX64.test(id)) throw corrupt(store, `${HEAD} does not name a manifest.`);
  const stored = await store.get(`manifests/${id}`);
  if (!stored) throw corrupt(store, `${HEAD} names manifest ${id.slice(0, 12)}, which is missing.`, { manifest: id });
  if (sha256(stored) !== id) throw corrupt(store, `manifest ${id.slice(0, 12)} is damaged (its content does not match its name).`, { manifest: id });
  const plain = ring ? await decryptBuffer(ring, stored, `manifest ${id.slice(0, 12)} of ${store.shownUrl}`) : stored;
  return { info, manifestId: id, manifest: parseManifest(store, id, plain), ring, kdf };
}

function hashStream(h: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      h.update(chunk);
      cb(null, chunk);
    },
  });
}

async function tempPath(vault: Vault, tag: string): Promise<string> {
  const dir = path.join(vault.gitdir, 'objects', 'pack');
  await fsp.mkdir(dir, { recursive: true });
  return path.join(dir, `tmp_s3_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`);
}

/** Check a pack file's header and SHA-1 trailer (streamed); returns the trailer. */
async function packChecksum(file: string): Promise<string | null> {
  const st = await fsp.stat(file);
  if (st.size < 32) return null;
  const fh = await fsp.open(file, 'r');
  const head = Buffer.alloc(4);
  const tail = Buffer.alloc(20);
  try {
    await fh.read(head, 0, 4, 0);
    await fh.read(tail, 0, 20, st.size - 20);
  } finally {
    await fh.close();
  }
  if (head.toString('latin1') !== 'PACK') return null;
  const h = createHash('sha1');
  await pipeline(createReadStream(file, { end: st.size - 21 }), hashStream(h), new Transform({ transform: (_c, _e, cb) => cb() }));
  return h.digest('hex') === tail.toString('hex') ? tail.toString('hex') : null;
}

// ------------------------------------------------------------------ fetch

async function fetchPacks(vault: Vault, store: S3Store, state: BucketState, opts: S3OpOptions): Promise<void> {
  const m = state.manifest!;
  const needed: S3Manifest['packs'] = [];
  for (const p of m.packs) {
    let all = true;
    for (const t of p.tips) if (!(await hasObject(vault, t))) all = false;
    if (!all) needed.push(p);
  }
  const ready: { file: string; sum: string }[] = [];
  const temps: string[] = [];
  const untracks: (() => void)[] = [];
  try {
    // download, check and decrypt every pack before anything is installed
    let i = 0;
    for (const p of needed) {
      opts.onProgress?.({ phase: 'fetch: downloading', loaded: i++, total: needed.length });
      const stored = await tempPath(vault, 'dl');
      temps.push(stored);
      untracks.push(trackTemp(stored));
      const h = createHash('sha256');
      if (!(await store.getToFile(`objects/${p.id}`, stored, [hashStream(h)]))) throw corrupt(store, `pack ${p.id.slice(0, 12)} named by the manifest is missing.`, { object: p.id });
      if (h.digest('hex') !== p.id) throw corrupt(store, `pack ${p.id.slice(0, 12)} is damaged (its content does not match its name).`, { object: p.id });
      let packFile = stored;
      if (state.ring) {
        packFile = await tempPath(vault, 'pack');
        temps.push(packFile);
        untracks.push(trackTemp(packFile));
        await pipeline(createReadStream(stored), createDecryptStream(state.ring, `pack ${p.id.slice(0, 12)} of ${store.shownUrl}`), createWriteStream(packFile));
      }
      const sum = await packChecksum(packFile);
      if (!sum) throw corrupt(store, `pack ${p.id.slice(0, 12)} is not a valid git pack.`, { object: p.id });
      ready.push({ file: packFile, sum });
    }
    opts.onProgress?.({ phase: 'fetch: downloading', loaded: needed.length, total: needed.length });
    const git = await isogit();
    for (const r of ready) {
      const name = `pack-${r.sum}.pack`;
      const dest = path.join(vault.gitdir, 'objects', 'pack', name);
      if (await fsp.stat(dest).catch(() => null)) continue;
      await fsp.rename(r.file, dest);
      await git.indexPack({ fs, dir: vault.gitdir, gitdir: vault.gitdir, filepath: `objects/pack/${name}` });
    }
  } finally {
    for (const u of untracks) u();
    for (const t of temps) await fsp.rm(t, { force: true });
  }
  for (const [ref, oid] of Object.entries(m.refs)) {
    if (!(await hasObject(vault, oid))) throw corrupt(store, `the manifest's ${ref} points at ${oid.slice(0, 12)}, which none of its packs holds.`, { ref, oid });
  }
}

async function setRef(ctx: GitCtx, ref: string, oid: string): Promise<void> {
  const cur = await resolveRef(ctx, ref);
  if (cur !== oid) await updateRef(ctx, ref, oid, cur);
}

async function fetchWithState(vault: Vault, store: S3Store, state: BucketState, opts: S3OpOptions): Promise<FetchResult> {
  const name = opts.remote;
  const refs = state.manifest?.refs ?? {};
  if (state.manifest) await fetchPacks(vault, store, state, opts);
  const tagsBefore = new Set((await listRefs(vault.gitdir, 'refs/tags/')).keys());
  for (const [ref, oid] of Object.entries(refs)) {
    if (!ref.startsWith('refs/tags/') || !isValidRefName(ref.slice(10))) continue;
    if ((await resolveRef(vault, ref)) === null && (await peel(vault, oid))) await updateRef(vault, ref, oid, null);
  }
  const branchRef = trackingBranchRef(name, vault.branch);
  const remoteBranch = refs[`refs/heads/${vault.branch}`] ?? null;
  if (remoteBranch) await setRef(vault, branchRef, remoteBranch);
  else await fsp.rm(refFile(vault.gitdir, branchRef), { force: true });
  const remoteNotes = refs[NOTES_REF] ?? null;
  if (remoteNotes) await setRef(vault, trackingNotesRef(name), remoteNotes);
  return finishFetch(vault, name, store.shownUrl, remoteBranch, remoteNotes, tagsBefore);
}

export async function fetchS3(vault: Vault, opts: S3OpOptions): Promise<FetchResult> {
  const store = await S3Store.open(s3Settings(vault, opts.remote), { name: opts.remote, ...(opts.s3PartSize ? { partSize: opts.s3PartSize } : {}) });
  try {
    return await fetchWithState(vault, store, await readBucket(store, opts), opts);
  } finally {
    store.close();
  }
}

/** What a clone needs before it has a vault: the refs, the branch to check out, whether it is encrypted. */
export async function s3Advertisement(settings: S3RemoteSettings, opts: { key?: KeyProvider | undefined; name?: string }): Promise<{ refs: Map<string, string>; peeled: Map<string, string>; capabilities: Set<string>; encrypted: boolean }> {
  const store = await S3Store.open(settings, opts.name ? { name: opts.name } : {});
  try {
    const state = await readBucket(store, opts);
    const refs = new Map(Object.entries(state.manifest?.refs ?? {}));
    const caps = new Set<string>(state.manifest ? [`symref=HEAD:refs/heads/${state.manifest.head}`] : []);
    return { refs, peeled: new Map(), capabilities: caps, encrypted: !!state.info?.encrypted };
  } finally {
    store.close();
  }
}

// ------------------------------------------------------------------ push

function rejected(name: string, url: string, message: string, details: Record<string, unknown>): SavepointError {
  return new SavepointError('E_PUSH_REJECTED', message, { remote: name, url, ...details });
}

/** Pack `oids` into a file (encrypted when a ring is given); returns the stored file, its sha256 and size. */
async function writePack(vault: Vault, oids: string[], state: BucketState): Promise<{ file: string; id: string; size: number; temps: string[] }> {
  const git = await isogit();
  const { packfile } = await git.packObjects({ fs, gitdir: vault.gitdir, oids, write: false, cache: vault.cache });
  const plain = await tempPath(vault, 'up');
  const temps = [plain];
  await fsp.writeFile(plain, Buffer.from(packfile!));
  let stored = plain;
  if (state.ring) {
    stored = await tempPath(vault, 'enc');
    temps.push(stored);
    await pipeline(createReadStream(plain), await createEncryptStream(state.ring, state.kdf!, {}), createWriteStream(stored));
  }
  const h = createHash('sha256');
  await pipeline(createReadStream(stored), hashStream(h), new Transform({ transform: (_c, _e, cb) => cb() }));
  return { file: stored, id: h.digest('hex'), size: (await fsp.stat(stored)).size, temps };
}

export async function pushS3(vault: Vault, opts: S3OpOptions): Promise<PushResult> {
  const settings = s3Settings(vault, opts.remote);
  const name = opts.remote;
  const store = await S3Store.open(settings, { name, ...(opts.s3PartSize ? { partSize: opts.s3PartSize } : {}) });
  try {
    let state = await readBucket(store, opts);
    if (settings.encrypt && state.info && !state.info.encrypted) {
      throw new SavepointError('E_INVALID_ARGUMENT', `Remote "${name}" is set to encrypt, but ${store.shownUrl} already holds unencrypted data. Push to a new, empty prefix (e.g. ${settings.url}-enc) to keep it encrypted at rest.`, { remote: name });
    }
    // a fresh bucket/prefix: the description (and, when encrypting, a new salt and key check) comes first
    let newInfo: BucketInfo | null = null;
    if (!state.info) {
      if (settings.encrypt) {
        const ring = needKey(store, opts);
        const kdf = await newKdf(ring, opts.scryptLogN ? { logN: opts.scryptLogN } : {});
        newInfo = { format: 'savepoint-s3', version: 1, encrypted: true, kdf: { kdf: kdf.kdf, logN: kdf.logN, r: kdf.r, p: kdf.p, salt: kdf.salt.toString('hex') }, keyCheck: keyCheck(await ring.master(kdf)).toString('hex') };
        state = { ...state, ring, kdf };
      } else newInfo = { format: 'savepoint-s3', version: 1, encrypted: false };
    }
    const branchRef = `refs/heads/${vault.branch}`;
    const local = await resolveRef(vault, branchRef);
    if (!local) throw new SavepointError('E_INVALID_ARGUMENT', `Nothing to push yet: the history branch "${vault.branch}" has no saves. Save a file first.`, { branch: vault.branch });
    const remoteRefs = state.manifest?.refs ?? {};
    const remoteTip = remoteRefs[branchRef] ?? null;
    if (remoteTip && remoteTip !== local) {
      const known = await hasObject(vault, remoteTip);
      if (!known || !(await isAncestor(vault, remoteTip, local))) {
        const behind = !known || (await isAncestor(vault, local, remoteTip));
        throw rejected(
          name,
          store.shownUrl,
          behind
            ? `Push to "${name}" was refused: the remote has saves on "${vault.branch}" that this vault does not have. Run \`savepoint pull ${name}\` first, then push again.`
            : `Push to "${name}" was refused: this vault's "${vault.branch}" and the remote's have diverged (both have saves the other lacks), so pushing would overwrite history. Push to a new remote or prefix instead.`,
          { reason: behind ? 'behind' : 'diverged', branch: vault.branch },
        );
      }
    }
    // notes: merged, never overwritten — bring the remote's in first when ours do not contain them
    let notesMerge: NotesMergeAction = 'none';
    const remoteNotes = remoteRefs[NOTES_REF] ?? null;
    let localNotes = await resolveRef(vault, NOTES_REF);
    if (remoteNotes && remoteNotes !== localNotes && !((await hasObject(vault, remoteNotes)) && localNotes && (await isAncestor(vault, remoteNotes, localNotes)))) {
      const f = await fetchWithState(vault, store, state, opts);
      notesMerge = f.notes.action;
      localNotes = await resolveRef(vault, NOTES_REF);
    }
    const history = await loadHistory(vault);
    const onBranch = new Set(history.commits.map((c) => c.oid));
    const refs: Record<string, string> = { ...remoteRefs, [branchRef]: local };
    if (localNotes) refs[NOTES_REF] = localNotes;
    const pushedTags: string[] = [];
    const conflicts: string[] = [];
    for (const [ref, oid] of await listRefs(vault.gitdir, 'refs/tags/')) {
      const target = await peel(vault, oid);
      if (!target || !onBranch.has(target.commit)) continue;
      const theirs = remoteRefs[ref];
      if (theirs === oid) continue;
      if (theirs) conflicts.push(ref.slice(10));
      else {
        refs[ref] = oid;
        pushedTags.push(ref.slice(10));
      }
    }
    const changed = Object.keys(refs).length !== Object.keys(remoteRefs).length || Object.entries(refs).some(([k, v]) => remoteRefs[k] !== v);
    let objects = 0;
    if (changed) {
      opts.onProgress?.({ phase: 'push: counting objects', loaded: 0, total: 0 });
      const wants = Object.entries(refs).filter(([k, v]) => remoteRefs[k] !== v).map(([, v]) => v);
      const oids = await objectsMissingOnRemote(vault, wants, Object.values(remoteRefs).filter((v) => v));
      objects = oids.length;
      const packs = [...(state.manifest?.packs ?? [])];
      if (newInfo) await store.put(INFO, Buffer.from(JSON.stringify(newInfo, null, 2) + '\n'));
      if (oids.length) {
        const pack = await writePack(vault, oids, state);
        const untracks = pack.temps.map((t) => trackTemp(t));
        try {
          // content-addressed: an object the bucket already has (a retried push) is not sent again
          if ((await store.head(`objects/${pack.id}`)) !== pack.size) {
            await store.putFile(`objects/${pack.id}`, pack.file, (sent, total) => opts.onProgress?.({ phase: 'push: uploading', loaded: sent, total }));
          }
        } finally {
          untracks.forEach((u) => u());
          for (const t of pack.temps) await fsp.rm(t, { force: true });
        }
        packs.push({ id: pack.id, size: pack.size, tips: wants });
      }
      const manifest: S3Manifest = { schema: 1, createdAt: vault.clock().toISOString(), previous: state.manifestId, head: vault.branch, refs, packs };
      const plain = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
      const stored = state.ring ? await encryptBuffer(state.ring, state.kdf!, plain) : plain;
      const id = sha256(stored);
      await store.put(`manifests/${id}`, stored);
      // the pointer last: until here the bucket still shows the previous push, complete
      const current = await store.get(HEAD);
      const currentId = current ? ((JSON.parse(current.toString('utf8')) as { manifest?: string }).manifest ?? null) : null;
      if (currentId !== state.manifestId) throw rejected(name, store.shownUrl, `The remote "${name}" changed while pushing (another push?). Nothing was overwritten; push again.`, { reason: 'moved' });
      await store.put(HEAD, Buffer.from(JSON.stringify({ manifest: id }) + '\n'));
    }
    await setRef(vault, trackingBranchRef(name, vault.branch), local);
    if (localNotes) await setRef(vault, trackingNotesRef(name), localNotes);
    const now = vault.clock().toISOString();
    await updateRemoteState(vault.gitdir, name, { lastPush: now, lastSeen: now });
    return {
      remote: name,
      url: store.shownUrl,
      status: changed ? 'pushed' : 'up-to-date',
      branch: { ref: branchRef, from: remoteTip, to: local },
      notes: { from: remoteNotes, to: localNotes, merged: notesMerge },
      tags: { pushed: pushedTags, conflicts },
      objects,
    };
  } finally {
    store.close();
  }
}
