/**
 * The Savepoint terminal app: files and history on top, the open view (detail, diff, verify, retention)
 * below, a message line and key hints at the bottom. Every failure from core is shown with its code.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import type { Author, RemoteAuth, Vault, VerifyResult, VersionRecord } from '@savepoint/core';
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

const byVersionDesc = (a: VersionRecord, b: VersionRecord) => b.version - a.version;

function Main({ dir, clock, author, vault: given, remoteAuth }: AppProps) {
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
  const files = data?.files ?? [];
  const file = files[nav.file];
  const versions = useMemo(() => (file && data ? [...(data.versionsByPath.get(file.path) ?? [])].sort(byVersionDesc) : []), [file, data]);
  const selected = versions[nav.version];
  const previous = versions[nav.version + 1];

  const diffReq: DiffRequest | null = data && nav.view === 'diff' && selected ? { vault: data.vault, version: selected, previous, against: nav.diffAgainst, color: t.color } : null;
  const diff = useDiff(diffReq);
  const copies = useCopies(data?.vault ?? null, nav.view === 'remotes', data);
  const copiesReport = copies.phase === 'ready' ? copies.report : copies.phase === 'loading' ? copies.report : undefined;

  // layout: header 1 row, footer 2 rows, one spare row so Ink never has to clear the screen
  const body = Math.max(6, rows - 4);
  const [screenOpen, setScreenOpen] = useState(false);
  const dialogOpen = restorer.state !== null || retention.apply !== null || pusher.state !== null;
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
  useLayoutEffect(() => {
    if (!data) return;
    const want = selectedKey.current;
    setNav((s) => {
      const fi = want.path !== undefined ? data.files.findIndex((f) => f.path === want.path) : -1;
      if (fi < 0) return s;
      const list = [...(data.versionsByPath.get(want.path!) ?? [])].sort(byVersionDesc);
      const vi = want.version !== undefined ? list.findIndex((v) => v.version === want.version) : -1;
      const next = { ...s, file: fi, version: vi >= 0 ? vi : 0 };
      return next.file === s.file && next.version === s.version ? s : next;
    });
  }, [data]);
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
    if (extra.handleKey(input, key)) {
      if (message) setMessage(null);
      return;
    }
    const a = keyToAction(input, key, nav.help ? 'help' : 'normal');
    if (!a) return;
    if (message && a.type !== 'quit') setMessage(null);
    run(a);
  });

  const header = (
    <Box>
      <Text bold color={t.accent}>
        Savepoint
      </Text>
      <Box flexGrow={1} marginLeft={1}>
        <Text color={t.muted} wrap="truncate-start">
          {data?.vault.dir ?? dir}
        </Text>
      </Box>
      <Text color={t.muted}>{vaultState.phase === 'ready' && vaultState.refreshing ? 'refreshing… ' : ''}? help  q quit</Text>
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
  if (pusher.state) bottom = <PushDialog state={pusher.state} width={columns} />;
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
  const hints = nav.help ? 'any key: close help' : extra.screen ? `${screenHints}  ? help` : `${nav.view ? (tableHints ?? viewHints[nav.view]) + '  ' : '↑↓ move  Tab pane  Enter open  '}d diff  r restore  v verify  p plan  A archives  E experiments  ? help`;
  return (
    <Box flexDirection="column" width={columns}>
      {header}
      {nav.help ? (
        <Box height={body} overflow="hidden">
          <HelpOverlay width={Math.min(columns, 80)} />
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
              <FilesPane files={files} cursor={nav.file} focused={nav.focus === 'files'} width={filesW} height={topH} />
              <HistoryPane path={file?.path} versions={versions} cursor={nav.version} focused={nav.focus === 'history'} height={topH} />
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
