/**
 * Moving objects between repositories as packs, with bounded memory (issue 12 item 5): a pack to send is
 * written object by object (each streamed from the store and deflated on the fly) to a temp file; objects
 * copied straight into another repository (local-path remotes, either direction) go through the same
 * writer into that repository's pack folder — pack and index fsynced and renamed into place before any ref
 * moves, so a crash leaves at most an unreferenced pack.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { PackWriter, buildIndexV2, installPack } from '../store/pack-writer.js';
import { trackTemp } from '../util/cleanup.js';
import type { ProgressCallback } from '../util/progress.js';

/** Level 1: data files are big and often already compressed; speed matters more than a few percent. */
const LEVEL = 1;

export interface PackFile {
  /** temp file holding the whole pack */
  file: string;
  size: number;
  objects: number;
  checksum: string;
  remove(): Promise<void>;
}

/** Write `oids` (read from `srcGitdir`) as one pack in a temp file under `tmpDir`. */
export async function writePackFile(srcGitdir: string, oids: string[], tmpDir: string, onProgress?: ProgressCallback): Promise<PackFile> {
  const w = await PackWriter.create(tmpDir, oids.length, LEVEL);
  const untrack = trackTemp(w.tmpPack);
  try {
    let i = 0;
    for (const oid of oids) {
      await w.addFromStore(srcGitdir, oid, { tmpDir });
      if (++i % 64 === 0 || i === oids.length) onProgress?.({ phase: 'push: writing objects', loaded: i, total: oids.length });
    }
    const checksum = await w.finish();
    const size = (await fsp.stat(w.tmpPack)).size;
    return {
      file: w.tmpPack,
      size,
      objects: oids.length,
      checksum,
      remove: async () => {
        untrack();
        await fsp.rm(w.tmpPack, { force: true });
      },
    };
  } catch (e) {
    untrack();
    await w.abort();
    throw e;
  }
}

/** Copy `oids` from one repository into another as a new pack + index (nothing when the list is empty). */
export async function copyObjects(srcGitdir: string, dstGitdir: string, oids: string[], opts: { tmpDir: string; onProgress?: ProgressCallback; phase?: string }): Promise<void> {
  if (oids.length === 0) return;
  const packDir = path.join(dstGitdir, 'objects', 'pack');
  const w = await PackWriter.create(packDir, oids.length, LEVEL);
  const untrack = trackTemp(w.tmpPack);
  try {
    let i = 0;
    for (const oid of oids) {
      await w.addFromStore(srcGitdir, oid, { tmpDir: opts.tmpDir });
      if (++i % 64 === 0 || i === oids.length) opts.onProgress?.({ phase: opts.phase ?? 'copying objects', loaded: i, total: oids.length });
    }
    const sum = await w.finish();
    await installPack(packDir, w.tmpPack, sum, buildIndexV2(w.entries, sum));
  } catch (e) {
    await w.abort();
    throw e;
  } finally {
    untrack();
  }
}
