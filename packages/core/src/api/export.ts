/**
 * export: checksums.txt (sha256sum -c), checksums.md5 (md5sum -c, when md5 is on) and manifest.json from the
 * notes. `refreshExports` keeps them current in `exportDir` after every save (see api/after-save.ts).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { buildChecksums, buildManifest } from '../model/exports.js';
import { loadVersionHistory } from '../history/versions.js';
import { toPosix } from '../util/paths.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { Vault } from '../vault.js';
import type { VersionHistory } from '../history/versions.js';
import { Keyring, encryptBuffer, newKdf } from '../crypto/chunked.js';

export interface ExportOptions {
  /** folder to write into (default: the vault root) */
  outDir?: string;
  /** issue 12: write each file encrypted (`<name>.enc`, chunked AES-256-GCM) with the vault's key; read back with `savepoint decrypt` */
  encrypt?: boolean;
}

export interface ExportResult {
  checksums: string;
  /** written when the vault records md5 (`checksum.md5: true`) */
  md5?: string;
  manifest: string;
  files: number;
  versions: number;
}

/** Temp file in the same folder, fsync, rename: a reader sees the old or the new file, never half of one. */
const writeAtomic = (file: string, data: string | Buffer): Promise<void> => writeFileAtomic(file, data, { mode: 0o644 });

/** `loaded`: the history as the caller just read it (the after-save pipeline shares one read). */
export async function exportChecksums(vault: Vault, opts: ExportOptions = {}, loaded?: VersionHistory): Promise<ExportResult> {
  const history = loaded ?? (await loadVersionHistory(vault));
  const outDir = path.resolve(vault.dir, opts.outDir ?? '.');
  await fsp.mkdir(outDir, { recursive: true });
  // issue 12: encrypted exports are `<name>.enc`, sealed with one fresh salt for this export
  const seal = opts.encrypt ? await exportSealer(vault) : null;
  const ext = seal ? '.enc' : '';
  const write = async (file: string, text: string) => writeAtomic(file, seal ? await seal(text) : text);
  const checksums = path.join(outDir, `checksums.txt${ext}`);
  const manifest = path.join(outDir, `manifest.json${ext}`);
  await write(checksums, buildChecksums(history.versions));
  let md5: string | undefined;
  if (vault.config.checksum.md5) {
    md5 = path.join(outDir, `checksums.md5${ext}`);
    await write(md5, buildChecksums(history.versions, 'md5'));
  }
  await write(manifest, JSON.stringify(buildManifest(history.versions, vault.clock()), null, 2) + '\n');
  return { checksums, ...(md5 ? { md5 } : {}), manifest, files: new Set(history.versions.map((v) => v.path)).size, versions: history.versions.length };
}

/** The vault-relative POSIX folder of `exportDir` (with a trailing slash), or null when it is not configured. */
export function exportDirPrefix(vault: Vault): string | null {
  const d = vault.config.exportDir;
  if (d === undefined) return null;
  return toPosix(path.relative(vault.dir, path.resolve(vault.dir, d))).replace(/\/$/, '') + '/';
}

/**
 * Refresh `exportDir` (a no-op returning null when it is not configured). Also makes sure git never sees the
 * folder: an `info/exclude` line, so it never shows in `git status` even in a vault made before exportDir.
 */
export async function refreshExports(vault: Vault, loaded?: VersionHistory): Promise<ExportResult | null> {
  const prefix = exportDirPrefix(vault);
  if (prefix === null) return null;
  if (prefix.startsWith('../') || prefix === '/' || prefix === './') {
    throw new SavepointError('E_CONFIG_INVALID', `"exportDir": "${vault.config.exportDir}" is not a folder inside the vault. Use a vault-relative folder such as "backups".`, { exportDir: vault.config.exportDir });
  }
  const exclude = path.join(vault.gitdir, 'info', 'exclude');
  const line = `/${prefix}`;
  const current = await fsp.readFile(exclude, 'utf8').catch(() => '');
  if (!current.split('\n').includes(line)) {
    await fsp.mkdir(path.dirname(exclude), { recursive: true });
    await fsp.appendFile(exclude, `${current && !current.endsWith('\n') ? '\n' : ''}${line}\n`);
  }
  return exportChecksums(vault, { outDir: prefix }, loaded);
}

// --- issue 12 item 4: encrypted exports
async function exportSealer(vault: Vault): Promise<(text: string) => Promise<Buffer>> {
  if (!vault.key) throw new SavepointError('E_INVALID_ARGUMENT', 'export --encrypt needs a key: set SAVEPOINT_PASSPHRASE (or SAVEPOINT_KEY_FILE), or run in a terminal to be asked.', {});
  const ring = new Keyring(vault.key);
  const kdf = await newKdf(ring);
  return (text) => encryptBuffer(ring, kdf, Buffer.from(text, 'utf8'));
}
// ---
