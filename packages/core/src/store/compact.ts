/**
 * `compact`: move loose objects into packs, with deltas between successive versions of the same path.
 *
 * Two packs are written per run:
 * - a *data* pack with file versions (delta chains newest → oldest, so the latest version is stored whole
 *   and restores fastest), read only by our streaming reader;
 * - a *meta* pack with commits, trees, tags, notes and small config blobs, which isomorphic-git reads (it
 *   loads a whole pack into memory when it needs an object from it, so data must stay out of that pack).
 *
 * Safety: both packs are fully written, fsynced, renamed into place and every object is read back and
 * hash-checked from the installed pack before any loose copy is removed. A lock file keeps two compactions
 * apart; saves may run concurrently (a loose object that appears mid-run simply stays loose).
 */
import { promises as fsp } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { isogit } from '../history/isogit.js';
import { SavepointError, fromNodeError } from '../errors.js';
import type { ProgressCallback } from '../util/progress.js';
import { DeltaEncoder, memoryBase, type BaseReader } from './delta.js';
import { PackWriter, buildIndexV2, fsyncDir, installPack } from './pack-writer.js';
import { createHash } from 'node:crypto';
import { DeltaInterpreter } from './delta.js';
import { acquireLockFile, lockedMessage } from '../util/lock.js';
import { sweepStaleTemps } from './temp-sweep.js';
import { CorruptObject, MEMORY_BASE_LIMIT, deltaResultSize, inflateRange, listPacks, readEntryHeader, streamObject, readObjectBuffer, type ObjectLocation, type PackHandle } from './reader.js';
import { CODE_BY_TYPE, OFS_DELTA, TYPE_BY_CODE, type ObjectType } from './object-types.js';
import { BufferedFileWriter, fileBase, tempPath } from './base-file.js';
import { openBase } from './delta-base.js';
import { DeltaThreads, type DeltaThreadsOptions } from './delta-parallel.js';

export interface LooseObjectStats {
  count: number;
  /** bytes on disk of all loose objects */
  bytes: number;
}

const HEX2 = /^[0-9a-f]{2}$/;
const HEX38 = /^[0-9a-f]{38}$/;

async function listLoose(gitdir: string): Promise<{ oid: string; file: string; bytes: number }[]> {
  const objects = path.join(gitdir, 'objects');
  const out: { oid: string; file: string; bytes: number }[] = [];
  let dirs: string[];
  try {
    dirs = await fsp.readdir(objects);
  } catch {
    return out;
  }
  for (const d of dirs) {
    if (!HEX2.test(d)) continue;
    let names: string[];
    try {
      names = await fsp.readdir(path.join(objects, d));
    } catch {
      continue;
    }
    for (const n of names) {
      if (!HEX38.test(n)) continue;
      const file = path.join(objects, d, n);
      try {
        const st = await fsp.stat(file);
        out.push({ oid: d + n, file, bytes: st.size });
      } catch {
        // removed meanwhile
      }
    }
  }
  return out;
}

/** Count and total on-disk size of loose objects (for auto-compact decisions). */
export async function looseObjectStats(gitdir: string): Promise<LooseObjectStats> {
  const all = await listLoose(gitdir);
  return { count: all.length, bytes: all.reduce((s, o) => s + o.bytes, 0) };
}

/** Read a loose object's type and size from the first bytes of its zlib stream. */
async function looseHeader(file: string): Promise<{ type: ObjectType; size: number }> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(128);
    const { bytesRead } = await fh.read(buf, 0, 128, 0);
    const out = zlib.inflateSync(buf.subarray(0, bytesRead), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const nul = out.indexOf(0);
    const m = /^(commit|tree|blob|tag) (\d+)$/.exec(out.subarray(0, nul < 0 ? 0 : nul).toString('latin1'));
    if (!m) throw new Error('bad header');
    return { type: m[1] as ObjectType, size: Number(m[2]) };
  } catch (e) {
    throw new SavepointError('E_OBJECT_CORRUPT', `Loose object ${file} is corrupt (${(e as Error).message}); compaction stopped before changing anything. Run \`savepoint verify\`.`, { file }, { cause: e });
  } finally {
    await fh.close();
  }
}

/** Paths whose blobs isomorphic-git may read itself: keep them in the meta pack. */
const META_PATHS = new Set(['savepoint.json', '.gitignore', '.gitattributes', '.gitmodules']);
/** Blobs at least this big go to the data pack even when no history path is known for them. */
const DATA_MIN_SIZE = 1 << 20;

/**
 * Which blobs are versions of the same path: walks every branch and tag (newest commit first) and returns,
 * per path, the distinct blob ids newest → oldest.
 */
export async function collectVersionChains(gitdir: string): Promise<Map<string, string[]>> {
  const chains = new Map<string, string[]>();
  const seenBlob = new Set<string>();
  const seenTree = new Set<string>();
  const seenCommit = new Set<string>();
  const cache = {};
  const starts: string[] = [];
  const git = await isogit();
  const branches = await git.listBranches({ fs, gitdir }).catch(() => [] as string[]);
  // The history branches first so their order defines "newest".
  branches.sort((a, b) => rank(a) - rank(b));
  for (const b of branches) starts.push(`refs/heads/${b}`);
  for (const t of await git.listTags({ fs, gitdir }).catch(() => [] as string[])) starts.push(`refs/tags/${t}`);

  const walkTree = async (treeOid: string, prefix: string): Promise<void> => {
    const key = `${treeOid}:${prefix}`;
    if (seenTree.has(key)) return;
    seenTree.add(key);
    const { tree } = await git.readTree({ fs, gitdir, oid: treeOid, cache });
    for (const e of tree) {
      const p = prefix ? `${prefix}/${e.path}` : e.path;
      if (e.type === 'tree') await walkTree(e.oid, p);
      else if (e.type === 'blob') {
        let list = chains.get(p);
        if (!list) chains.set(p, (list = []));
        if (!list.includes(e.oid) && !seenBlob.has(`${p}\0${e.oid}`)) {
          list.push(e.oid);
          seenBlob.add(`${p}\0${e.oid}`);
        }
      }
    }
  };

  for (const ref of starts) {
    let oid: string;
    try {
      oid = await git.resolveRef({ fs, gitdir, ref });
      // Peel annotated tags.
      for (let i = 0; i < 10; i++) {
        const { type } = await git.readObject({ fs, gitdir, oid, format: 'deflated', cache }).catch(() => ({ type: 'unknown' }));
        if (type !== 'tag') break;
        oid = (await git.readTag({ fs, gitdir, oid, cache })).tag.object;
      }
      if (seenCommit.has(oid)) continue;
      const commits = await git.log({ fs, gitdir, ref: oid, cache });
      for (const c of commits) {
        if (seenCommit.has(c.oid)) continue;
        seenCommit.add(c.oid);
        await walkTree(c.commit.tree, '');
      }
    } catch {
      // A ref that does not resolve to commits (e.g. a tag of a blob) contributes no chains.
    }
  }
  return chains;
}

function rank(branch: string): number {
  return branch === 'savepoint' ? 0 : branch === 'main' ? 1 : 2;
}

export interface CompactOptions {
  gitdir: string;
  onProgress?: ProgressCallback;
  /** Versions of the same path, newest first (skips the history walk). */
  pathHints?: Map<string, string[]> | Record<string, string[]>;
  /** zlib level for packed data (default 6, like git). */
  level?: number;
  /** Longest delta chain (default 50, like git). */
  maxDepth?: number;
  /** Base window held in memory by the delta encoder (default 128 MiB). */
  deltaWindow?: number;
  /** Repack old data packs when new versions can delta against their whole copies (default true). */
  repackOld?: boolean;
  /** Encode large deltas on two threads when two cores are there (default on; false: one thread; delta-parallel.ts). */
  threads?: false | DeltaThreadsOptions;
}

/** Base window held in memory by the delta encoder. */
const DEFAULT_DELTA_WINDOW = 128 << 20;

export interface CompactResult {
  /** loose objects packed (and removed) */
  packedObjects: number;
  deltas: number;
  looseBytesBefore: number;
  packBytes: number;
  packs: string[];
  /** old packs whose objects went into the new packs (and which were then removed) */
  repackedPacks?: string[];
}

interface Planned {
  oid: string;
  type: ObjectType;
  size: number;
  /** the loose file (removed once the new packs verify) … */
  file?: string;
  /** … or where it is packed (an old data pack being repacked) */
  location: ObjectLocation;
}

/** Type and size of every entry of a pack, or null when it holds anything but blobs (or a base outside it). */
async function blobEntries(pack: PackHandle): Promise<Planned[] | null> {
  const fh = await fsp.open(pack.packPath, 'r');
  try {
    const out: Planned[] = [];
    const typeAt = new Map<number, number>();
    const baseType = async (offset: number): Promise<number> => {
      const trail: number[] = [];
      let at = offset;
      for (let i = 0; i < 10_000; i++) {
        const known = typeAt.get(at);
        if (known !== undefined) {
          for (const o of trail) typeAt.set(o, known);
          return known;
        }
        trail.push(at);
        const h = await readEntryHeader(fh, pack, at);
        if (TYPE_BY_CODE[h.typeCode]) {
          for (const o of trail) typeAt.set(o, h.typeCode);
          return h.typeCode;
        }
        const next = h.baseOffset ?? pack.idx.find(h.baseOid!);
        if (next < 0) return -1;
        at = next;
      }
      return -1;
    };
    for (const { oid, offset } of pack.idx.entries()) {
      if ((await baseType(offset)) !== CODE_BY_TYPE.blob) return null;
      const h = await readEntryHeader(fh, pack, offset);
      let size = h.size;
      if (!TYPE_BY_CODE[h.typeCode]) {
        // a delta: the result size is the second varint of its (inflated) header
        const head = Buffer.alloc(Math.min(8192, h.end - h.dataStart)); // enough for a dynamic block header
        await fh.read(head, 0, head.length, h.dataStart);
        const d = zlib.inflateSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
        size = deltaResultSize(d);
      }
      out.push({ oid, type: 'blob', size, location: { kind: 'packed', pack, offset } });
    }
    return out;
  } finally {
    await fh.close();
  }
}

/**
 * Old packs worth repacking with this run's loose objects: a pack of blobs only (a data pack) that stores
 * the newest packed version of some path whole while newer versions of that path are loose, no larger than
 * the loose data (so a run costs at most about twice what it packs), and without a `.keep` file.
 */
async function packsWorthRepacking(gitdir: string, chains: Map<string, string[]>, loose: Map<string, Planned>, looseBytes: number): Promise<Array<{ pack: PackHandle; entries: Planned[] }>> {
  const packs = await listPacks(gitdir);
  if (!packs.length) return [];
  const chosen = new Map<string, { pack: PackHandle; entries: Planned[] }>();
  const rejected = new Set<string>();
  for (const [p, oids] of chains) {
    if (META_PATHS.has(path.posix.basename(p))) continue;
    const firstOld = oids.findIndex((oid) => !loose.has(oid));
    if (firstOld <= 0) continue; // no new version, or nothing old
    const oid = oids[firstOld]!;
    for (const pack of packs) {
      const offset = pack.idx.find(oid);
      if (offset < 0 || chosen.has(pack.packPath) || rejected.has(pack.packPath)) continue;
      const fh = await fsp.open(pack.packPath, 'r');
      let whole: boolean;
      try {
        whole = !!TYPE_BY_CODE[(await readEntryHeader(fh, pack, offset)).typeCode];
      } finally {
        await fh.close();
      }
      if (!whole) continue;
      const keep = await fsp.access(pack.packPath.slice(0, -5) + '.keep').then(() => true, () => false);
      const entries = keep || pack.packSize > looseBytes ? null : await blobEntries(pack);
      if (!entries) {
        rejected.add(pack.packPath);
        continue;
      }
      chosen.set(pack.packPath, { pack, entries });
    }
  }
  return [...chosen.values()];
}

/** One compaction at a time; a lock left by a killed compaction (dead pid, or empty and old) is taken over. */
function acquireLock(gitdir: string): Promise<() => Promise<void>> {
  return acquireLockFile(path.join(gitdir, 'savepoint-compact.lock'), 'compact', {
    gitdir,
    waitMs: 0,
    busy: (owner, lock) => owner.host && owner.host !== os.hostname() ? lockedMessage(owner, lock, os.hostname()) : `Another compaction is running on this vault (pid ${owner.pid ?? '?'}, ${lock}). Wait for it to finish; if none is running, delete that file.`,
  });
}

/**
 * Pack all loose objects (see module comment). Returns what was done; a vault with no loose objects is a no-op.
 */
export async function compactObjects(opts: CompactOptions): Promise<CompactResult> {
  const { gitdir } = opts;
  const level = opts.level ?? 6;
  const maxDepth = opts.maxDepth ?? 50;
  const release = await acquireLock(gitdir);
  await sweepStaleTemps(gitdir);
  const tmpDir = path.join(gitdir, 'objects', 'tmp-savepoint');
  const writers: PackWriter[] = [];
  try {
    const loose = await listLoose(gitdir);
    const result: CompactResult = { packedObjects: 0, deltas: 0, looseBytesBefore: loose.reduce((s, o) => s + o.bytes, 0), packBytes: 0, packs: [] };
    if (!loose.length) return result;
    const planned = new Map<string, Planned>();
    for (const o of loose) {
      const h = await looseHeader(o.file);
      planned.set(o.oid, { oid: o.oid, type: h.type, size: h.size, file: o.file, location: { kind: 'loose', path: o.file } });
    }

    // Which blobs are file versions, and in which order.
    const chainsIn = opts.pathHints
      ? opts.pathHints instanceof Map
        ? opts.pathHints
        : new Map(Object.entries(opts.pathHints))
      : await collectVersionChains(gitdir);
    // Incremental: an old data pack holding the whole copy of a version that new loose versions continue is
    // repacked with them, so that copy becomes a delta (one whole copy per path instead of one per run).
    const repack = opts.repackOld === false ? [] : await packsWorthRepacking(gitdir, chainsIn, planned, result.looseBytesBefore);
    for (const r of repack) for (const e of r.entries) if (!planned.has(e.oid)) planned.set(e.oid, e);
    const chains: Planned[][] = [];
    const inData = new Set<string>();
    for (const [p, oids] of chainsIn) {
      if (META_PATHS.has(path.posix.basename(p))) continue;
      const chain: Planned[] = [];
      for (const oid of oids) {
        const o = planned.get(oid);
        if (o && o.type === 'blob' && !inData.has(oid)) {
          chain.push(o);
          inData.add(oid);
        }
      }
      if (chain.length) chains.push(chain);
    }
    const metaPaths = new Set<string>();
    for (const [p, oids] of chainsIn) if (META_PATHS.has(path.posix.basename(p))) for (const oid of oids) metaPaths.add(oid);
    for (const o of planned.values()) {
      if (o.type === 'blob' && !inData.has(o.oid) && !metaPaths.has(o.oid) && o.size >= DATA_MIN_SIZE) {
        chains.push([o]);
        inData.add(o.oid);
      }
    }
    const meta = [...planned.values()].filter((o) => !inData.has(o.oid));

    const totalBytes = [...planned.values()].reduce((s, o) => s + o.size, 0);
    let doneBytes = 0;
    const progress = (o: Planned) => {
      doneBytes += o.size;
      opts.onProgress?.({ phase: 'compact', loaded: doneBytes, total: totalBytes, item: o.oid });
    };
    const packDir = path.join(gitdir, 'objects', 'pack');

    // --- data pack
    if (inData.size) {
      const w = await PackWriter.create(packDir, inData.size, level);
      writers.push(w);
      // one base buffer for the whole run (each base is done with before the next is opened); with two
      // threads it is shared memory that the delta worker reads too
      const scratch = { buf: Buffer.alloc(0) };
      const threads = opts.threads === false ? null : DeltaThreads.create(opts.threads);
      const window = opts.deltaWindow ?? DEFAULT_DELTA_WINDOW;
      try {
        for (const chain of chains) {
          let prev: Planned | null = null;
          let depth = 0;
          for (const o of chain) {
            let stored = false;
            if (prev && depth < maxDepth && o.size > 64 && prev.size > 64) {
              const base = await openBase(gitdir, prev.oid, prev.size, tmpDir, { verifyOid: false, scratch, shared: !!threads, ...(opts.deltaWindow !== undefined ? { memoryLimit: opts.deltaWindow } : {}) });
              try {
                const maxDeltaSize = Math.min(Math.floor(o.size / 2), 256 << 20);
                const streamTarget = (push: (c: Uint8Array) => void | Promise<void>) => streamObject(gitdir, o.oid, { header() {}, chunk: push }, { verifyOid: false, location: o.location });
                let delta: Uint8Array[] | null;
                if (threads && base.whole && base.size <= window && o.size > threads.segmentBytes) {
                  delta = await threads.encode(base.whole, o.size, maxDeltaSize, async (sink) => void (await streamTarget(sink)));
                } else {
                  const enc = new DeltaEncoder(base, o.size, { window, maxDeltaSize });
                  await streamTarget((c) => enc.push(c));
                  delta = await enc.finish();
                }
                if (delta) {
                  await w.addOfsDelta(o.oid, prev.oid, delta);
                  stored = true;
                  depth++;
                  result.deltas++;
                }
              } finally {
                await base.close();
              }
            }
            if (!stored) {
              await addWhole(w, gitdir, o);
              depth = 0;
            }
            prev = o;
            progress(o);
          }
        }
      } finally {
        scratch.buf = Buffer.alloc(0);
        DeltaEncoder.releaseSpare();
        await threads?.close();
      }
    }
    // --- meta pack
    if (meta.length) {
      const w = await PackWriter.create(packDir, meta.length, level);
      writers.push(w);
      for (const o of meta) {
        await addWhole(w, gitdir, o);
        progress(o);
      }
    }

    // --- install, then verify every object from the installed packs before touching loose copies
    const installed: string[] = [];
    for (const w of writers) {
      const sum = await w.finish();
      const idx = buildIndexV2(w.entries, sum);
      const { packPath } = await installPack(packDir, w.tmpPack, sum, idx);
      installed.push(packPath);
      result.packBytes += w.bytesWritten + idx.length;
    }
    writers.length = 0;
    const packs = await listPacks(gitdir);
    let verified = 0;
    for (const packPath of installed) {
      const pack = packs.find((p) => p.packPath === packPath);
      if (!pack) throw new SavepointError('E_INTERNAL', `The new pack ${packPath} is not readable; loose objects were kept.`, { packPath });
      await verifyPackSequential(gitdir, pack, tmpDir, () => {
        verified++;
        opts.onProgress?.({ phase: 'compact-verify', loaded: verified, total: planned.size });
      });
    }
    // --- remove the loose copies
    const dirs = new Set<string>();
    for (const o of planned.values()) {
      if (!o.file) continue;
      await fsp.rm(o.file, { force: true });
      dirs.add(path.dirname(o.file));
    }
    // the repacked old packs: every object they held is in a new, verified pack (index first, so no reader
    // finds an index without its pack)
    for (const r of repack) {
      await fsp.rm(r.pack.idxPath, { force: true });
      for (const ext of ['.pack', '.rev', '.bitmap', '.mtimes']) await fsp.rm(r.pack.packPath.slice(0, -5) + ext, { force: true });
    }
    if (repack.length) await fsyncDir(packDir);
    result.repackedPacks = repack.map((r) => path.basename(r.pack.packPath));
    for (const d of dirs) await fsp.rmdir(d).catch(() => undefined); // only when empty
    await fsyncDir(path.join(gitdir, 'objects'));
    await fsp.rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
    result.packedObjects = planned.size;
    result.packs = installed.map((p) => path.basename(p));
    return result;
  } catch (e) {
    for (const w of writers) await w.abort();
    if (e instanceof SavepointError) throw e;
    throw fromNodeError(e, 'compacting the vault');
  } finally {
    await release();
  }
}

async function addWhole(w: PackWriter, gitdir: string, o: Planned): Promise<void> {
  const location = o.location;
  if (o.size <= 4 << 20) {
    const { data } = await readObjectBuffer(gitdir, o.oid, { location });
    await w.addBuffer(o.oid, o.type, data);
    return;
  }
  await w.addStream(o.oid, o.type, o.size, async (push) => {
    await streamObject(gitdir, o.oid, { header() {}, chunk: (c) => push(c) }, { location });
  });
}

export interface AutoCompactPolicy {
  /** compact when loose objects take more than this many bytes (default 256 MiB) */
  maxLooseBytes?: number;
  /** … or when there are more than this many loose objects (default 5000) */
  maxLooseCount?: number;
}

/** Pure decision used by `autoCompact`. */
export function shouldCompact(stats: LooseObjectStats, policy: AutoCompactPolicy = {}): boolean {
  return stats.bytes > (policy.maxLooseBytes ?? 256 << 20) || stats.count > (policy.maxLooseCount ?? 5000);
}

/** Compact only when loose data exceeds the policy; returns null when nothing was needed. */
export async function autoCompact(opts: CompactOptions & AutoCompactPolicy): Promise<CompactResult | null> {
  const stats = await looseObjectStats(opts.gitdir);
  if (!shouldCompact(stats, opts)) return null;
  return compactObjects(opts);
}


/**
 * Read back every object of a freshly written pack and check its SHA-1. Entries are visited in pack order
 * and the previous object's content is kept (memory or temp file), so a delta chain newest → oldest costs
 * one pass instead of re-resolving the chain for every version.
 */
async function verifyPackSequential(gitdir: string, pack: PackHandle, tmpDir: string, onObject: () => void): Promise<void> {
  const entries = [...pack.idx.entries()].sort((a, b) => a.offset - b.offset);
  type Prev = { offset: number; type: ObjectType; reader: BaseReader & { close(): Promise<void> } };
  let prev: Prev | null = null;
  const fh = await fsp.open(pack.packPath, 'r');
  try {
    for (const { oid, offset } of entries) {
      const h = await readEntryHeader(fh, pack, offset);
      const sha1 = createHash('sha1');
      let mem: Buffer | null = null;
      let memAt = 0;
      let tmp: string | null = null;
      let out: import('node:fs/promises').FileHandle | null = null;
      let writer: BufferedFileWriter | null = null;
      let type: ObjectType;
      let size: number;
      const start = async (t: ObjectType, n: number) => {
        sha1.update(`${t} ${n}\0`);
        if (n <= MEMORY_BASE_LIMIT) mem = Buffer.allocUnsafe(n);
        else {
          await fsp.mkdir(tmpDir, { recursive: true });
          tmp = tempPath(tmpDir, 'tmp_verify');
          out = await fsp.open(tmp, 'wx', 0o600);
        }
      };
      const take = async (c: Uint8Array) => {
        sha1.update(c);
        if (mem) {
          if (memAt + c.length > mem.length) throw new CorruptObject('object is longer than declared');
          mem.set(c, memAt);
          memAt += c.length;
        } else {
          if (!writer) writer = new BufferedFileWriter(out!);
          await writer.write(c);
        }
      };
      try {
        const baseType = TYPE_BY_CODE[h.typeCode];
        if (baseType) {
          type = baseType;
          size = h.size;
          await start(type, size);
          const n = await inflateRange(pack.packPath, h.dataStart, h.end, take);
          if (n !== size) throw new CorruptObject(`object has ${n} bytes, expected ${size}`);
        } else if (h.typeCode === OFS_DELTA && prev && h.baseOffset === prev.offset) {
          const p: Prev = prev;
          type = p.type;
          let started = false;
          const interp: DeltaInterpreter = new DeltaInterpreter(p.reader, async (c) => {
            if (!started) {
              started = true;
              await start(type, interp.resultSize);
            }
            await take(c);
          });
          await inflateRange(pack.packPath, h.dataStart, h.end, (c) => interp.push(c));
          interp.finish();
          size = interp.resultSize;
          if (!started) await start(type, size);
        } else {
          // Not a continuation of the previous entry: resolve it the general way.
          let t: ObjectType = 'blob';
          let started: Promise<void> | null = null;
          const r = await streamObject(gitdir, oid, {
            header(tt, n) {
              t = tt;
              started = start(tt, n);
            },
            async chunk(c) {
              await started;
              await take(c);
            },
          }, { location: { kind: 'packed', pack, offset }, verifyOid: false });
          await started;
          type = t;
          size = r.size;
        }
        if (sha1.digest('hex') !== oid) throw new CorruptObject(`object ${oid} in the new pack does not hash to its id`);
      } catch (e) {
        await (out as import('node:fs/promises').FileHandle | null)?.close().catch(() => undefined);
        if (tmp) await fsp.rm(tmp, { force: true }).catch(() => undefined);
        throw e instanceof CorruptObject ? new SavepointError('E_OBJECT_CORRUPT', `The new pack failed verification (${e.message}); loose objects were kept.`, { oid }) : e;
      }
      if (prev) await prev.reader.close();
      if (mem) {
        const buf: Buffer = mem;
        prev = { offset, type, reader: Object.assign(memoryBase(buf), { close: async () => undefined }) };
      } else {
        await (writer as BufferedFileWriter | null)?.flush();
        await (out as import('node:fs/promises').FileHandle | null)?.close();
        prev = { offset, type, reader: await fileBase(tmp!, size, true) };
      }
      onObject();
    }
  } finally {
    await fh.close();
    if (prev) await prev.reader.close();
  }
}
