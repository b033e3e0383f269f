/**
 * Index a pack received from a remote (what `git index-pack` does) with bounded memory (issue 12 item 5):
 * the pack is already in a temp file; entry boundaries come from inflating each entry as a stream (zlib
 * reports how many input bytes the entry used), whole objects are hashed as they inflate, deltas are resolved
 * through the store's streaming reader (large bases go to temp files), and one sequential pass checks the
 * pack's SHA-1 trailer and computes every entry's CRC-32. Then pack and index are fsynced and renamed into
 * place. A damaged or truncated pack is refused and removed: nothing in the vault changes.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SavepointError } from '../errors.js';
import { crc32 } from '../store/crc32.js';
import type { PackIndex } from '../store/pack-index.js';
import { buildIndexV2, installPack } from '../store/pack-writer.js';
import type { PackEntryRecord } from '../store/pack-writer.js';
import { streamObject } from '../store/reader.js';
import { OFS_DELTA, REF_DELTA, TYPE_BY_CODE } from '../store/object-types.js';
import type { PackHandle } from '../store/reader.js';
import { trackTemp } from '../util/cleanup.js';
import type { ProgressCallback } from '../util/progress.js';


function damaged(why: string): SavepointError {
  return new SavepointError('E_REMOTE_UNREACHABLE', `The pack received from the remote is damaged (${why}). Nothing was changed; try again.`, { reason: why });
}

interface Entry {
  offset: number;
  end: number;
  typeCode: number;
  baseOffset?: number;
  baseOid?: string;
  oid?: string;
}

/** Inflate the zlib stream starting at `start`; returns the compressed length. `onData` sees the content. */
function inflateFrom(file: string, start: number, limit: number, sizeHint: number, onData?: (c: Buffer) => void): Promise<{ used: number; produced: number }> {
  return new Promise((resolve, reject) => {
    const rs = createReadStream(file, { start, end: limit - 1, highWaterMark: Math.max(4096, Math.min(1 << 20, sizeHint + 1024)) });
    const inf = zlib.createInflate();
    let produced = 0;
    let done = false;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      rs.destroy();
      reject(e);
    };
    inf.on('data', (c: Buffer) => {
      produced += c.length;
      onData?.(c);
    });
    inf.on('end', () => {
      if (done) return;
      done = true;
      rs.destroy();
      resolve({ used: inf.bytesWritten, produced });
    });
    inf.on('error', (e) => fail(damaged(`zlib: ${e.message}`)));
    rs.on('error', fail);
    rs.on('data', (c) => {
      if (done) return;
      if (!inf.write(c)) rs.pause();
    });
    inf.on('drain', () => rs.resume());
    rs.on('end', () => {
      if (!done) inf.end();
    });
  });
}

/**
 * Verify and index the pack in `tmpPack` (a file inside `<gitdir>/objects/pack`), then install it under its
 * checksum name. The temp file is gone afterwards either way.
 */
export async function storeReceivedPack(gitdir: string, tmpPack: string, opts: { onProgress?: ProgressCallback } = {}): Promise<void> {
  const untrack = trackTemp(tmpPack);
  try {
    const size = (await fsp.stat(tmpPack)).size;
    const fh = await fsp.open(tmpPack, 'r');
    const entries: Entry[] = [];
    let count: number;
    try {
      const head = Buffer.alloc(12);
      await fh.read(head, 0, 12, 0);
      if (size < 32 || head.toString('latin1', 0, 4) !== 'PACK') throw new SavepointError('E_REMOTE_UNREACHABLE', 'The remote sent data that is not a git pack. Try again; if it persists, check the server.', {});
      const version = head.readUInt32BE(4);
      if (version !== 2 && version !== 3) throw damaged(`pack version ${version}`);
      count = head.readUInt32BE(8);
      // entry boundaries (and ids of whole objects)
      let offset = 12;
      const hb = Buffer.alloc(64);
      for (let i = 0; i < count; i++) {
        if (offset >= size - 20) throw damaged('truncated');
        const { bytesRead } = await fh.read(hb, 0, 64, offset);
        let p = 0;
        let c = hb[p++]!;
        const typeCode = (c >> 4) & 7;
        let objSize = c & 15;
        let shift = 16;
        while (c & 0x80) {
          if (p >= bytesRead) throw damaged('bad entry header');
          c = hb[p++]!;
          objSize += (c & 0x7f) * shift;
          shift *= 128;
        }
        const e: Entry = { offset, end: 0, typeCode };
        if (typeCode === OFS_DELTA) {
          c = hb[p++]!;
          let rel = c & 0x7f;
          while (c & 0x80) {
            c = hb[p++]!;
            rel = (rel + 1) * 128 + (c & 0x7f);
          }
          e.baseOffset = offset - rel;
          if (e.baseOffset < 12) throw damaged('delta base out of range');
        } else if (typeCode === REF_DELTA) {
          e.baseOid = hb.subarray(p, p + 20).toString('hex');
          p += 20;
        } else if (!TYPE_BY_CODE[typeCode]) throw damaged(`unknown entry type ${typeCode}`);
        if (p > bytesRead) throw damaged('truncated');
        const type = TYPE_BY_CODE[typeCode];
        const sha = type ? createHash('sha1').update(`${type} ${objSize}\0`) : null;
        const { used, produced } = await inflateFrom(tmpPack, offset + p, size - 20, objSize, sha ? (d) => sha.update(d) : undefined);
        if (produced !== objSize) throw damaged(`entry at ${offset} has ${produced} bytes, its header says ${objSize}`);
        e.end = offset + p + used;
        if (sha) e.oid = sha.digest('hex');
        entries.push(e);
        offset = e.end;
        if ((i + 1) % 256 === 0 || i + 1 === count) opts.onProgress?.({ phase: 'fetch: indexing objects', loaded: i + 1, total: count });
      }
      if (offset !== size - 20) throw damaged('unexpected bytes after the last object');
    } finally {
      await fh.close();
    }
    // one pass: the trailer checksum and each entry's CRC-32
    const sha = createHash('sha1');
    const crcs = new Array<number>(entries.length).fill(0);
    let pos = 0;
    let k = 0;
    let trailer = Buffer.alloc(0);
    for await (const chunk of createReadStream(tmpPack, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      const body = chunk.subarray(0, Math.max(0, Math.min(chunk.length, size - 20 - pos)));
      sha.update(body);
      if (body.length < chunk.length) trailer = Buffer.concat([trailer, chunk.subarray(body.length)]);
      let q = 0;
      while (q < body.length && k < entries.length) {
        const e = entries[k]!;
        const at = pos + q;
        if (at < e.offset) {
          q += e.offset - at;
          continue;
        }
        const n = Math.min(body.length - q, e.end - at);
        crcs[k] = crc32(body.subarray(q, q + n), crcs[k]);
        q += n;
        if (at + n >= e.end) k++;
      }
      pos += chunk.length;
    }
    const checksum = sha.digest('hex');
    if (trailer.toString('hex') !== checksum) throw damaged('checksum mismatch');
    // deltas: resolved through the streaming reader over a provisional index
    const byOffset = new Map(entries.map((e, i) => [e.offset, i]));
    const byOid = new Map<string, number>();
    for (const e of entries) if (e.oid) byOid.set(e.oid, e.offset);
    const idx = {
      version: 2,
      count: entries.length,
      find: (oid: string) => byOid.get(oid) ?? -1,
      entryEnd: (off: number) => entries[byOffset.get(off)!]?.end ?? size - 20,
      crcAt: () => undefined,
      *entries() {
        for (const [oid, offset] of byOid) yield { oid, offset };
      },
      oidAt: (i: number) => entries[i]?.oid ?? '',
      offsetAt: (i: number) => entries[i]?.offset ?? -1,
      crcAtIndex: () => undefined,
      packChecksum: checksum,
    } as unknown as PackIndex;
    const handle: PackHandle = { packPath: tmpPack, idxPath: `${tmpPack}.idx`, idx, packSize: size };
    const tmpDir = path.join(gitdir, 'objects', 'tmp-savepoint');
    let pending = entries.filter((e) => !e.oid);
    while (pending.length) {
      const next: Entry[] = [];
      // a REF_DELTA's base may be a later delta of this pack: deferred to the next round when still missing
      for (const e of pending) {
        const h = createHash('sha1');
        try {
          await streamObject(gitdir, '0'.repeat(40), { header: (t, s) => void h.update(`${t} ${s}\0`), chunk: (c) => void h.update(c) }, { location: { kind: 'packed', pack: handle, offset: e.offset }, verifyOid: false, tmpDir });
        } catch (err) {
          if (e.baseOid && err instanceof SavepointError && err.code === 'E_OBJECT_MISSING') {
            next.push(e);
            continue;
          }
          throw err instanceof SavepointError && err.code === 'E_OBJECT_CORRUPT' ? damaged(err.message) : err;
        }
        e.oid = h.digest('hex');
        byOid.set(e.oid, e.offset);
      }
      if (next.length === pending.length) throw damaged(`${next.length} deltas name bases neither the pack nor the vault has`);
      pending = next;
    }
    const records: PackEntryRecord[] = entries.map((e, i) => ({ oid: e.oid!, offset: e.offset, crc: crcs[i]! >>> 0 }));
    await installPack(path.dirname(tmpPack), tmpPack, checksum, buildIndexV2(records, checksum));
  } finally {
    untrack();
    await fsp.rm(tmpPack, { force: true });
  }
}
