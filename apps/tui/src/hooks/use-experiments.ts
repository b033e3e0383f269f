/** Experiments from core's catalog (`savepoint experiments`); loads when the screen opens and after a reload. */
import { useEffect, useState } from 'react';
import { experiments } from '@savepoint/core';
import type { ExperimentSummary, Vault } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';

export type ExperimentsState = { phase: 'idle' } | { phase: 'loading' } | { phase: 'ready'; experiments: ExperimentSummary[] } | { phase: 'error'; error: ErrorInfo };

export function useExperiments(vault: Vault | null, active: boolean, reloadKey: unknown): ExperimentsState {
  const [state, setState] = useState<ExperimentsState>({ phase: 'idle' });
  useEffect(() => {
    if (!vault || !active) return;
    let live = true;
    setState((s) => (s.phase === 'ready' ? s : { phase: 'loading' }));
    experiments(vault).then(
      (list) => live && setState({ phase: 'ready', experiments: [...list].sort((a, b) => b.lastSavedAt.localeCompare(a.lastSavedAt)) }),
      (e: unknown) => live && setState({ phase: 'error', error: toErrorInfo(e) }),
    );
    return () => {
      live = false;
    };
  }, [vault, active, reloadKey]);
  return state;
}
