/** Run core's verify with progress; the result stays on screen until the next run. */
import { useCallback, useRef, useState } from 'react';
import { verify } from '@savepoint/core';
import type { ProgressEvent, Vault, VerifyResult } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';

export type VerifyState =
  | { phase: 'idle' }
  | { phase: 'running'; progress: ProgressEvent | null }
  | { phase: 'done'; result: VerifyResult }
  | { phase: 'error'; error: ErrorInfo }
  /** Esc stopped it: nothing was marked or recorded */
  | { phase: 'cancelled' };

/** Redraw the bar at most this often: progress events come per 64 KB chunk, and every Ink frame of the
 * full screen costs ~13 ms (measured, 100×24), which would otherwise slow the verify itself. */
export const PROGRESS_INTERVAL_MS = 100;

export function useVerify(onFinished: (outcome: { result: VerifyResult } | { error: ErrorInfo } | { cancelled: true }) => void): { state: VerifyState; start: (vault: Vault) => void; cancel: () => boolean } {
  const [state, setState] = useState<VerifyState>({ phase: 'idle' });
  const running = useRef(false);
  const abort = useRef<AbortController | null>(null);
  /** Esc: stop the running verify through core's AbortSignal; returns whether one was running */
  const cancel = useCallback(() => {
    if (!running.current || !abort.current) return false;
    abort.current.abort();
    return true;
  }, []);
  const start = useCallback(
    (vault: Vault) => {
      if (running.current) return;
      running.current = true;
      setState({ phase: 'running', progress: null });
      let last = 0;
      const onProgress = (e: ProgressEvent) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS && e.loaded < e.total) return;
        last = now;
        setState({ phase: 'running', progress: e });
      };
      const ac = new AbortController();
      abort.current = ac;
      verify(vault, { onProgress, signal: ac.signal }).then(
        (result) => {
          running.current = false;
          setState({ phase: 'done', result });
          onFinished({ result });
        },
        (e: unknown) => {
          running.current = false;
          if (ac.signal.aborted) {
            setState({ phase: 'cancelled' });
            onFinished({ cancelled: true });
            return;
          }
          const error = toErrorInfo(e);
          setState({ phase: 'error', error });
          onFinished({ error });
        },
      );
    },
    [onFinished],
  );
  return { state, start, cancel };
}
