/**
 * The retention archives (core's listArchives) and a per-archive check (core's verifyArchivedVersions) that
 * Esc cancels through an AbortSignal. Loads when the archives screen opens and again after a reload.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { listArchives, verifyArchivedVersions } from '@savepoint/core';
import type { ArchiveInfo, ProgressEvent, Vault, VersionRecord } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';
import { PROGRESS_INTERVAL_MS } from './use-verify.js';

export type ArchivesState = { phase: 'idle' } | { phase: 'loading' } | { phase: 'ready'; archives: ArchiveInfo[] } | { phase: 'error'; error: ErrorInfo };

export type ArchiveCheck =
  | { phase: 'running'; progress: ProgressEvent | null }
  | { phase: 'done'; verified: number; bad: number; messages: string[] }
  | { phase: 'cancelled' }
  | { phase: 'error'; error: ErrorInfo };

export function useArchives(vault: Vault | null, active: boolean, reloadKey: unknown) {
  const [state, setState] = useState<ArchivesState>({ phase: 'idle' });
  const [checks, setChecks] = useState<ReadonlyMap<string, ArchiveCheck>>(new Map());
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    if (!vault || !active) return;
    let live = true;
    setState((s) => (s.phase === 'ready' ? s : { phase: 'loading' }));
    listArchives(vault).then(
      (archives) => live && setState({ phase: 'ready', archives }),
      (e: unknown) => live && setState({ phase: 'error', error: toErrorInfo(e) }),
    );
    return () => {
      live = false;
    };
  }, [vault, active, reloadKey]);

  const set = (file: string, c: ArchiveCheck) => setChecks((m) => new Map(m).set(file, c));

  /** Check every version of `archive` the history lists (records with `archive === file`). */
  const verify = useCallback((v: Vault, archive: ArchiveInfo, records: VersionRecord[], onDone: (c: ArchiveCheck) => void) => {
    if (abort.current) return;
    const ac = new AbortController();
    abort.current = ac;
    const file = archive.file;
    set(file, { phase: 'running', progress: null });
    let last = 0;
    const onProgress = (e: ProgressEvent) => {
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      set(file, { phase: 'running', progress: e });
    };
    verifyArchivedVersions(v, records, onProgress, ac.signal).then(
      (items) => {
        const bad = items.filter((i) => i.status !== 'verified');
        const c: ArchiveCheck = { phase: 'done', verified: items.length - bad.length, bad: bad.length, messages: bad.map((i) => `${i.path}@${i.version}: ${i.status}${i.message ? ` (${i.message})` : ''}`) };
        set(file, c);
        onDone(c);
      },
      (e: unknown) => {
        const c: ArchiveCheck = ac.signal.aborted ? { phase: 'cancelled' } : { phase: 'error', error: toErrorInfo(e) };
        set(file, c);
        onDone(c);
      },
    ).finally(() => {
      if (abort.current === ac) abort.current = null;
    });
  }, []);

  /** Esc: stop a running check; returns whether one was running. */
  const cancel = useCallback((): boolean => {
    if (!abort.current) return false;
    abort.current.abort();
    return true;
  }, []);

  return { state, checks, verify, cancel };
}
