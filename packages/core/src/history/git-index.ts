/**
 * Updating a few entries of .git/index after a save on the checked-out history branch, so `git status`
 * stays clean. Entries get the file's real stat data (git then trusts them without re-hashing).
 * Handles index v2/v3 and drops optional cache extensions (git rebuilds them); anything else (v4,
 * split or sparse index) falls back to isomorphic-git.
 */
import { createHash } from 'node:crypto';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { isogit } from './isogit.js';

export interface IndexUpdate {
  path: string;
  oid: string;
  mode: number;
  /** stat this file for the entry instead of the working file (a save of `contentFrom` bytes that are renamed into place after the save; the working file may not exist yet) */
  statFrom?: string;
}

interface RawEntry {
  name: Buffer;
  stage: number;
  bytes: Buffer;
}

function parseEntries(buf: Buffer): { version: number; entries: RawEntry[]; supported: boolean } {
  if (buf.length < 32 || buf.toString('latin1', 0, 4) !== 'DIRC') return { version: 0, entries: [], supported: false };
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) return { version, entries: [], supported: false };
  const count = buf.readUInt32BE(8);
  const entries: RawEntry[] = [];
  let off = 12;
  for (let i = 0; i < count; i++) {
    const flags = buf.readUInt16BE(off + 60);
    const extended = (flags & 0x4000) !== 0;
    const nameStart = off + 62 + (extended ? 2 : 0);
    const nameEnd = buf.indexOf(0, nameStart);
    const len = nameEnd - off;
    const padded = len + (8 - (len % 8));
    entries.push({ name: buf.subarray(nameStart, nameEnd), stage: (flags >> 12) & 3, bytes: buf.subarray(off, off + padded) });
    off += padded;
  }
  // extensions: optional ones (upper-case signature) are dropped; a required one means we cannot rewrite safely
  while (off + 8 <= buf.length - 20) {
    const sig = buf.toString('latin1', off, off + 4);
    if (!(sig[0]! >= 'A' && sig[0]! <= 'Z')) return { version, entries, supported: false };
    off += 8 + buf.readUInt32BE(off + 4);
  }
  return { version, entries, supported: true };
}

function encodeEntry(name: Buffer, oid: string, mode: number, st: fs.BigIntStats): Buffer {
  const len = 62 + name.length;
  const total = len + (8 - (len % 8));
  const b = Buffer.alloc(total);
  const u32 = (v: bigint | number, at: number) => b.writeUInt32BE(Number(BigInt(v) & 0xffffffffn), at);
  u32(st.ctimeNs / 1_000_000_000n, 0);
  u32(st.ctimeNs % 1_000_000_000n, 4);
  u32(st.mtimeNs / 1_000_000_000n, 8);
  u32(st.mtimeNs % 1_000_000_000n, 12);
  u32(st.dev, 16);
  u32(st.ino, 20);
  u32(mode, 24);
  u32(st.uid, 28);
  u32(st.gid, 32);
  u32(st.size, 36);
  Buffer.from(oid, 'hex').copy(b, 40);
  b.writeUInt16BE(Math.min(name.length, 0xfff), 60);
  name.copy(b, 62);
  return b;
}

export async function updateIndexEntries(dir: string, gitdir: string, updates: IndexUpdate[]): Promise<void> {
  const file = path.join(gitdir, 'index');
  const buf = await fsp.readFile(file).catch(() => null);
  const parsed = buf ? parseEntries(buf) : { version: 2, entries: [], supported: true };
  if (!parsed.supported) {
    const git = await isogit();
    for (const u of updates) await git.updateIndex({ fs, dir, gitdir, filepath: u.path, oid: u.oid, add: true, mode: u.mode });
    return;
  }
  const byName = new Map<string, RawEntry[]>();
  for (const e of parsed.entries) {
    const key = e.name.toString('latin1');
    if (!byName.has(key)) byName.set(key, []);
    byName.get(key)!.push(e);
  }
  for (const u of updates) {
    const name = Buffer.from(u.path, 'utf8');
    const st = await fsp.stat(u.statFrom ?? path.join(dir, u.path), { bigint: true });
    byName.set(name.toString('latin1'), [{ name, stage: 0, bytes: encodeEntry(name, u.oid, u.mode, st) }]);
  }
  const all = [...byName.values()].flat().sort((a, b) => Buffer.compare(a.name, b.name) || a.stage - b.stage);
  const version = all.some((e) => (e.bytes.readUInt16BE(60) & 0x4000) !== 0) ? 3 : 2;
  const header = Buffer.alloc(12);
  header.write('DIRC', 0, 'latin1');
  header.writeUInt32BE(version, 4);
  header.writeUInt32BE(all.length, 8);
  const body = Buffer.concat([header, ...all.map((e) => e.bytes)]);
  const out = Buffer.concat([body, createHash('sha1').update(body).digest()]);
  const lock = `${file}.lock`;
  const h = await fsp.open(lock, 'wx');
  try {
    await h.writeFile(out);
  } finally {
    await h.close();
  }
  await fsp.rename(lock, file);
}
