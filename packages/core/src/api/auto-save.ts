/**
 * Automatic saves for apps and `savepoint watch`: changes to a path are debounced, then saved as
 * kind `auto`. A failed save never throws into the caller and never touches the user's file: it is
 * retried with exponential backoff, then reported as `failed` so the app can warn the user.
 * After saves the after-save pipeline runs (exports, retention, push, compact; api/after-save.ts), once per
 * burst: while more saves wait in line it waits for the last of them. `"enabled": false` pauses it all.
 */
import path from 'node:path';
import { isSavepointError } from '../errors.js';
import { recordOperation } from '../health/record.js';
import type { Vault } from '../vault.js';
import { afterSave } from './after-save.js';
import type { AfterSaveOptions, AfterSaveReport } from './after-save.js';
import { save } from './save.js';
import type { SaveOptions, SaveResult } from './save.js';

export type AutoSaveEvent =
  | { type: 'saved'; path: string; version: number; commit: string }
  | { type: 'unchanged'; path: string; version: number }
  | { type: 'retry'; path: string; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'failed'; path: string; attempts: number; code: string; message: string }
  /** the after-save pipeline ran (its report says per step ok / skipped / failed) */
  | { type: 'after-save'; paths: string[]; report: AfterSaveReport }
  /** `"enabled": false` in savepoint.json: changes are not saved (reported once) */
  | { type: 'paused'; path: string; reason: string };

export interface AutoSaverOptions {
  /** quiet time after the last change before saving (default 1000 ms) */
  debounceMs?: number;
  /** attempts after the first failure (default 4) */
  retries?: number;
  /** first retry delay, doubled each time (default 500 ms) */
  backoffMs?: number;
  onEvent?: (e: AutoSaveEvent) => void;
  message?: (path: string) => string;
  /** options for the after-save pipeline (credentials, progress); false skips it */
  afterSave?: AfterSaveOptions | false;
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
  let pausedReported = false;
  // saves waiting in `chain`, and the paths saved since the pipeline last ran
  let queued = 0;
  const savedSince = new Set<string>();
  /** the newest commit a save wrote since the pipeline last ran (null: only unchanged saves) */
  let commitSince: string | null = null;
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
        savedSince.add(f.path);
        if (r.commit) commitSince = r.commit;
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

  const pipeline = async (): Promise<void> => {
    // the last save of a burst runs it; an unchanged save still runs it when pushes wait in the queue
    if (opts.afterSave === false || queued > 0 || savedSince.size === 0) return;
    const paths = [...savedSince].sort();
    const commit = commitSince;
    savedSince.clear();
    commitSince = null;
    const report = await afterSave(vault, { commit }, opts.afterSave ?? {});
    emit({ type: 'after-save', paths, report });
  };

  const run = (file: string) => {
    timers.delete(file);
    queued += 1;
    const p = (chain = chain.then(async () => {
      queued -= 1;
      await attempt(file);
      await pipeline();
    }));
    running.add(p);
    void p.finally(() => running.delete(p));
  };

  return {
    notify(file) {
      if (closed) return;
      if (!vault.config.enabled) {
        if (!pausedReported) emit({ type: 'paused', path: file, reason: 'savepoint.json has "enabled": false' });
        pausedReported = true;
        return;
      }
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

/**
 * The in-process save API: `save`, then the after-save pipeline, as the CLI's `savepoint save` does. The save's
 * errors throw as usual; the pipeline never throws (its report is in `afterSave`).
 */
export async function saveAndProcess(vault: Vault, opts: SaveOptions & { afterSave?: AfterSaveOptions }): Promise<SaveResult & { afterSave: AfterSaveReport }> {
  const { afterSave: pipelineOpts, ...saveOpts } = opts;
  const r = await save(vault, saveOpts);
  const report = await afterSave(vault, r, pipelineOpts ?? (opts.onProgress ? { onProgress: opts.onProgress } : {}));
  return { ...r, afterSave: report };
}
