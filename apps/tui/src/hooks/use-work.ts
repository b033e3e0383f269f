/**
 * The app's write and find work (issue 15): save (s / S), tag (t), marks (m, D), list filters (/, n, N, Esc)
 * and the header's status at a glance. The App hands it the current selection; it owns the prompts and
 * dialogs, and tells the App what to select and what to say on the message line.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Dispatch, SetStateAction } from 'react';
import type { FileStatus, RemoteAuth, TagResult, Vault, VersionRecord } from '@savepoint/core';
import type { ErrorInfo } from '../errors.js';
import { openForm, stepForm } from '../state/form.js';
import type { FormState } from '../state/form.js';
import { lineText } from '../state/line-edit.js';
import { filterFiles, filterTitle, filterVersions, noFilters, queryTerms, stepMatch } from '../state/filter.js';
import type { Filters } from '../state/filter.js';
import { glanceParts } from '../state/glance.js';
import type { GlancePart, VerifyGlance } from '../state/glance.js';
import { markKey, markedPair, toggleMark } from '../state/marks.js';
import type { KeyInfo } from '../state/keymap.js';
import type { Action, NavState } from '../state/navigation.js';
import type { VerifyState } from './use-verify.js';
import { useGlance } from './use-glance.js';
import { useSave } from './use-save.js';
import type { SaveOutcome } from './use-save.js';
import { useTag } from './use-tag.js';

export type WorkMessage = { kind: 'info'; text: string } | { kind: 'error'; error: ErrorInfo };

export interface WorkOptions {
  vault: Vault | null;
  /** the vault data object (a new one after every reload) */
  data: unknown;
  /** all versions of the vault, to find marked versions and the last save */
  versionsByPath: Map<string, VersionRecord[]> | undefined;
  verify: VerifyState;
  /** wall clock for "2 min ago" */
  now: () => Date;
  auth: RemoteAuth | undefined;
  say: (m: WorkMessage) => void;
  reload: () => void;
  /** select this file (and version) once the reloaded data is on screen */
  select: (path: string, version?: number) => void;
  setNav: Dispatch<SetStateAction<NavState>>;
}

/** What the work needs to know about the screen when a key arrives. */
export interface WorkContext {
  nav: NavState;
  allFiles: FileStatus[];
  /** filtered lists as shown */
  files: FileStatus[];
  versions: VersionRecord[];
  file: FileStatus | undefined;
  selected: VersionRecord | undefined;
}

type FilterPrompt = { list: keyof Filters; form: FormState; before: string };

const SAVABLE = new Set<FileStatus['state']>(['modified', 'new']);

function saveMessage(r: SaveOutcome): string {
  const saved = r.files.filter((f) => f.status === 'saved').map((f) => `${f.path}@${f.version}`);
  const same = r.files.filter((f) => f.status === 'unchanged').map((f) => `${f.path} (equals v${f.version})`);
  let text = saved.length ? `Saved ${saved.join(', ')}.` : 'Nothing new to save.';
  if (same.length) text += ` Unchanged: ${same.join(', ')}.`;
  if (!r.afterSave.ok) {
    const failed: string[] = (['exports', 'retention', 'push', 'compact'] as const).filter((k) => r.afterSave[k].status === 'failed');
    const push = r.afterSave.push;
    if (push.status === 'ok') for (const o of push.result) if (!o.ok) failed.push(`the push to ${o.remote}`);
    text += ` After the save, ${failed.join(', ') || 'a step'} did not complete; it is retried on the next save or by savepoint maintain.`;
  }
  return text;
}

export function useWork(o: WorkOptions) {
  const { say, reload, select, setNav, vault, now: wallClock } = o;
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [prompt, setPrompt] = useState<FilterPrompt | null>(null);
  const [marks, setMarks] = useState<string[]>([]);
  const [verifyDone, setVerifyDone] = useState<VerifyGlance | null>(null);

  const onSaved = useCallback(
    (r: SaveOutcome | null) => {
      if (r) {
        const first = r.files.find((f) => f.status === 'saved') ?? r.files[0];
        if (first) select(first.path, first.version);
        say({ kind: 'info', text: saveMessage(r) });
      }
      reload();
    },
    [say, reload, select],
  );
  const saver = useSave(onSaved, o.auth);
  const onTagged = useCallback(
    (r: TagResult | null) => {
      if (r) say({ kind: 'info', text: `Tagged ${r.path}@${r.version} as ${r.name}.` });
      reload();
    },
    [say, reload],
  );
  const tagger = useTag(onTagged);

  // done / error go to the message line and close the dialog
  useEffect(() => {
    const s = saver.state;
    if (s?.phase === 'error') say({ kind: 'error', error: s.error });
    if (s?.phase === 'done' || s?.phase === 'error') saver.close();
  }, [saver.state, saver.close, say]);
  useEffect(() => {
    const s = tagger.state;
    if (s?.phase === 'error') say({ kind: 'error', error: s.error });
    if (s?.phase === 'done' || s?.phase === 'error') tagger.close();
  }, [tagger.state, tagger.close, say]);

  // the verify state for the header: this session's run, else the health record's last run
  useEffect(() => {
    const v = o.verify;
    if (v.phase === 'done') setVerifyDone({ phase: 'done', ok: v.result.ok, at: wallClock().toISOString() });
  }, [o.verify, wallClock]);
  const glanceData = useGlance(vault, o.data);
  // "2 min ago" is read against a clock sampled when the data changes and every 30 s, not on every frame
  const [now, setNow] = useState<Date | null>(null);
  useEffect(() => {
    setNow(wallClock());
    const timer = setInterval(() => setNow(wallClock()), 30_000);
    timer.unref?.();
    return () => clearInterval(timer);
  }, [wallClock, o.data]);
  const lastSaveAt = useMemo(() => {
    let last: string | undefined;
    for (const list of o.versionsByPath?.values() ?? []) for (const v of list) if (!last || v.savedAt > last) last = v.savedAt;
    return last;
  }, [o.versionsByPath]);
  const health = glanceData.health;
  const verifyGlance: VerifyGlance =
    o.verify.phase === 'running' ? { phase: 'running' }
    : verifyDone ?? (health?.verify ? { phase: 'done', ok: health.verify.ok, at: health.verify.lastAt } : { phase: 'never' });
  const glance: GlancePart[] = vault && now ? glanceParts({ now, lastSaveAt, verify: verifyGlance, queued: health ? health.pushQueue.length : null, copies: glanceData.copies }) : [];

  // filters: while the prompt is open its text filters live; Esc in the prompt restores the filter before
  const effective: Filters = prompt ? { ...filters, [prompt.list]: lineText(prompt.form.line) } : filters;
  const find = useCallback((key: string) => {
    const at = key.lastIndexOf('@');
    const path = key.slice(0, at);
    const n = Number(key.slice(at + 1));
    return o.versionsByPath?.get(path)?.find((v) => v.version === n);
  }, [o.versionsByPath]);
  const pair = useMemo(() => markedPair(marks, find), [marks, find]);

  const dialogOpen = saver.state !== null || tagger.state !== null || prompt !== null;

  /** A key while a prompt or a work dialog is open; true when it was taken. */
  const handleKey = (input: string, key: KeyInfo): boolean => {
    if (saver.state) {
      if (saver.state.phase === 'form' && vault) saver.key(vault, input, key);
      return true;
    }
    if (tagger.state) {
      if (tagger.state.phase === 'form' && vault) tagger.key(vault, input, key);
      return true;
    }
    if (prompt) {
      const step = stepForm(prompt.form, input, key);
      if (step.kind === 'cancel') setPrompt(null);
      else if (step.kind === 'edit') {
        if (lineText(step.form.line) !== lineText(prompt.form.line)) setNav((s) => (prompt.list === 'files' ? { ...s, file: 0, version: 0 } : { ...s, version: 0 }));
        setPrompt({ ...prompt, form: step.form });
      } else {
        setFilters((f) => ({ ...f, [prompt.list]: step.answers[0] ?? '' }));
        setPrompt(null);
      }
      return true;
    }
    return false;
  };

  /** Run a work action; true when it was one (or was refused with a message), so the App skips `navigate`. */
  const run = (c: WorkContext, a: Action): boolean => {
    const list: keyof Filters = c.nav.focus === 'files' ? 'files' : 'versions';
    switch (a.type) {
      case 'save': {
        const f = c.file;
        if (!f) say({ kind: 'info', text: 'No file selected.' });
        else if (SAVABLE.has(f.state)) saver.open([f.path]);
        else if (f.state === 'unchanged') say({ kind: 'info', text: `${f.path} has not changed since v${f.latestVersion ?? '?'}; nothing to save.` });
        else if (f.state === 'missing') say({ kind: 'info', text: `${f.path} is missing; restore a version with r, or put the file back.` });
        else say({ kind: 'info', text: `${f.path} cannot be saved: its name is not valid UTF-8. Rename it.` });
        return true;
      }
      case 'saveAll': {
        const todo = c.allFiles.filter((f) => SAVABLE.has(f.state)).map((f) => f.path);
        if (todo.length === 0) say({ kind: 'info', text: 'Nothing to save: no file is modified or new.' });
        else saver.open(todo);
        return true;
      }
      case 'tag':
        if (!c.selected) say({ kind: 'info', text: c.file ? `${c.file.path} has no saved version to tag.` : 'No file selected.' });
        else tagger.open(c.selected);
        return true;
      case 'mark': {
        const v = c.selected;
        if (!v) {
          say({ kind: 'info', text: 'No version selected to mark.' });
          return true;
        }
        const key = markKey(v);
        const next = toggleMark(marks, key);
        setMarks(next);
        say({ kind: 'info', text: next.includes(key) ? `Marked ${key} (${next.length} of 2)${next.length === 2 ? ': press D to diff the two marked versions.' : ': mark another version, then press D.'}` : `Unmarked ${key}.` });
        return true;
      }
      case 'diffMarked':
        if (pair) return false; // navigate opens the diff view on the pair
        say({ kind: 'info', text: marks.length ? `Marked: ${marks.join(', ')}. Mark two versions with m, then press D.` : 'Mark two versions with m (any files), then press D to diff them.' });
        return true;
      case 'filter':
        setPrompt({ list, before: filters[list], form: openForm(list === 'files' ? 'Filter files' : 'Filter versions', [{ label: '/', initial: filters[list], hint: list === 'files' ? 'words in the path; Enter keeps the filter, Esc leaves it as it was' : 'words in the description, tags, experiment, date (2026-05), kind or v<n>' }]) });
        return true;
      case 'match': {
        if (!queryTerms(filters[list]).length) {
          say({ kind: 'info', text: 'No filter on this list: press / to filter it, then n / N jump through the matches.' });
          return true;
        }
        const dir = a.dir;
        if (list === 'files') setNav((s) => ({ ...s, file: stepMatch(c.files.length, s.file, dir), version: 0, scroll: 0 }));
        else setNav((s) => ({ ...s, focus: s.focus === 'view' ? 'history' : s.focus, version: stepMatch(c.versions.length, s.version, dir), scroll: 0 }));
        return true;
      }
      case 'back':
        if (c.nav.focus !== 'view' && queryTerms(filters[list]).length) {
          setFilters((f) => ({ ...f, [list]: '' }));
          say({ kind: 'info', text: `Filter cleared (${list}).` });
          return true;
        }
        return false;
      default:
        return false;
    }
  };

  return {
    filters: effective,
    filterFiles: (files: FileStatus[]) => filterFiles(files, effective.files),
    filterVersions: (versions: VersionRecord[]) => filterVersions(versions, effective.versions),
    filterTitle,
    marks: useMemo(() => new Set(marks), [marks]),
    /** the two marked versions, older first, for the D diff */
    pair,
    dialogOpen,
    prompt,
    save: saver.state,
    tag: tagger.state,
    glance,
    handleKey,
    run,
  };
}
