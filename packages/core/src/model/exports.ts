/** checksums.txt (sha256sum -c format) and manifest.json, regenerable from notes at any time. Pure. */
import { checksumLine } from './checksum-line.js';
import type { VersionRecord } from './version.js';

/**
 * Latest version of every path, so `sha256sum -c checksums.txt` (or, with `'md5'`, `md5sum -c checksums.md5`)
 * passes on the current/restored files. For md5, paths whose latest version has no md5 (saved before md5 was
 * enabled) are left out rather than listed with a wrong sum.
 */
export function buildChecksums(versions: VersionRecord[], algorithm: 'sha256' | 'md5' = 'sha256'): string {
  const latest = new Map<string, VersionRecord>();
  for (const v of versions) {
    const cur = latest.get(v.path);
    if (!cur || v.version > cur.version) latest.set(v.path, v);
  }
  const paths = [...latest.keys()].filter((p) => algorithm === 'sha256' || !!latest.get(p)!.md5).sort();
  return paths
    .map((p) => {
      const v = latest.get(p)!;
      return `${checksumLine((algorithm === 'md5' ? v.md5 : v.sha256)!, p)}\n`;
    })
    .join('');
}

export interface ManifestEntry {
  path: string;
  version: number;
  size: number;
  sha256: string;
  md5?: string;
  savedAt: string;
  commit: string;
  tags: string[];
  experiment?: string;
  status: string;
  archive?: string;
}

export interface Manifest {
  schema: 1;
  generatedAt: string;
  files: ManifestEntry[];
}

export function buildManifest(versions: VersionRecord[], now: Date): Manifest {
  const files = [...versions]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.version - b.version))
    .map((v) => {
      const e: ManifestEntry = { path: v.path, version: v.version, size: v.size, sha256: v.sha256, savedAt: v.savedAt, commit: v.commit, tags: v.tags, status: v.status };
      if (v.md5) e.md5 = v.md5;
      if (v.experiment) e.experiment = v.experiment;
      if (v.archive) e.archive = v.archive;
      return e;
    });
  return { schema: 1, generatedAt: now.toISOString(), files };
}
