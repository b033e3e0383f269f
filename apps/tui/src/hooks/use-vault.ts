/** Open the vault and load files (status) and versions (log); `reload` after anything that changes them. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { log, openVault, status } from '@savepoint/core';
import type { Author, FileStatus, Vault, VersionRecord } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';

export interface VaultData {
  vault: Vault;
  files: FileStatus[];
  /** versions per vault path, newest first */
  versionsByPath: Map<string, VersionRecord[]>;
}

export type VaultState =
  | { phase: 'loading' }
  | { phase: 'error'; error: ErrorInfo }
  | { phase: 'ready'; data: VaultData; refreshing: boolean };

export interface OpenOptions {
  dir: string;
  /** an already opened vault (the CLI opens it to report errors before the screen is taken) */
  vault?: Vault;
  clock?: () => Date;
  author?: Author;
}

export async function loadVaultData(vault: Vault): Promise<VaultData> {
  const [files, versions] = [await status(vault), await log(vault)];
  const versionsByPath = new Map<string, VersionRecord[]>();
  for (const v of versions) {
    const list = versionsByPath.get(v.path);
    if (list) list.push(v);
    else versionsByPath.set(v.path, [v]);
  }
  return { vault, files, versionsByPath };
}

export function useVault(opts: OpenOptions): { state: VaultState; reload: () => Promise<ErrorInfo | null> } {
  const [state, setState] = useState<VaultState>({ phase: 'loading' });
  const vaultRef = useRef<Vault | null>(null);
  const live = useRef(true);
  const { dir, clock, author, vault: given } = opts;

  useEffect(() => {
    live.current = true;
    (async () => {
      try {
        const vault = given ?? (await openVault({ dir, ...(clock ? { clock } : {}), ...(author ? { author } : {}) }));
        vaultRef.current = vault;
        const data = await loadVaultData(vault);
        if (live.current) setState({ phase: 'ready', data, refreshing: false });
      } catch (e) {
        if (live.current) setState({ phase: 'error', error: toErrorInfo(e) });
      }
    })();
    return () => {
      live.current = false;
    };
  }, [dir, clock, author, given]);

  const reload = useCallback(async (): Promise<ErrorInfo | null> => {
    const vault = vaultRef.current;
    if (!vault) return null;
    setState((s) => (s.phase === 'ready' ? { ...s, refreshing: true } : s));
    try {
      const data = await loadVaultData(vault);
      if (live.current) setState({ phase: 'ready', data, refreshing: false });
      return null;
    } catch (e) {
      const error = toErrorInfo(e);
      if (live.current) setState((s) => (s.phase === 'ready' ? { ...s, refreshing: false } : { phase: 'error', error }));
      return error;
    }
  }, []);

  return { state, reload };
}
