/** export: checksums.txt (sha256sum -c) and manifest.json from the notes. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { buildChecksums, buildManifest } from '../model/exports.js';
import { loadHistory } from '../history/versions.js';
import type { Vault } from '../vault.js';

export interface ExportOptions {
  /** folder to write into (default: the vault root) */
  outDir?: string;
}

export interface ExportResult {
  checksums: string;
  manifest: string;
  files: number;
  versions: number;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, text);
  await fsp.rename(tmp, file);
}

export async function exportChecksums(vault: Vault, opts: ExportOptions = {}): Promise<ExportResult> {
  const history = await loadHistory(vault);
  const outDir = path.resolve(vault.dir, opts.outDir ?? '.');
  await fsp.mkdir(outDir, { recursive: true });
  const checksums = path.join(outDir, 'checksums.txt');
  const manifest = path.join(outDir, 'manifest.json');
  await writeAtomic(checksums, buildChecksums(history.versions));
  await writeAtomic(manifest, JSON.stringify(buildManifest(history.versions, vault.clock()), null, 2) + '\n');
  return { checksums, manifest, files: new Set(history.versions.map((v) => v.path)).size, versions: history.versions.length };
}
