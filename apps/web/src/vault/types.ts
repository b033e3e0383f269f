/**
 * The vault as the page sees it. The adapter (adapter.ts) maps @savepoint/core/browser onto this shape; the
 * worker (worker.ts) serves it and the page talks to it through client.ts.
 */
import type { VersionRecord } from '@savepoint/core/browser';
import type { DiffResult } from '@savepoint/diff';

export type { VersionRecord, DiffResult };

export interface FileEntry {
  path: string;
  latestVersion: number;
  size: number;
  savedAt: string;
  tags: string[];
  versions: number;
}

export interface VerifyProblem {
  path: string;
  version: number;
  code: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** versions whose bytes were read and matched their recorded sha256 */
  verified: { path: string; version: number }[];
  problems: VerifyProblem[];
}

export interface SaveResult {
  version: number;
  commit: string;
  sha256: string;
  unchanged: boolean;
}

export interface SaveOptions {
  description?: string;
  experiment?: string;
  /** who saves; the page's default author when absent */
  author?: { name: string; email: string };
}

export interface Progress {
  phase: string;
  loaded?: number;
  total?: number;
}

/** A folder the user dropped: every file under it with its path relative to the dropped folder. */
export interface DroppedFile {
  path: string;
  file: Blob;
}

export interface VaultSource {
  kind: 'url' | 'folder';
  /** the URL, or the dropped folder's name */
  label: string;
}

export interface WebVault {
  source: VaultSource;
  files(): Promise<FileEntry[]>;
  versions(path: string): Promise<VersionRecord[]>;
  read(path: string, version: number): Promise<Uint8Array>;
  verify(onProgress?: (p: Progress) => void): Promise<VerifyReport>;
  diff(path: string, from: number, to: number): Promise<DiffResult>;
  save(path: string, data: Blob, o?: SaveOptions): Promise<SaveResult>;
  push(onProgress?: (p: Progress) => void): Promise<{ pushed: string[] }>;
}

/** An error as it crosses the worker boundary. */
export interface WireError {
  code: string;
  message: string;
}
