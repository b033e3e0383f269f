/**
 * Remotes and the 3-2-1 copies check (core's copiesStatus: recorded state only, no network), and pushing
 * the history to every remote after the user confirmed. Credentials come from the host app (`auth`).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { copiesStatus, pushRemotes } from '@savepoint/core';
import type { CopiesReport, ProgressEvent, PushOutcome, RemoteAuth, Vault } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import { PROGRESS_INTERVAL_MS } from './use-verify.js';
import type { ErrorInfo } from '../errors.js';

export type CopiesState = { phase: 'idle' } | { phase: 'loading'; report?: CopiesReport } | { phase: 'ready'; report: CopiesReport } | { phase: 'error'; error: ErrorInfo };

export type PushState =
  | { phase: 'confirm'; remotes: string[] }
  | { phase: 'running'; remotes: string[]; progress: ProgressEvent | null }
  | { phase: 'done'; outcomes: PushOutcome[] }
  | { phase: 'error'; error: ErrorInfo };

/** Load the copies report while `active`, again whenever `version` (the vault data) changes. */
export function useCopies(vault: Vault | null, active: boolean, version: unknown): CopiesState {
  const [state, setState] = useState<CopiesState>({ phase: 'idle' });
  useEffect(() => {
    if (!vault || !active) return;
    let live = true;
    setState((s) => ({ phase: 'loading', ...(s.phase === 'ready' ? { report: s.report } : {}) }));
    copiesStatus(vault).then(
      (report) => live && setState({ phase: 'ready', report }),
      (e: unknown) => live && setState({ phase: 'error', error: toErrorInfo(e) }),
    );
    return () => {
      live = false;
    };
  }, [vault, active, version]);
  return state;
}

export function usePush(auth: RemoteAuth | undefined, onDone: () => void) {
  const [state, setState] = useState<PushState | null>(null);
  const running = useRef(false);
  const ask = useCallback((remotes: string[]) => {
    if (remotes.length) setState({ phase: 'confirm', remotes });
    return remotes.length > 0;
  }, []);
  const confirm = useCallback(
    (vault: Vault) => {
      if (!state || state.phase !== 'confirm' || running.current) return;
      running.current = true;
      const { remotes } = state;
      setState({ phase: 'running', remotes, progress: null });
      let last = 0;
      const onProgress = (e: ProgressEvent) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS && e.loaded < e.total) return;
        last = now;
        setState({ phase: 'running', remotes, progress: e });
      };
      pushRemotes(vault, { remotes, onProgress, ...(auth ?? {}) }).then(
        (outcomes) => {
          running.current = false;
          setState({ phase: 'done', outcomes });
          onDone();
        },
        (e: unknown) => {
          running.current = false;
          setState({ phase: 'error', error: toErrorInfo(e) });
          onDone();
        },
      );
    },
    [state, auth, onDone],
  );
  const close = useCallback(() => {
    if (running.current) return;
    setState(null);
  }, []);
  return { state, ask, confirm, close };
}
