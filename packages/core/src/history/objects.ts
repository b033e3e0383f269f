/**
 * Small git objects (trees, commits, tags, note blobs) written and read directly: node:crypto SHA-1 and
 * synchronous zlib are an order of magnitude cheaper per object than going through isomorphic-git, and
 * they keep the save path free of loading it. Big blobs go through ../store (streaming).
 */
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SavepointError } from '../errors.js';
import { readObjectBuffer } from '../store/reader.js';

import { isObjectType, type ObjectType } from '../store/object-types.js';
export type { ObjectType };

export interface TreeEntry {
  /** '100644', '100755', '120000', '040000' (trees), '160000' (submodules) */
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

export interface Person {
  name: string;
  email: string;
  timestamp: number;
  /** minutes west of UTC, as in isomorphic-git (so UTC+2 is -120) */
  timezoneOffset: number;
}

export interface Commit {
  tree: string;
  parent: string[];
  author: Person;
  committer: Person;
  message: string;
}

export interface Tag {
  object: string;
  type: string;
  tag: string;
  tagger: Person;
  message: string;
}

let seq = 0;

function objectPath(gitdir: string, oid: string): string {
  return path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
}

export function hashObject(type: ObjectType, content: Buffer): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

/** Write a loose object (temp file + rename, as git does); a no-op when it already exists loose. */
export async function writeObject(gitdir: string, type: ObjectType, content: Buffer): Promise<string> {
  const oid = hashObject(type, content);
  const dest = objectPath(gitdir, oid);
  try {
    await fsp.access(dest);
    return oid;
  } catch {
    // not there yet
  }
  const body = zlib.deflateSync(Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]), { level: 1 });
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  seq += 1;
  const tmp = path.join(gitdir, 'objects', `tmp_small_${process.pid}_${seq}`);
  await fsp.writeFile(tmp, body, { mode: 0o444 });
  await fsp.rename(tmp, dest);
  return oid;
}

/** Read a whole object (small ones: trees, commits, tags, notes). */
export async function readObject(gitdir: string, oid: string): Promise<{ type: ObjectType; data: Buffer }> {
  let raw: Buffer | null = null;
  try {
    // Synchronous on purpose: these objects are a few hundred bytes, and history walks (retention's rewrite and
    // prune, reindex) read thousands one after another, where a thread-pool round trip per file cost ~5× the
    // read itself (1,000-save vault: 2.5 s of mostly waiting for one archiving save).
    raw = readFileSync(objectPath(gitdir, oid));
  } catch {
    raw = null;
  }
  if (raw) {
    let buf: Buffer;
    try {
      buf = zlib.inflateSync(raw);
    } catch (e) {
      throw new SavepointError('E_OBJECT_CORRUPT', `Stored object ${oid} cannot be inflated. Run \`savepoint verify\`.`, { oid }, { cause: e });
    }
    const nul = buf.indexOf(0);
    const [type, size] = buf.subarray(0, nul).toString('latin1').split(' ');
    const data = buf.subarray(nul + 1);
    if (!type || !isObjectType(type) || Number(size) !== data.length || hashObject(type, data) !== oid) {
      throw new SavepointError('E_OBJECT_CORRUPT', `Stored object ${oid} is damaged (its content does not hash to its name). Run \`savepoint verify\`.`, { oid });
    }
    return { type, data };
  }
  return readObjectBuffer(gitdir, oid);
}

async function readTyped(gitdir: string, oid: string, want: ObjectType): Promise<Buffer> {
  const { type, data } = await readObject(gitdir, oid);
  if (type !== want) throw new SavepointError('E_OBJECT_CORRUPT', `Object ${oid} is a ${type}, expected a ${want}.`, { oid });
  return data;
}

// ------------------------------------------------------------------ trees

export function parseTree(data: Buffer): TreeEntry[] {
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    const nul = data.indexOf(0, sp);
    const mode = data.subarray(i, sp).toString('latin1').padStart(6, '0');
    const name = data.subarray(sp + 1, nul).toString('utf8');
    const oid = data.subarray(nul + 1, nul + 21).toString('hex');
    out.push({ mode, path: name, oid, type: mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob' });
    i = nul + 21;
  }
  return out;
}

/** Git orders tree entries by name, comparing directories as if their name ended in '/'. */
function treeKey(e: TreeEntry): Buffer {
  return Buffer.from(e.type === 'tree' ? `${e.path}/` : e.path, 'utf8');
}

export function serializeTree(entries: TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(treeKey(a), treeKey(b)));
  const parts: Buffer[] = [];
  for (const e of sorted) {
    const mode = e.type === 'tree' ? '40000' : e.mode.replace(/^0+/, '');
    parts.push(Buffer.from(`${mode} ${e.path}\0`, 'utf8'), Buffer.from(e.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

export async function readTree(gitdir: string, oid: string): Promise<TreeEntry[]> {
  return parseTree(await readTyped(gitdir, oid, 'tree'));
}

export function writeTreeObject(gitdir: string, entries: TreeEntry[]): Promise<string> {
  return writeObject(gitdir, 'tree', serializeTree(entries));
}

// ------------------------------------------------------------------ people, commits, tags

function formatPerson(p: Person): string {
  const off = -p.timezoneOffset;
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${p.name} <${p.email}> ${p.timestamp} ${tz}`;
}

function parsePerson(text: string): Person {
  const m = /^(.*) <(.*)> (\d+) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return { name: text, email: '', timestamp: 0, timezoneOffset: 0 };
  const minutes = Number(m[5]) * 60 + Number(m[6]);
  return { name: m[1]!, email: m[2]!, timestamp: Number(m[3]), timezoneOffset: m[4] === '-' ? minutes : -minutes };
}

/** Split "key value" header lines (with continuation lines for gpgsig) from the message. */
function parseHeaders(text: string): { headers: [string, string][]; message: string } {
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const message = end === -1 ? '' : text.slice(end + 2);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    if (line.startsWith(' ') && headers.length) headers[headers.length - 1]![1] += '\n' + line.slice(1);
    else {
      const sp = line.indexOf(' ');
      headers.push([line.slice(0, sp), line.slice(sp + 1)]);
    }
  }
  return { headers, message };
}

export function parseCommit(data: Buffer): Commit {
  const { headers, message } = parseHeaders(data.toString('utf8'));
  const c: Commit = { tree: '', parent: [], author: parsePerson(''), committer: parsePerson(''), message };
  for (const [k, v] of headers) {
    if (k === 'tree') c.tree = v;
    else if (k === 'parent') c.parent.push(v);
    else if (k === 'author') c.author = parsePerson(v);
    else if (k === 'committer') c.committer = parsePerson(v);
  }
  return c;
}

export function serializeCommit(c: Commit): Buffer {
  const lines = [`tree ${c.tree}`, ...c.parent.map((p) => `parent ${p}`), `author ${formatPerson(c.author)}`, `committer ${formatPerson(c.committer)}`];
  return Buffer.from(`${lines.join('\n')}\n\n${c.message}`, 'utf8');
}

export async function readCommitObject(gitdir: string, oid: string): Promise<Commit> {
  return parseCommit(await readTyped(gitdir, oid, 'commit'));
}

export function parseTag(data: Buffer): Tag {
  const { headers, message } = parseHeaders(data.toString('utf8'));
  const t: Tag = { object: '', type: '', tag: '', tagger: parsePerson(''), message };
  for (const [k, v] of headers) {
    if (k === 'object') t.object = v;
    else if (k === 'type') t.type = v;
    else if (k === 'tag') t.tag = v;
    else if (k === 'tagger') t.tagger = parsePerson(v);
  }
  return t;
}

export function serializeTag(t: Tag): Buffer {
  return Buffer.from(`object ${t.object}\ntype ${t.type}\ntag ${t.tag}\ntagger ${formatPerson(t.tagger)}\n\n${t.message}`, 'utf8');
}
