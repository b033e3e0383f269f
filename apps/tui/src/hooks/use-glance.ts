/**
 * The header's status: health record (last verify, push queue) and the 3-2-1 copies summary, read again
 * whenever the vault data reloads (after a save, restore, push, verify). Recorded state only: no network.
 */
import { useEffect, useState } from 'react';
import { copiesStatus, readHealth } from '@savepoint/core';
import type { CopiesSummary, Health, Vault } from '@savepoint/core';

export interface GlanceData {
  health: Health | null;
  copies: CopiesSummary | null;
}

export function useGlance(vault: Vault | null, version: unknown): GlanceData {
  const [state, setState] = useState<GlanceData>({ health: null, copies: null });
  useEffect(() => {
    if (!vault) return;
    let live = true;
    // each half shows as soon as it is there; a failure leaves that part out of the header
    readHealth(vault).then(
      (health) => live && setState((s) => ({ ...s, health })),
      () => undefined,
    );
    copiesStatus(vault).then(
      (r) => live && setState((s) => ({ ...s, copies: r.summary })),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [vault, version]);
  return state;
}
