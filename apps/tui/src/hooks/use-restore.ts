/** The restore dialog: check the working copy, ask, restore, then show what happened (incl. a pre-restore save). */
import { useCallback, useRef, useState } from 'react';
import path from 'node:path';
import { promises as fsp } from 'node:fs';
import { digestFile, restore } from '@savepoint/core';
import type { RemoteAuth, RestoreResult, Vault, VersionRecord } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';

/** What restoring `target` will do to the working file. */
export type WorkingCopy =
  | { kind: 'absent' }
  | { kind: 'same' }
  /** matches another saved version, so nothing is lost */
  | { kind: 'saved'; version: number }
  /** matches no saved version: restore saves it first (pre-restore snapshot) */
  | { kind: 'unsaved' };

export type RestoreState =
  | { phase: 'checking'; target: VersionRecord }
  | { phase: 'confirm'; target: VersionRecord; working: WorkingCopy }
  | { phase: 'running'; target: VersionRecord }
  | { phase: 'done'; target: VersionRecord; result: RestoreResult }
  | { phase: 'error'; target: VersionRecord; error: ErrorInfo };

export async function inspectWorkingCopy(vault: Vault, target: VersionRecord, versions: VersionRecord[]): Promise<WorkingCopy> {
  const abs = path.join(vault.dir, target.path);
  const st = await fsp.lstat(abs).catch(() => null);
  if (!st) return { kind: 'absent' };
  if (!st.isFile()) return { kind: 'unsaved' };
  const { sha256 } = await digestFile(abs);
  if (sha256 === target.sha256) return { kind: 'same' };
  const match = versions.find((v) => v.sha256 === sha256);
  return match ? { kind: 'saved', version: match.version } : { kind: 'unsaved' };
}

/** `auth`: credentials for the push step of the after-save pipeline that core runs after a pre-restore snapshot. */
export function useRestore(onRestored: () => void, auth?: RemoteAuth) {
  const [state, setState] = useState<RestoreState | null>(null);
  const seq = useRef(0);

  const open = useCallback((vault: Vault, target: VersionRecord, versions: VersionRecord[]) => {
    const n = ++seq.current;
    setState({ phase: 'checking', target });
    inspectWorkingCopy(vault, target, versions).then(
      (working) => {
        if (seq.current === n) setState({ phase: 'confirm', target, working });
      },
      (e: unknown) => {
        if (seq.current === n) setState({ phase: 'error', target, error: toErrorInfo(e) });
      },
    );
  }, []);

  const confirm = useCallback(
    (vault: Vault) => {
      if (!state || state.phase !== 'confirm') return;
      const { target } = state;
      const n = ++seq.current;
      setState({ phase: 'running', target });
      restore(vault, { address: `${target.path}@${target.version}`, afterSave: { ...(auth ?? {}) } }).then(
        (result) => {
          if (seq.current === n) setState({ phase: 'done', target, result });
          onRestored();
        },
        (e: unknown) => {
          if (seq.current === n) setState({ phase: 'error', target, error: toErrorInfo(e) });
          onRestored();
        },
      );
    },
    [state, onRestored, auth],
  );

  const close = useCallback(() => {
    // a running restore is never abandoned on screen: wait for its result
    if (state?.phase === 'running') return;
    seq.current++;
    setState(null);
  }, [state]);

  return { state, open, confirm, close };
}
