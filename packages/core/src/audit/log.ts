/**
 * The audit log: `.git/savepoint/audit.log`, one JSON line per operation that changed the vault or read it
 * for export (time, user, host, command, paths, versions, result). Created owner-only (0600), only ever
 * appended to (O_APPEND, one write per line, so lines of concurrent processes never interleave); Savepoint
 * never truncates or rewrites it. Reading tolerates a damaged or half-written line (it is skipped).
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const AUDIT_FILE = 'audit.log';

export interface AuditEntry {
  /** ISO time the operation finished */
  time: string;
  user: string;
  host: string;
  pid: number;
  /** e.g. "save", "retention apply", "remote push" */
  command: string;
  /** the operands (files, addresses, names); URLs without their credentials */
  paths: string[];
  /** versions written or read, `path@n` */
  versions: string[];
  /** "ok", or the error code */
  result: string;
  /** the error message when result is not ok */
  message?: string;
}

export function auditFile(gitdir: string): string {
  return path.join(gitdir, 'savepoint', AUDIT_FILE);
}

/** Pure: drop credentials from anything that looks like a URL (`https://user:secret@host` → `https://***@host`). */
export function redactCredentials(s: string): string {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

function whoami(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

/** Fill in time, user, host and pid. */
export function auditEntry(e: Omit<AuditEntry, 'time' | 'user' | 'host' | 'pid'> & { time?: Date }): AuditEntry {
  const { time, ...rest } = e;
  return { time: (time ?? new Date()).toISOString(), user: whoami(), host: os.hostname(), pid: process.pid, ...rest, paths: rest.paths.map(redactCredentials) };
}

/** Append one line (O_APPEND, created 0600; a wider file left by someone else is narrowed to 0600). */
export async function appendAudit(gitdir: string, entry: AuditEntry): Promise<void> {
  const file = auditFile(gitdir);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const line = Buffer.from(JSON.stringify(entry).replace(/\n/g, ' ') + '\n');
  const h = await fsp.open(file, 'a', 0o600);
  try {
    const st = await h.stat();
    if ((st.mode & 0o077) !== 0) await h.chmod(st.mode & 0o700);
    // one write() per line: with O_APPEND the kernel places it whole at the end
    let off = 0;
    while (off < line.length) off += (await h.write(line, off, line.length - off)).bytesWritten;
  } finally {
    await h.close();
  }
}

/** Pure: the entries of an audit log's text at or after `since` (damaged lines skipped). */
export function parseAudit(text: string, since?: Date): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as AuditEntry;
      if (typeof e?.time !== 'string' || typeof e.command !== 'string') continue;
      if (since && !(Date.parse(e.time) >= since.getTime())) continue;
      out.push(e);
    } catch {
      // a torn or foreign line: not an entry
    }
  }
  return out;
}

export async function readAudit(gitdir: string, since?: Date): Promise<AuditEntry[]> {
  const text = await fsp.readFile(auditFile(gitdir), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '';
    throw e;
  });
  return parseAudit(text, since);
}
