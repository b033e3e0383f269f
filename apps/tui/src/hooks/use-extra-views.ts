/**
 * The archives and experiments screens, the table diff cursor, Esc-cancel of long operations and the mouse
 * wheel, kept out of App.tsx: `handleKey` runs before the normal keymap and returns true when it used the key.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Dispatch, SetStateAction } from 'react';
import type { Vault, VersionRecord } from '@savepoint/core';
import type { ErrorInfo } from '../errors.js';
import { keyToAction } from '../state/keymap.js';
import type { KeyInfo } from '../state/keymap.js';
import { navigate } from '../state/navigation.js';
import type { NavCounts, NavState } from '../state/navigation.js';
import { clampDrill, drillStep, initialDrill } from '../state/drill.js';
import type { Drill } from '../state/drill.js';
import { initialTableView, tableStep } from '../state/table-view.js';
import type { TableView } from '../state/table-view.js';
import { WHEEL_STEP } from '../state/list-window.js';
import type { MouseEvent } from '../state/mouse.js';
import type { DiffState } from './use-diff.js';
import type { VaultData } from './use-vault.js';
import { useArchives } from './use-archives.js';
import { useExperiments } from './use-experiments.js';

export type Screen = 'archives' | 'experiments';
type Message = { kind: 'info'; text: string } | { kind: 'error'; error: ErrorInfo } | null;

export interface ExtraViewsContext {
  data: VaultData | null;
  nav: NavState;
  setNav: Dispatch<SetStateAction<NavState>>;
  counts: NavCounts;
  setMessage: (m: Message) => void;
  diff: DiffState;
  /** identifies the diff on screen: the table cursor resets when it changes */
  diffKey: string;
  verifier: { state: { phase: string }; cancel: () => boolean };
  restorer: { open: (vault: Vault, target: VersionRecord, versions: VersionRecord[]) => void };
  /** rows of the list area (screens) and of the open view */
  listHeight: number;
  viewHeight: number;
  /** screen layout for the wheel: rows 1-based */
  layout: { headerRows: number; topH: number; filesW: number };
}

const byVersionDesc = (a: VersionRecord, b: VersionRecord) => b.version - a.version;

export function useExtraViews(ctx: ExtraViewsContext) {
  const { data, nav, setNav, counts, setMessage, diff } = ctx;
  const [screen, setScreen] = useState<Screen | null>(null);
  const [drill, setDrill] = useState<Drill>(initialDrill);
  const [table, setTable] = useState<TableView>(initialTableView);
  const archives = useArchives(data?.vault ?? null, screen === 'archives', data);
  const experiments = useExperiments(data?.vault ?? null, screen === 'experiments', data);

  // a new diff starts at its first row and column
  const lastDiff = useRef(ctx.diffKey);
  useEffect(() => {
    if (lastDiff.current !== ctx.diffKey) {
      lastDiff.current = ctx.diffKey;
      setTable(initialTableView);
    }
  }, [ctx.diffKey]);

  /** every version saved with an experiment id, newest first */
  const byExperiment = useMemo(() => {
    const m = new Map<string, VersionRecord[]>();
    if (!data) return m;
    for (const list of data.versionsByPath.values()) {
      for (const v of list) {
        if (v.experiment === undefined) continue;
        const l = m.get(v.experiment);
        if (l) l.push(v);
        else m.set(v.experiment, [v]);
      }
    }
    for (const l of m.values()) l.sort((a, b) => b.savedAt.localeCompare(a.savedAt) || byVersionDesc(a, b));
    return m;
  }, [data]);
  const versionsOf = (id: string) => byExperiment.get(id) ?? [];

  const archiveList = archives.state.phase === 'ready' ? archives.state.archives : [];
  const experimentList = experiments.phase === 'ready' ? experiments.experiments : [];
  const outer = screen === 'archives' ? archiveList.length : experimentList.length;
  const cur = screen === 'archives' ? archiveList[drill.cursor] : undefined;
  const curExp = screen === 'experiments' ? experimentList[drill.cursor] : undefined;
  const inner = cur ? cur.versions.length : curExp ? versionsOf(curExp.experiment).length : 0;
  useEffect(() => {
    setDrill((d) => clampDrill(d, { outer, inner }));
  }, [outer, inner]);

  const tables = diff.phase === 'ready' && nav.view === 'diff' ? (diff.tables ?? null) : null;
  const grid = tables ? tables[Math.min(table.sheet, tables.length - 1)] : undefined;
  const tableCounts = { sheets: tables?.length ?? 0, rows: grid?.rows.length ?? 0, columns: grid?.columns.length ?? 0 };
  const tableRows = Math.max(1, ctx.viewHeight - 2);

  const recordOf = (path: string, version: number): { rec: VersionRecord; all: VersionRecord[] } | null => {
    const all = [...(data?.versionsByPath.get(path) ?? [])].sort(byVersionDesc);
    const rec = all.find((v) => v.version === version);
    return rec ? { rec, all } : null;
  };

  function verifyArchive() {
    if (!data || !cur) return;
    const records = (data.versionsByPath.size ? [...data.versionsByPath.values()].flat() : []).filter((v) => v.archive === cur.file);
    if (!records.length) {
      setMessage({ kind: 'info', text: `No version in the history points into ${cur.file}; nothing to check.` });
      return;
    }
    archives.verify(data.vault, cur, records, (c) => {
      if (c.phase === 'done') setMessage(c.bad ? { kind: 'error', error: { code: 'E_VERIFY_FAILED', message: `${cur.file}: ${c.bad} of ${c.verified + c.bad} versions do not match their checksums. ${c.messages[0] ?? ''}` } } : { kind: 'info', text: `${cur.file}: all ${c.verified} archived versions match their checksums.` });
      else if (c.phase === 'cancelled') setMessage({ kind: 'info', text: `Check of ${cur.file} cancelled.` });
      else if (c.phase === 'error') setMessage({ kind: 'error', error: c.error });
    });
  }

  function screenKey(input: string, key: KeyInfo): boolean {
    const a = keyToAction(input, key, 'normal');
    if (key.escape && archives.cancel()) return true;
    if (!a) return true;
    switch (a.type) {
      case 'move':
      case 'page':
      case 'home':
      case 'end':
        setDrill((d) => drillStep(d, a, { outer, inner, height: ctx.listHeight }) ?? d);
        return true;
      case 'open': {
        if (!drill.open) {
          setDrill((d) => drillStep(d, a, { outer, inner, height: ctx.listHeight }) ?? d);
          return true;
        }
        if (screen === 'experiments' && curExp && data) {
          const v = versionsOf(curExp.experiment)[drill.inner];
          const fi = v ? data.files.findIndex((f) => f.path === v.path) : -1;
          const found = v ? recordOf(v.path, v.version) : null;
          if (!v || fi < 0 || !found) return true;
          setNav((s) => ({ ...s, file: fi, version: found.all.indexOf(found.rec), focus: 'history', view: null, scroll: 0 }));
          setScreen(null);
        }
        return true;
      }
      case 'back': {
        const next = drillStep(drill, a, { outer, inner, height: ctx.listHeight });
        if (next) setDrill(next);
        else setScreen(null);
        return true;
      }
      case 'restore': {
        if (screen !== 'archives' || !cur || !data) return true;
        if (!drill.open) {
          setMessage({ kind: 'info', text: 'Open the archive (Enter) and pick the version to restore.' });
          return true;
        }
        const v = cur.versions[drill.inner];
        const found = v ? recordOf(v.path, v.version) : null;
        if (!v) return true;
        if (!found) setMessage({ kind: 'info', text: `${v.path}@${v.version} is in ${cur.file} but no longer in the history; it cannot be restored from here.` });
        else ctx.restorer.open(data.vault, found.rec, found.all);
        return true;
      }
      case 'verify':
        if (screen === 'archives') verifyArchive();
        return true;
      case 'archives':
      case 'experiments':
        if (a.type !== screen) {
          setScreen(a.type);
          setDrill(initialDrill);
        }
        return true;
      case 'quit':
      case 'help':
        return false;
      default:
        return true;
    }
  }

  /** Keys for the screens, the table diff and Esc-cancel; false lets the normal keymap have the key. */
  function handleKey(input: string, key: KeyInfo): boolean {
    if (nav.help) return false;
    if (screen) return screenKey(input, key);
    const a = keyToAction(input, key, 'normal');
    if (a?.type === 'archives' || a?.type === 'experiments') {
      setScreen(a.type);
      setDrill(initialDrill);
      return true;
    }
    if (key.escape && ctx.verifier.state.phase === 'running' && ctx.verifier.cancel()) return true;
    if (key.escape && nav.view === 'diff' && diff.phase === 'loading') {
      setNav((s) => ({ ...s, view: null, scroll: 0, focus: s.focus === 'view' ? 'history' : s.focus }));
      setMessage({ kind: 'info', text: 'Diff cancelled.' });
      return true;
    }
    if (!tables) return false;
    const step = (t: Parameters<typeof tableStep>[1]) => {
      const next = tableStep(table, t, tableCounts);
      if (next) setTable(next);
      return next;
    };
    if (a?.type === 'page') return !!step({ type: 'row', delta: a.dir * tableRows });
    if (nav.focus !== 'view') return false;
    if (a?.type === 'move') return !!step({ type: 'row', delta: a.delta });
    if (a?.type === 'home') return !!step({ type: 'row', delta: -Number.MAX_SAFE_INTEGER / 2 });
    if (a?.type === 'end') return !!step({ type: 'row', delta: Number.MAX_SAFE_INTEGER / 2 });
    if (key.leftArrow || input === 'h') return !!step({ type: 'col', delta: -1 });
    if (key.rightArrow || input === 'l') return !!step({ type: 'col', delta: 1 });
    if (key.return) return !!step({ type: 'detail' });
    if (input === '[' || input === ']') return !!step({ type: 'sheet', delta: input === ']' ? 1 : -1 });
    if (key.escape) return !!step({ type: 'back' });
    return false;
  }

  /** The wheel scrolls the list under the pointer (and focuses it). */
  function wheel(e: MouseEvent) {
    const delta = e.wheel * WHEEL_STEP;
    if (nav.help) return;
    if (screen) {
      setDrill((d) => drillStep(d, { type: 'move', delta }, { outer, inner, height: ctx.listHeight }) ?? d);
      return;
    }
    const { headerRows, topH, filesW } = ctx.layout;
    const y = e.y - headerRows;
    if (y < 1) return;
    const pane = y <= topH ? (e.x <= filesW ? 'files' : 'history') : nav.view ? 'view' : null;
    if (!pane) return;
    if (pane === 'view' && tables) {
      setNav((s) => ({ ...s, focus: 'view' }));
      const next = tableStep(table, { type: 'row', delta }, tableCounts);
      if (next) setTable(next);
      return;
    }
    setNav((s) => navigate({ ...s, focus: pane }, { type: 'move', delta }, counts));
  }

  return { screen, drill, table, archives, experiments, versionsOf, handleKey, wheel };
}
