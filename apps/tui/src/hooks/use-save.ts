/**
 * Save from the app: ask for a description and an optional experiment id, then run core's save and its
 * after-save pipeline (exports → retention → push → compact, `saveAndProcess`) with progress.
 */
import { useCallback, useRef, useState } from 'react';
import { saveAndProcess } from '@savepoint/core';
import type { AfterSaveReport, ProgressEvent, RemoteAuth, SaveResult, Vault } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';
import { openForm, stepForm } from '../state/form.js';
import type { FormState } from '../state/form.js';
import type { KeyInfo } from '../state/keymap.js';
import { PROGRESS_INTERVAL_MS } from './use-verify.js';

export type SaveOutcome = SaveResult & { afterSave: AfterSaveReport };

export type SaveState =
  | { phase: 'form'; files: string[]; form: FormState }
  | { phase: 'running'; files: string[]; progress: ProgressEvent | null }
  | { phase: 'done'; files: string[]; result: SaveOutcome }
  | { phase: 'error'; files: string[]; error: ErrorInfo };

export function saveForm(files: string[]): FormState {
  return openForm(files.length === 1 ? `Save ${files[0]}` : `Save ${files.length} files`, [
    { label: 'Description', hint: `${files.length > 1 ? `${files.join(', ')}: ` : ''}what changed (Enter with nothing: an automatic summary)` },
    { label: 'Experiment id', hint: 'optional: Enter skips' },
  ]);
}

/** `onSaved` gets the result (the App selects the new version and reloads). */
export function useSave(onSaved: (r: SaveOutcome | null) => void, auth?: RemoteAuth) {
  const [state, setState] = useState<SaveState | null>(null);
  const running = useRef(false);

  const open = useCallback((files: string[]) => {
    if (running.current) return;
    setState({ phase: 'form', files, form: saveForm(files) });
  }, []);

  const run = useCallback(
    (vault: Vault, files: string[], description: string, experiment: string) => {
      running.current = true;
      setState({ phase: 'running', files, progress: null });
      let last = 0;
      const onProgress = (e: ProgressEvent) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS && e.loaded < e.total) return;
        last = now;
        setState({ phase: 'running', files, progress: e });
      };
      saveAndProcess(vault, {
        files,
        cwd: vault.dir,
        source: 'tui',
        onProgress,
        ...(description ? { message: description } : {}),
        ...(experiment ? { experiment } : {}),
        afterSave: { ...(auth ?? {}), onProgress },
      }).then(
        (result) => {
          running.current = false;
          setState({ phase: 'done', files, result });
          onSaved(result);
        },
        (e: unknown) => {
          running.current = false;
          setState({ phase: 'error', files, error: toErrorInfo(e) });
          onSaved(null);
        },
      );
    },
    [auth, onSaved],
  );

  /** a key while the form is open */
  const key = useCallback(
    (vault: Vault, input: string, k: KeyInfo) => {
      if (!state || state.phase !== 'form') return;
      const step = stepForm(state.form, input, k);
      if (step.kind === 'cancel') setState(null);
      else if (step.kind === 'edit') setState({ ...state, form: step.form });
      else run(vault, state.files, step.answers[0] ?? '', step.answers[1] ?? '');
    },
    [state, run],
  );

  const close = useCallback(() => {
    // a running save is never abandoned on screen: wait for its result
    if (running.current) return;
    setState(null);
  }, []);

  return { state, open, key, close };
}
