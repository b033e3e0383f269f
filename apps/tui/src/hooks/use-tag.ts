/** Tag a version from the app: name (default sp/<path>/v<n>, editable) and an optional message. */
import { useCallback, useState } from 'react';
import { tagVersion } from '@savepoint/core';
import type { TagResult, Vault, VersionRecord } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';
import { openForm, stepForm } from '../state/form.js';
import type { FormState } from '../state/form.js';
import type { KeyInfo } from '../state/keymap.js';

export type TagState =
  | { phase: 'form'; target: VersionRecord; form: FormState }
  | { phase: 'running'; target: VersionRecord }
  | { phase: 'done'; target: VersionRecord; result: TagResult }
  | { phase: 'error'; target: VersionRecord; error: ErrorInfo };

export const defaultTagName = (v: Pick<VersionRecord, 'path' | 'version'>): string => `sp/${v.path}/v${v.version}`;

export function tagForm(v: VersionRecord): FormState {
  return openForm(`Tag ${v.path}@${v.version}`, [
    { label: 'Tag name', initial: defaultTagName(v), required: 'A tag needs a name.' },
    { label: 'Message', hint: `optional: Enter skips (default "${v.path} v${v.version}")` },
  ]);
}

export function useTag(onTagged: (r: TagResult | null) => void) {
  const [state, setState] = useState<TagState | null>(null);

  const open = useCallback((target: VersionRecord) => setState({ phase: 'form', target, form: tagForm(target) }), []);

  const key = useCallback(
    (vault: Vault, input: string, k: KeyInfo) => {
      if (!state || state.phase !== 'form') return;
      const step = stepForm(state.form, input, k);
      if (step.kind === 'cancel') return setState(null);
      if (step.kind === 'edit') return setState({ ...state, form: step.form });
      const { target } = state;
      const [name, message] = step.answers;
      setState({ phase: 'running', target });
      tagVersion(vault, { address: `${target.path}@${target.version}`, ...(name ? { name } : {}), ...(message ? { message } : {}) }).then(
        (result) => {
          setState({ phase: 'done', target, result });
          onTagged(result);
        },
        (e: unknown) => {
          setState({ phase: 'error', target, error: toErrorInfo(e) });
          onTagged(null);
        },
      );
    },
    [state, onTagged],
  );

  const close = useCallback(() => setState((s) => (s?.phase === 'running' ? s : null)), []);
  return { state, open, key, close };
}
