/**
 * Retention: make the plan (core's planner, nothing changes), show it, and apply exactly that plan only
 * after the user confirmed it. Core refuses a plan once the history moved (E_HISTORY_DIVERGED).
 */
import { useCallback, useRef, useState } from 'react';
import { applyRetention, planVaultRetention } from '@savepoint/core';
import type { ApplyRetentionResult, ProgressEvent, Vault, VaultRetentionPlan } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import { PROGRESS_INTERVAL_MS } from './use-verify.js';
import type { ErrorInfo } from '../errors.js';

export type PlanState =
  | { phase: 'idle' }
  | { phase: 'planning' }
  | { phase: 'ready'; plan: VaultRetentionPlan }
  /** the plan on screen was applied; it is history now */
  | { phase: 'applied'; plan: VaultRetentionPlan; result: ApplyRetentionResult }
  | { phase: 'error'; error: ErrorInfo };

export type ApplyState =
  | { phase: 'confirm'; plan: VaultRetentionPlan }
  | { phase: 'running'; plan: VaultRetentionPlan; progress: ProgressEvent | null }
  | { phase: 'done'; plan: VaultRetentionPlan; result: ApplyRetentionResult }
  | { phase: 'error'; plan: VaultRetentionPlan; error: ErrorInfo };

/** Something to do: versions to archive or archives to delete. */
export const planHasWork = (plan: VaultRetentionPlan) => plan.counts.archive + plan.counts.delete > 0;

export function useRetention(onApplied: () => void) {
  const [plan, setPlan] = useState<PlanState>({ phase: 'idle' });
  const [apply, setApply] = useState<ApplyState | null>(null);
  const seq = useRef(0);

  const makePlan = useCallback((vault: Vault) => {
    const n = ++seq.current;
    setPlan({ phase: 'planning' });
    planVaultRetention(vault).then(
      (p) => {
        if (seq.current === n) setPlan({ phase: 'ready', plan: p });
      },
      (e: unknown) => {
        if (seq.current === n) setPlan({ phase: 'error', error: toErrorInfo(e) });
      },
    );
  }, []);

  /** Open the confirm dialog for the plan on screen; false when there is none or it has nothing to do. */
  const ask = useCallback((): boolean => {
    if (plan.phase !== 'ready' || !planHasWork(plan.plan)) return false;
    setApply({ phase: 'confirm', plan: plan.plan });
    return true;
  }, [plan]);

  const confirm = useCallback(
    (vault: Vault) => {
      if (!apply || apply.phase !== 'confirm') return;
      const shown = apply.plan;
      setApply({ phase: 'running', plan: shown, progress: null });
      let last = 0;
      const onProgress = (e: ProgressEvent) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS && e.loaded < e.total) return;
        last = now;
        setApply({ phase: 'running', plan: shown, progress: e });
      };
      applyRetention(vault, shown, { onProgress }).then(
        (result) => {
          setApply({ phase: 'done', plan: shown, result });
          setPlan({ phase: 'applied', plan: shown, result });
          onApplied();
        },
        (e: unknown) => {
          setApply({ phase: 'error', plan: shown, error: toErrorInfo(e) });
          onApplied();
        },
      );
    },
    [apply, onApplied],
  );

  const close = useCallback(() => {
    if (apply?.phase === 'running') return;
    setApply(null);
  }, [apply]);

  return { plan, apply, makePlan, ask, confirm, close };
}
