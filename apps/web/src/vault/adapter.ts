/**
 * The one place that knows how @savepoint/core/browser is called. Runs inside the Web Worker (worker.ts), so
 * cloning, checksums and diffs never block the page. Switching to another core API changes this file only.
 */
import FS from '@isomorphic-git/lightning-fs';
import http from 'isomorphic-git/http/web';
import { cloneVault, openVault, SavepointError } from '@savepoint/core/browser';
import type { BrowserAuthor, BrowserVault, BrowserVerifyReport } from '@savepoint/core/browser';
import type { DroppedFile, Progress, VerifyReport, WebVault } from './types.js';

const DIR = '/vault';

/** Who the page saves as when the user gave no name (the note and commit record it). */
export const DEFAULT_AUTHOR: BrowserAuthor = { name: 'Savepoint web', email: 'web@savepoint.invalid' };

function fsName(key: string): string {
  return `savepoint-web:${key}`;
}

/** core's verify report as the page shows it: verified versions and problems. */
export function verifyReportOf(r: BrowserVerifyReport): VerifyReport {
  return {
    ok: r.ok,
    // `unnoted`: the bytes match the sha256 in the commit trailer; only the note is missing
    verified: r.items.filter((i) => i.status === 'verified' || i.status === 'unnoted').map((i) => ({ path: i.path, version: i.version })),
    problems: r.items
      .filter((i) => i.status === 'corrupted' || i.status === 'missing')
      .map((i) => ({ path: i.path, version: i.version, code: i.code ?? (i.status === 'missing' ? 'E_OBJECT_MISSING' : 'E_CHECKSUM_MISMATCH'), message: i.message ?? `${i.path}@${i.version} is ${i.status}` })),
  };
}

function wrap(fs: FS, v: BrowserVault, source: WebVault['source'], url: string | null): WebVault {
  let vault = v;
  let author: BrowserAuthor = DEFAULT_AUTHOR;
  return {
    source,
    files: () => vault.files(),
    versions: (path) => vault.versions(path),
    read: (path, version) => vault.read(path, version),
    async verify(onProgress?: (p: Progress) => void) {
      return verifyReportOf(await vault.verify(onProgress ? { onProgress: (e) => onProgress({ phase: e.phase, loaded: e.loaded, total: e.total }) } : {}));
    },
    diff: (path, from, to) => vault.diff(path, from, to),
    async save(path, data, o = {}) {
      const who = o.author && o.author.name.trim() && o.author.email.trim() ? { name: o.author.name.trim(), email: o.author.email.trim() } : DEFAULT_AUTHOR;
      if (who.name !== author.name || who.email !== author.email) {
        vault = await openVault({ fs, dir: DIR, http, author: who });
        author = who;
      }
      const r = await vault.save(path, data, { ...(o.description ? { description: o.description } : {}), ...(o.experiment ? { experiment: o.experiment } : {}) });
      return { version: r.version, commit: r.commit, sha256: r.sha256, unchanged: r.unchanged };
    },
    async push(onProgress?: (p: Progress) => void) {
      if (!url) throw new SavepointError('E_INVALID_ARGUMENT', 'This vault was opened from a folder, so there is no server to push to. Open it by URL to push.', {});
      const r = await vault.push({ url, ...(onProgress ? { onProgress: (e) => onProgress({ phase: e.phase, loaded: e.loaded, total: e.total }) } : {}) });
      return { pushed: r.pushed };
    },
  };
}

export async function openUrl(url: string, onProgress?: (p: Progress) => void): Promise<WebVault> {
  const fs = new FS(fsName(url), { wipe: true });
  const v = await cloneVault({ fs, dir: DIR, http, url, author: DEFAULT_AUTHOR, ...(onProgress ? { onProgress: (e) => onProgress({ phase: e.phase, loaded: e.loaded, total: e.total }) } : {}) });
  return wrap(fs, v, { kind: 'url', label: url }, url);
}

export async function openFolder(name: string, files: DroppedFile[], onProgress?: (p: Progress) => void): Promise<WebVault> {
  const gitFiles = files.filter((f) => f.path === '.git' || f.path.startsWith('.git/'));
  if (gitFiles.length === 0) {
    throw new SavepointError('E_NOT_A_VAULT', `The folder ${name} has no .git folder inside. Drop the vault's own folder (the one \`savepoint init\` made).`, { name });
  }
  const fs = new FS(fsName(`folder:${name}`), { wipe: true });
  const p = fs.promises;
  const made = new Set<string>();
  for (const [i, f] of gitFiles.entries()) {
    onProgress?.({ phase: 'copying', loaded: i, total: gitFiles.length });
    const full = `${DIR}/${f.path}`;
    const parts = full.split('/').slice(1, -1);
    let at = '';
    for (const part of parts) {
      at += `/${part}`;
      if (made.has(at)) continue;
      try {
        await p.mkdir(at);
      } catch {
        // already there
      }
      made.add(at);
    }
    await p.writeFile(full, new Uint8Array(await f.file.arrayBuffer()));
  }
  const v = await openVault({ fs, dir: DIR, http, author: DEFAULT_AUTHOR });
  return wrap(fs, v, { kind: 'folder', label: name }, null);
}
