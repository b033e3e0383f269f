/** Diff of a version against its previous version or the working file, rendered to lines for paging. */
import { useEffect, useState } from 'react';
import { withMaterialized } from '@savepoint/core';
import type { Endpoint, Vault, VersionRecord } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';
import type { DiffAgainst } from '../state/navigation.js';
import { tableModels } from '../state/table-grid.js';
import type { GridModel } from '../state/table-grid.js';
import { jsonTree } from '../state/json-tree.js';
import type { TreeLine } from '../state/json-tree.js';

/** Detailed changes kept per table / document; counts stay exact beyond it. */
export const DIFF_LIMIT = 2000;

export type DiffState =
  | { phase: 'idle' }
  | { phase: 'loading'; title: string }
  /** `tables`: the grids of a CSV/TSV/XLSX/SQLite diff; `tree`: the changed paths of a JSON diff (else null) */
  | { phase: 'ready'; title: string; lines: string[]; identical: boolean; tables?: GridModel[] | null; tree?: TreeLine[] | null }
  | { phase: 'error'; title: string; error: ErrorInfo };

export interface DiffRequest {
  vault: Vault;
  /** the selected version */
  version: VersionRecord;
  /** the version before it, if any */
  previous: VersionRecord | undefined;
  against: DiffAgainst;
  color: boolean;
}

export function diffEndpoints(r: Pick<DiffRequest, 'version' | 'previous' | 'against'>): { endpoints: [Endpoint, Endpoint]; title: string } | null {
  const v = r.version;
  const addr = (x: VersionRecord) => `${x.path}@${x.version}`;
  if (r.against === 'working') {
    return { endpoints: [{ kind: 'version', address: addr(v) }, { kind: 'working', path: v.path }], title: `${addr(v)} → working file` };
  }
  if (!r.previous) return null;
  return { endpoints: [{ kind: 'version', address: addr(r.previous) }, { kind: 'version', address: addr(v) }], title: `${addr(r.previous)} → ${addr(v)}` };
}

export function useDiff(req: DiffRequest | null): DiffState {
  const [state, setState] = useState<DiffState>({ phase: 'idle' });
  const key = req ? `${req.version.path}@${req.version.version}:${req.version.commit}:${req.previous ? `${req.previous.path}@${req.previous.version}` : ''}:${req.against}:${req.color}` : '';
  useEffect(() => {
    if (!req) {
      setState({ phase: 'idle' });
      return;
    }
    let live = true;
    const plan = diffEndpoints(req);
    if (!plan) {
      setState({ phase: 'ready', title: `${req.version.path}@${req.version.version}`, lines: [`${req.version.path}@${req.version.version} is the first version: there is nothing before it.`, 'Press w to compare it with the working file.'], identical: false });
      return;
    }
    setState({ phase: 'loading', title: plan.title });
    (async () => {
      try {
        const diff = await import('@savepoint/diff');
        const result = await withMaterialized(req.vault, plan.endpoints, req.vault.dir, ([a, b]) =>
          diff.diffFiles({ path: a!.file, label: a!.label }, { path: b!.file, label: b!.label }, { name: req.version.path, limit: DIFF_LIMIT }),
        );
        const lines = diff.renderDiff(result, { color: req.color, limit: DIFF_LIMIT });
        const tables = result.identical ? null : tableModels(result, req.version.path);
        const tree = result.format === 'json' && !result.identical ? jsonTree(result.changes) : null;
        if (live) setState({ phase: 'ready', title: plan.title, lines, identical: result.identical, tables: tables?.length ? tables : null, tree: tree?.length ? tree : null });
      } catch (e) {
        if (live) setState({ phase: 'error', title: plan.title, error: toErrorInfo(e) });
      }
    })();
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}
