/**
 * The one place that knows how @savepoint/core/browser is called. Runs inside the Web Worker (worker.ts).
 * Switching to another core API changes this file only.
 */
import FS from '@isomorphic-git/lightning-fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/web';
import { readVaultHistoryDetailed, readVersionContent, SavepointError } from '@savepoint/core/browser';
import type { BrowserHistory } from '@savepoint/core/browser';
import { filesOf } from '../model/history.js';
import type { DiffResult, DroppedFile, Progress, SaveResult, VerifyReport, WebVault } from './types.js';

const DIR = '/vault';

function fsName(key: string): string {
  return `savepoint-web:${key}`;
}

function notYet(what: string): never {
  throw new SavepointError('E_INTERNAL', `${what} is not available in this build of the page yet.`, {});
}

function readOnlyVault(fs: FS, source: WebVault['source']): WebVault {
  const cache = {};
  let history: BrowserHistory | null = null;
  const hist = async () => (history ??= await readVaultHistoryDetailed({ fs, dir: DIR, cache }));
  return {
    source,
    async files() {
      return filesOf((await hist()).versions);
    },
    async versions(path) {
      return (await hist()).versions.filter((v) => v.path === path);
    },
    async read(path, version) {
      return readVersionContent({ fs, dir: DIR, cache, history: await hist(), address: `${path}@${version}` });
    },
    async verify(onProgress?: (p: Progress) => void): Promise<VerifyReport> {
      const h = await hist();
      const report: VerifyReport = { ok: true, verified: [], problems: [] };
      for (const [i, v] of h.versions.entries()) {
        onProgress?.({ phase: 'verifying', loaded: i, total: h.versions.length });
        try {
          await readVersionContent({ fs, dir: DIR, cache, history: h, address: `${v.path}@${v.version}` });
          report.verified.push({ path: v.path, version: v.version });
        } catch (e) {
          report.ok = false;
          const err = e as { code?: string; message?: string };
          report.problems.push({ path: v.path, version: v.version, code: err.code ?? 'E_INTERNAL', message: err.message ?? String(e) });
        }
      }
      return report;
    },
    async diff(): Promise<DiffResult> {
      return notYet('Diffing');
    },
    async save(): Promise<SaveResult> {
      return notYet('Saving');
    },
    async push() {
      return notYet('Pushing');
    },
  };
}

export async function openUrl(url: string, onProgress?: (p: Progress) => void): Promise<WebVault> {
  const fs = new FS(fsName(url), { wipe: true });
  await git.clone({ fs, http, dir: DIR, url, noCheckout: true, onProgress: (e) => onProgress?.({ phase: e.phase, loaded: e.loaded, total: e.total }) });
  try {
    await git.fetch({ fs, http, dir: DIR, url, ref: 'refs/notes/savepoint', remoteRef: 'refs/notes/savepoint', singleBranch: true });
  } catch {
    // a vault without notes still lists its versions from the commit trailers
  }
  return readOnlyVault(fs, { kind: 'url', label: url });
}

export async function openFolder(name: string, files: DroppedFile[], onProgress?: (p: Progress) => void): Promise<WebVault> {
  const gitFiles = files.filter((f) => f.path === '.git' || f.path.startsWith('.git/'));
  if (gitFiles.length === 0) {
    throw new SavepointError('E_NOT_A_VAULT', `The folder ${name} has no .git folder inside. Drop the vault's own folder (the one \`savepoint init\` made).`, { name });
  }
  const fs = new FS(fsName(`folder:${name}`), { wipe: true });
  const p = fs.promises;
  const made = new Set<string>();
  const mkdirs = async (path: string) => {
    const parts = path.split('/');
    let at = '';
    for (const part of parts) {
      at += `/${part}`;
      if (made.has(at)) continue;
      try {
        await p.mkdir(at);
      } catch {
        // exists
      }
      made.add(at);
    }
  };
  for (const [i, f] of gitFiles.entries()) {
    onProgress?.({ phase: 'copying', loaded: i, total: gitFiles.length });
    const full = `${DIR}/${f.path}`;
    await mkdirs(full.slice(1, full.lastIndexOf('/')));
    await p.writeFile(full, new Uint8Array(await f.file.arrayBuffer()));
  }
  return readOnlyVault(fs, { kind: 'folder', label: name });
}
