/**
 * The Savepoint terminal app: files and history on top, the open view (detail, diff, verify, retention)
 * below, a message line and key hints at the bottom. Every failure from core is shown with its code.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import type { Author, FileStatus, RemoteAuth, Vault, VerifyResult, VersionRecord } from '@savepoint/core';
import { toErrorInfo } from '../errors.js';
import type { ErrorInfo } from '../errors.js';
import { useDiff } from '../hooks/use-diff.js';
import type { DiffRequest } from '../hooks/use-diff.js';
import { useRestore } from '../hooks/use-restore.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { useVault } from '../hooks/use-vault.js';
import { useVerify } from '../hooks/use-verify.js';
import { planHasWork, useRetention } from '../hooks/use-retention.js';
import { useCopies, usePush } from '../hooks/use-remotes.js';
import { useKeys } from '../hooks/use-keys.js';
import { keyToAction } from '../state/keymap.js';
import { clampNav, initialNav, navigate } from '../state/navigation.js';
import type { Action, NavCounts, NavState } from '../state/navigation.js';
import { ThemeProvider, useTheme } from '../theme.js';
import type { Background } from '../theme.js';
import { DetailPane, detailLines } from './DetailPane.js';
import { DiffPane } from './DiffPane.js';
import { ErrorText } from './ErrorText.js';
import { FilesPane } from './FilesPane.js';
import { HelpOverlay } from './HelpOverlay.js';
import { HistoryPane } from './HistoryPane.js';
import { RestoreDialog } from './RestoreDialog.js';
import { ApplyRetentionDialog } from './ApplyRetentionDialog.js';
import { RetentionPane, planLines } from './RetentionPane.js';
import { RemotesPane, remoteLines } from './RemotesPane.js';
import { PushDialog } from './PushDialog.js';
import { VerifyPane, verifyLines } from './VerifyPane.js';
// --- issue 15 (work): save, tag, marks, filters, status at a glance
import { useWork } from '../hooks/use-work.js';
import { fileText, filterTitle, filterVersions, versionText } from '../state/filter.js';
import { useFiltered } from '../hooks/use-filtered.js';
import { FormDialog } from './FormDialog.js';
import { Glance } from './Glance.js';
import { SaveDialog, TagDialog } from './SaveDialog.js';
import { helpRowCount } from './HelpOverlay.js';
// ---
// archives, experiments, table diffs, Esc-cancel, mouse wheel (wip/tui-view)
import { useExtraViews } from '../hooks/use-extra-views.js';
import { useMouseWheel } from '../hooks/use-mouse.js';
import { ArchivesPane } from './ArchivesPane.js';
import { ExperimentsPane } from './ExperimentsPane.js';

export interface AppProps {
  /** any folder inside the vault */
  dir: string;
  /** colours on (default) or off (NO_COLOR, --no-color) */
  color?: boolean;
  clock?: () => Date;
  author?: Author;
  /** an already opened vault; `dir` is then only shown */
  vault?: Vault;
  /** credentials for pushing to remotes (the CLI passes env / git credential helpers) */
  remoteAuth?: RemoteAuth;
  /** wall clock for "saved 2 min ago" in the header (default: the system clock; never the vault's clock, which SAVEPOINT_NOW makes tick per call) */
  now?: () => Date;
  /** the terminal's background, for a palette that reads on it (render-app detects it) */
  background?: Background;
}

type Message = { kind: 'info'; text: string } | { kind: 'error'; error: ErrorInfo } | null;

export function App(props: AppProps) {
  return (
    <ThemeProvider color={props.color !== false} {...(props.background ? { background: props.background } : {})}>
      <Main {...props} />
    </ThemeProvider>
  );
}

const systemNow = () => new Date();
const NO_FILES: FileStatus[] = [];
const byVersionDesc = (a: VersionRecord, b: VersionRecord) => b.version - a.version;

function Main({ dir, clock, author, vault: given, remoteAuth, now }: AppProps) {
  const t = useTheme();
  const app = useApp();
  const { columns, rows } = useTerminalSize();
  const { state: vaultState, reload } = useVault({ dir, ...(clock ? { clock } : {}), ...(author ? { author } : {}), ...(given ? { vault: given } : {}) });
  const [nav, setNav] = useState<NavState>(initialNav);
  const [message, setMessage] = useState<Message>(null);

  const refresh = useCallback(() => {
    reload().then((err) => err && setMessage({ kind: 'error', error: err }));
  }, [reload]);
  const verifier = useVerify(
    useCallback(
      (outcome: { result: VerifyResult } | { error: ErrorInfo } | { cancelled: true }) => {
        if ('cancelled' in outcome) {
          setMessage({ kind: 'info', text: 'Verify cancelled: nothing was marked or recorded.' });
          return;
        }
        if ('error' in outcome) {
          setMessage({ kind: 'error', error: outcome.error });
          return;
        }
        const r = outcome.result;
        setMessage(r.ok ? { kind: 'info', text: `Verify: all ${r.verified} stored versions match their checksums.` } : { kind: 'error', error: { code: 'E_VERIFY_FAILED', message: `${r.corrupted} corrupted and ${r.missing} missing of ${r.items.length} versions; see the Verify pane. Restore damaged versions from a remote or archive.` } });
        refresh();
      },
      [refresh],
    ),
  );
  const restorer = useRestore(refresh, remoteAuth);
  const retention = useRetention(refresh);
  const pusher = usePush(remoteAuth, refresh);

  const data = vaultState.phase === 'ready' ? vaultState.data : null;
  // --- issue 15 (work): lists are filtered before any pane draws them
  const pendingSelect = useRef<{ path: string; version?: number } | null>(null);
  const say = useCallback((m: Message) => setMessage(m), []);
  const select = useCallback((path: string, version?: number) => {
    pendingSelect.current = { path, ...(version !== undefined ? { version } : {}) };
  }, []);
  const work = useWork({ vault: data?.vault ?? null, data, versionsByPath: data?.versionsByPath, verify: verifier.state, auth: remoteAuth, now: now ?? systemNow, say, reload: refresh, select, setNav });
  const [helpScroll, setHelpScroll] = useState(0);
  const allFiles = data?.files ?? [];
  const files = useFiltered(data?.files ?? NO_FILES, work.filters.files, fileText);
  const file = files[nav.file];
  const allVersions = useMemo(() => (file && data ? [...(data.versionsByPath.get(file.path) ?? [])].sort(byVersionDesc) : []), [file, data]);
  const versions = useFiltered(allVersions, work.filters.versions, versionText);
  // ---
  const selected = versions[nav.version];
  const previous = versions[nav.version + 1];

  const diffReq: DiffRequest | null =
    data && nav.view === 'diff' && nav.diffAgainst === 'marked' ? (work.pair ? { vault: data.vault, version: work.pair[1], previous: work.pair[0], against: 'previous', color: t.color } : null)
    : data && nav.view === 'diff' && selected ? { vault: data.vault, version: selected, previous, against: nav.diffAgainst, color: t.color }
    : null;
  const diff = useDiff(diffReq);
  const copies = useCopies(data?.vault ?? null, nav.view === 'remotes', data);
  const copiesReport = copies.phase === 'ready' ? copies.report : copies.phase === 'loading' ? copies.report : undefined;

  // layout: header 1 row, footer 2 rows, one spare row so Ink never has to clear the screen
  const body = Math.max(6, rows - 4);
  const [screenOpen, setScreenOpen] = useState(false);
  const dialogOpen = restorer.state !== null || retention.apply !== null || pusher.state !== null || work.dialogOpen;
  const bottomOpen = (nav.view !== null && !screenOpen) || dialogOpen;
  const topH = bottomOpen ? Math.max(5, Math.floor(body * 0.45)) : body;
  const bottomH = body - topH;
  const filesW = Math.max(24, Math.floor(columns * 0.4));

  const viewLines =
    nav.view === 'detail' ? (selected ? detailLines(selected).length : 0)
    : nav.view === 'diff' ? (diff.phase === 'ready' ? (diff.tree?.length ?? diff.lines.length) : 0)
    : nav.view === 'verify' ? (verifier.state.phase === 'done' ? verifyLines(verifier.state.result).length + 1 : 0)
    : nav.view === 'remotes' ? (copiesReport ? remoteLines(copiesReport, selected).length : 0)
    : nav.view === 'retention' ? (retention.plan.phase === 'ready' || retention.plan.phase === 'applied' ? planLines(retention.plan.plan).length + 2 : 0)
    : 0;
  const counts: NavCounts = { files: files.length, versions: versions.length, viewLines, listHeight: Math.max(1, topH - 3), viewHeight: Math.max(1, bottomH - 3) };

  // --- archives / experiments screens, table diff cursor, Esc-cancel, mouse wheel (wip/tui-view)
  const extra = useExtraViews({ data, nav, setNav, counts, setMessage, diff, diffKey: `${diffReq?.version.path}@${diffReq?.version.version}:${diffReq?.against}`, verifier, restorer, listHeight: counts.listHeight, viewHeight: counts.viewHeight, layout: { headerRows: 1, topH, filesW } });
  useEffect(() => setScreenOpen(extra.screen !== null), [extra.screen]);
  useMouseWheel(extra.wheel);
  // ---

  // after a reload, keep the same file and version selected (a save adds rows above them)
  const selectedKey = useRef<{ path?: string; version?: number }>({});
  // (issue 15: also after a filter changed, and a just-saved version wins: pendingSelect)
  useLayoutEffect(() => {
    if (!data) return;
    const pending = pendingSelect.current;
    if (pending && data.files.some((f) => f.path === pending.path)) pendingSelect.current = null;
    const want = pending ?? selectedKey.current;
    setNav((s) => {
      const fi = want.path !== undefined ? files.findIndex((f) => f.path === want.path) : -1;
      if (fi < 0) return s;
      const list = want.path === file?.path ? versions : filterVersions([...(data.versionsByPath.get(want.path!) ?? [])].sort(byVersionDesc), work.filters.versions);
      const vi = want.version !== undefined ? list.findIndex((v) => v.version === want.version) : -1;
      const next = { ...s, file: fi, version: vi >= 0 ? vi : 0 };
      return next.file === s.file && next.version === s.version ? s : next;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, work.filters.files, work.filters.versions]);
  useLayoutEffect(() => {
    selectedKey.current = { ...(file ? { path: file.path } : {}), ...(selected ? { version: selected.version } : {}) };
  });

  // keep cursors valid when a reload changes the lists
  useEffect(() => {
    setNav((s) => clampNav(s, counts));
  }, [counts.files, counts.versions, counts.viewLines, counts.viewHeight]);

  useEffect(() => {
    if (nav.quit) app.exit();
  }, [nav.quit, app]);

  const [quitArmed, setQuitArmed] = useState(false);
  const run = (a: Action) => {
    if (a.type === 'quit' && verifier.state.phase === 'running' && !quitArmed) {
      // quitting waits for a running verify; Esc stops it (AbortSignal into core)
      setQuitArmed(true);
      setMessage({ kind: 'info', text: 'Verify is still running; the program ends when it has finished. Esc cancels it; q again quits anyway.' });
      return;
    }
    if (a.type !== 'quit') setQuitArmed(false);
    // --- issue 15 (work): save, tag, mark, filter, n / N, Esc clearing a filter
    if (data && work.run({ nav, allFiles, files, versions, file, selected }, a)) return;
    // ---
    const next = navigate(nav, a, counts);
    setNav(next);
    if (!data) return;
    try {
      switch (a.type) {
        case 'verify':
          verifier.start(data.vault);
          break;
        case 'restore': {
          const target = versions[next.version];
          if (!target) {
            setMessage({ kind: 'info', text: file ? `${file.path} has no saved version to restore.` : 'No file selected.' });
            break;
          }
          restorer.open(data.vault, target, versions);
          break;
        }
        case 'diff':
          if (!versions.length && file) setMessage({ kind: 'info', text: `${file.path} has no saved version to compare.` });
          break;
        case 'retention':
          retention.makePlan(data.vault);
          break;
        case 'push':
          if (nav.view !== 'remotes') break;
          if (!copiesReport) setMessage({ kind: 'info', text: 'Still reading the remotes; try again in a moment.' });
          else if (!pusher.ask(copiesReport.remotes.map((r) => r.name))) setMessage({ kind: 'info', text: 'No remotes to push to. Add one with `savepoint remote add NAME URL`.' });
          break;
        case 'apply':
          if (nav.view !== 'retention') break;
          if (retention.plan.phase !== 'ready') setMessage({ kind: 'info', text: 'No current plan to apply: press p to make one first.' });
          else if (!planHasWork(retention.plan.plan)) setMessage({ kind: 'info', text: 'This plan archives and deletes nothing; there is nothing to apply.' });
          else retention.ask();
          break;
      }
    } catch (e) {
      setMessage({ kind: 'error', error: toErrorInfo(e) });
    }
  };

  useKeys((input, key) => {
    if (vaultState.phase !== 'ready') {
      if (input === 'q' || key.escape) app.exit();
      return;
    }
    const ps = pusher.state;
    if (ps) {
      if (ps.phase === 'done' || ps.phase === 'error') {
        pusher.close();
        if (ps.phase === 'error') setMessage({ kind: 'error', error: ps.error });
        else {
          const failed = ps.outcomes.filter((o) => !o.ok);
          setMessage(failed.length ? { kind: 'error', error: { code: failed[0]!.error?.code ?? 'E_INTERNAL', message: `push failed for ${failed.map((o) => o.remote).join(', ')}: ${failed[0]!.error?.message ?? 'skipped'}` } } : { kind: 'info', text: `Pushed to ${ps.outcomes.map((o) => o.remote).join(', ')}.` });
        }
        return;
      }
      const a = keyToAction(input, key, 'dialog');
      if (a?.type === 'confirm' && ps.phase === 'confirm') pusher.confirm(data!.vault);
      else if (a?.type === 'cancel' && ps.phase === 'confirm') pusher.close();
      return;
    }
    const ap = retention.apply;
    if (ap) {
      if (ap.phase === 'done' || ap.phase === 'error') {
        retention.close();
        if (ap.phase === 'done') setMessage({ kind: 'info', text: `Retention applied: ${ap.result.archived} archived, ${ap.result.deleted} deleted.` });
        else setMessage({ kind: 'error', error: ap.error });
        return;
      }
      const a = keyToAction(input, key, 'dialog');
      if (a?.type === 'confirm' && ap.phase === 'confirm') retention.confirm(data!.vault);
      else if (a?.type === 'cancel') retention.close();
      return;
    }
    const r = restorer.state;
    if (r) {
      if (r.phase === 'done' || r.phase === 'error') {
        restorer.close();
        if (r.phase === 'done') setMessage({ kind: 'info', text: `Restored ${r.result.path}@${r.result.version}${r.result.preRestoreSave ? ` (pre-restore save: ${r.result.preRestoreSave.path}@${r.result.preRestoreSave.version})` : ''}.` });
        return;
      }
      const a = keyToAction(input, key, 'dialog');
      if (a?.type === 'confirm' && r.phase === 'confirm') restorer.confirm(data!.vault);
      else if (a?.type === 'cancel') restorer.close();
      return;
    }
    // --- issue 15 (work): prompts and save / tag dialogs take every key while open; the help scrolls
    if (work.handleKey(input, key)) return;
    if (nav.help) {
      const h = keyToAction(input, key, 'help');
      if (h?.type === 'move' || h?.type === 'page') {
        const step = h.type === 'move' ? h.delta : h.dir * Math.max(1, body - 5);
        setHelpScroll((x) => Math.max(0, Math.min(x + step, helpRowCount() - Math.max(1, body - 4))));
        return;
      }
      setHelpScroll(0);
    }
    // ---
    if (!nav.help && extra.handleKey(input, key)) {
      if (message) setMessage(null);
      return;
    }
    const a = keyToAction(input, key, nav.help ? 'help' : 'normal');
    if (!a) return;
    if (message && a.type !== 'quit') setMessage(null);
    run(a);
  });

  // issue 15 (work): status at a glance; below 100 columns it takes the folder's place
  const wide = columns >= 100 || !work.glance.length;
  const header = (
    <Box>
      <Box flexShrink={0}>
        <Text bold color={t.accent}>
          Savepoint
        </Text>
      </Box>
      {work.glance.length ? (
        <Box marginLeft={1} flexShrink={wide ? 0 : 1} flexGrow={wide ? 0 : 1}>
          <Glance parts={work.glance} />
        </Box>
      ) : null}
      {wide ? (
        <Box flexGrow={1} flexShrink={1} marginLeft={1}>
          <Text color={t.muted} wrap="truncate-start">
            {data?.vault.dir ?? dir}
          </Text>
        </Box>
      ) : null}
      <Box flexShrink={0} marginLeft={1}>
        <Text color={t.muted}>{vaultState.phase === 'ready' && vaultState.refreshing ? 'refreshing… ' : ''}? help</Text>
      </Box>
    </Box>
  );

  if (vaultState.phase !== 'ready') {
    return (
      <Box flexDirection="column" width={columns}>
        {header}
        {vaultState.phase === 'loading' ? <Text color={t.muted}>Opening vault…</Text> : <ErrorText error={vaultState.error} />}
        {vaultState.phase === 'error' ? <Text color={t.muted}>q quit</Text> : null}
      </Box>
    );
  }

  const viewFocused = nav.focus === 'view';
  let bottom = null;
  // --- issue 15 (work)
  if (work.save) bottom = <SaveDialog state={work.save} width={columns} />;
  else if (work.tag) bottom = <TagDialog state={work.tag} width={columns} />;
  else if (work.prompt) bottom = <FormDialog form={work.prompt.form} width={columns} />;
  // ---
  else if (pusher.state) bottom = <PushDialog state={pusher.state} width={columns} />;
  else if (retention.apply) bottom = <ApplyRetentionDialog state={retention.apply} width={columns} archiveLocation={data!.vault.config.archiveLocation} />;
  else if (restorer.state) bottom = <RestoreDialog state={restorer.state} width={columns} />;
  else if (nav.view === 'detail') bottom = <DetailPane version={selected} focused={viewFocused} height={bottomH} scroll={nav.scroll} />;
  else if (extra.screen) bottom = null;
  else if (nav.view === 'diff') bottom = <DiffPane state={diff} focused={viewFocused} height={bottomH} scroll={nav.scroll} width={columns} table={extra.table} />;
  else if (nav.view === 'remotes') bottom = <RemotesPane state={copies} selected={selected} focused={viewFocused} height={bottomH} scroll={nav.scroll} />;
  else if (nav.view === 'retention') bottom = <RetentionPane state={retention.plan} focused={viewFocused} height={bottomH} scroll={nav.scroll} />;
  else if (nav.view === 'verify') bottom = <VerifyPane state={verifier.state} focused={viewFocused} height={bottomH} width={columns} scroll={nav.scroll} />;

  const viewHints: Record<NonNullable<NavState['view']>, string> = {
    detail: 'PgUp/PgDn page  Esc close',
    diff: 'w vs working/previous  PgUp/PgDn page  Esc close',
    verify: 'Esc close',
    retention: 'a apply plan  Esc close',
    remotes: 'u push  Esc close',
  };
  const screenHints = extra.screen === 'archives' ? (extra.drill.open ? '↑↓ move  r restore  v check  Esc back' : '↑↓ move  Enter versions  v check  Esc close') : extra.drill.open ? '↑↓ move  Enter go to version  Esc back' : '↑↓ move  Enter versions  Esc close';
  const tableHints = nav.view === 'diff' && diff.phase === 'ready' && diff.tables ? (viewFocused ? '←→ columns  Enter cells  [ ] sheet  Esc back' : 'Tab: browse the rows') : null;
  const hints = nav.help ? 'j/k scroll  any key: close help' : extra.screen ? `${screenHints}  ? help` : `${nav.view ? (tableHints ?? viewHints[nav.view]) + '  ' : '↑↓ move  Tab pane  Enter open  '}s save  t tag  / filter  m mark  d diff  r restore  A archives  E exp.  ? help`;
  return (
    <Box flexDirection="column" width={columns}>
      {header}
      {nav.help ? (
        <Box height={body} overflow="hidden">
          <HelpOverlay width={Math.min(columns, 100)} height={body} scroll={helpScroll} />
        </Box>
      ) : (
        <>
          {extra.screen === 'archives' ? (
            <Box height={topH}>
              <ArchivesPane state={extra.archives.state} checks={extra.archives.checks} drill={extra.drill} focused={!dialogOpen} height={topH} />
            </Box>
          ) : extra.screen === 'experiments' ? (
            <Box height={topH}>
              <ExperimentsPane state={extra.experiments} versionsOf={extra.versionsOf} drill={extra.drill} focused={!dialogOpen} height={topH} />
            </Box>
          ) : (
            <Box height={topH}>
              <FilesPane files={files} cursor={nav.file} focused={nav.focus === 'files'} width={filesW} height={topH} titleSuffix={filterTitle(work.filters.files, files.length, allFiles.length)} />
              <HistoryPane path={file?.path} versions={versions} cursor={nav.version} focused={nav.focus === 'history'} height={topH} titleSuffix={filterTitle(work.filters.versions, versions.length, allVersions.length)} marked={work.marks} />
            </Box>
          )}
          {bottomOpen ? (
            <Box height={bottomH} overflow="hidden" flexDirection="column">
              {bottom}
            </Box>
          ) : null}
        </>
      )}
      <Box>
        {message?.kind === 'error' ? <ErrorText error={message.error} /> : <Text wrap="truncate-end">{message?.text ?? ' '}</Text>}
      </Box>
      <Text color={t.muted} wrap="truncate-end">
        {hints}
      </Text>
    </Box>
  );
}
