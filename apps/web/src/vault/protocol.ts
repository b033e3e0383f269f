/** Messages between the page and the vault worker. Pure data, so both sides share one definition. */
import type { DroppedFile, Progress, SaveOptions, WireError } from './types.js';

export type Request =
  | { id: number; method: 'openUrl'; url: string }
  | { id: number; method: 'openFolder'; name: string; files: DroppedFile[] }
  | { id: number; method: 'files' }
  | { id: number; method: 'versions'; path: string }
  | { id: number; method: 'read'; path: string; version: number }
  | { id: number; method: 'verify' }
  | { id: number; method: 'diff'; path: string; from: number; to: number }
  | { id: number; method: 'save'; path: string; data: Blob; options: SaveOptions }
  | { id: number; method: 'push' }
  | { id: number; method: 'ping' };

export type Reply =
  | { id: number; kind: 'ok'; value: unknown }
  | { id: number; kind: 'error'; error: WireError }
  | { id: number; kind: 'progress'; progress: Progress };

/** Any thrown value as a plain `{code, message}` (SavepointError, DiffError and isomorphic-git errors keep their code). */
export function toWireError(e: unknown): WireError {
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown };
    const message = typeof o.message === 'string' ? o.message : String(e);
    return { code: typeof o.code === 'string' ? o.code : 'E_INTERNAL', message };
  }
  return { code: 'E_INTERNAL', message: String(e) };
}

export class VaultError extends Error {
  readonly code: string;
  constructor(w: WireError) {
    super(w.message);
    this.code = w.code;
    this.name = 'VaultError';
  }
}
