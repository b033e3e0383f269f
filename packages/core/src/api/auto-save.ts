/**
 * Automatic saves for apps and `savepoint watch`: changes to a path are debounced, then saved as
 * kind `auto`. A failed save never throws into the caller and never touches the user's file: it is
 * retried with exponential backoff, then reported as `failed` so the app can warn the user.
 */
import path from 'node:path';
import { isSavepointError } from '../errors.js';
import { recordOperation } from '../health/record.js';
import type { Vault } from '../vault.js';
import { save } from './save.js';

export type AutoSaveEvent =
  | { type: 'saved'; path: string; version: number; commit: string }
  | { type: 'unchanged'; path: string; version: number }
  | { type: 'retry'; path: string; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'failed'; path: string; attempts: number; code: string; message: string };

export interface AutoSaverOptions {
  /** quiet time after the last change before saving (default 1000 ms) */
  debounceMs?: number;
  /** attempts after the first failure (default 4) */
  retries?: number;
  /** first retry delay, doubled each time (default 500 ms) */
  backoffMs?: number;
  onEvent?: (e: AutoSaveEvent) => void;
  message?: (path: string) => string;
}

export interface AutoSaver {
  /** a file (vault-relative or absolute) changed */
  notify(file: string): void;
  /** save everything pending now and wait for it */
  flush(): Promise<void>;
  /** flush and stop accepting changes */
  close(): Promise<void>;
}

// Failures worth retrying: another writer holds the lock, or the file is mid-write / briefly gone.
const TRANSIENT = new Set(['E_LOCKED', 'E_INVALID_ARGUMENT', 'E_FILE_NOT_FOUND', 'E_NO_SPACE', 'E_INTERNAL']);

export function createAutoSaver(vault: Vault, opts: AutoSaverOptions = {}): AutoSaver {
  const debounceMs = opts.debounceMs ?? 1000;
  const retries = opts.retries ?? 4;
  const backoffMs = opts.backoffMs ?? 500;
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  // one save at a time keeps versions in order and avoids lock contention with ourselves
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const emit = (e: AutoSaveEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a listener's bug must not stop backups
    }
  };

  const attempt = async (file: string): Promise<void> => {
    const startedAt = new Date();
    const t0 = performance.now();
    for (let n = 0; ; n++) {
      try {
        // failures are recorded once, when the retries are used up (a retried lock wait is no incident)
        const r = await save(vault, { files: [file], kind: 'auto', source: 'watch', message: opts.message?.(file) ?? `Auto-save ${file}`, recordFailure: false });
        const f = r.files[0]!;
        if (f.status === 'saved') emit({ type: 'saved', path: f.path, version: f.version, commit: r.commit! });
        else emit({ type: 'unchanged', path: f.path, version: f.version });
        return;
      } catch (e) {
        const code = isSavepointError(e) ? e.code : 'E_INTERNAL';
        const message = (e as Error).message;
        if (n >= retries || !TRANSIENT.has(code)) {
          const rel = path.isAbsolute(file) ? path.relative(vault.dir, file).split(path.sep).join('/') : file;
          await recordOperation(vault, { op: 'save', ok: false, startedAt: startedAt.toISOString(), durationMs: performance.now() - t0, error: { code, message }, details: { files: [rel], kind: 'auto', source: 'watch', attempts: n + 1 } });
          emit({ type: 'failed', path: file, attempts: n + 1, code, message });
          return;
        }
        const delayMs = backoffMs * 2 ** n;
        emit({ type: 'retry', path: file, attempt: n + 1, delayMs, code, message });
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  };

  const run = (file: string) => {
    timers.delete(file);
    const p = (chain = chain.then(() => attempt(file)));
    running.add(p);
    void p.finally(() => running.delete(p));
  };

  return {
    notify(file) {
      if (closed) return;
      const t = timers.get(file);
      if (t) clearTimeout(t);
      timers.set(file, setTimeout(() => run(file), debounceMs));
    },
    async flush() {
      for (const [file, t] of [...timers]) {
        clearTimeout(t);
        run(file);
      }
      await Promise.all([...running]);
    },
    async close() {
      closed = true;
      await this.flush();
    },
  };
}
