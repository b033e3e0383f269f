/** Retention archives by period: size, versions, check status; Enter lists the versions inside one. */
import { Box, Text } from 'ink';
import type { ArchiveInfo } from '@savepoint/core';
import type { ArchiveCheck, ArchivesState } from '../hooks/use-archives.js';
import { formatBytes, percent } from '../format.js';
import type { Drill } from '../state/drill.js';
import { positionLabel } from '../state/list-window.js';
import { useTheme } from '../theme.js';
import type { Theme } from '../theme.js';
import { DrillStatusPane, VersionList } from './DrillList.js';
import { Pane } from './Pane.js';
import { WindowedList } from './WindowedList.js';

/** What the check column says about an archive (text that needs no colour). */
export function checkLabel(a: ArchiveInfo, c: ArchiveCheck | undefined): string {
  if (!a.present) return '✗ file missing';
  if (!c) return 'not checked';
  switch (c.phase) {
    case 'running':
      return `checking ${c.progress ? percent(c.progress.loaded, c.progress.total) : 0}%`;
    case 'done':
      return c.bad ? `✗ ${c.bad} bad of ${c.verified + c.bad}` : `✓ ${c.verified} verified`;
    case 'cancelled':
      return 'check cancelled';
    case 'error':
      return `✗ ${c.error.code}`;
  }
}

const checkColor = (t: Theme, label: string) => (label.startsWith('✓') ? t.ok : label.startsWith('✗') ? t.bad : t.muted);

export function ArchivesPane({ state, checks, drill, focused, height }: { state: ArchivesState; checks: ReadonlyMap<string, ArchiveCheck>; drill: Drill; focused: boolean; height: number }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  if (state.phase !== 'ready' || !state.archives.length) {
    return (
      <DrillStatusPane
        title="Archives"
        ready={state.phase === 'ready'}
        error={state.phase === 'error' ? state.error : undefined}
        empty="No archives yet. Retention moves old versions into archives: press p for the plan, or run `savepoint retention apply`."
        focused={focused}
        height={height}
      />
    );
  }
  const archives = state.archives;
  const open = drill.open ? archives[drill.cursor] : undefined;
  if (open) {
    const check = checks.get(open.file);
    const label = checkLabel(open, check);
    return (
      <Pane title={`Archive ${open.file}`} focused={focused} height={height} right={`${positionLabel(open.versions.length, drill.inner)}  ${label}`}>
        <VersionList
          versions={open.versions}
          cursor={drill.inner}
          height={rows - (check?.phase === 'done' && check.bad ? 1 : 0)}
          focused={focused}
          extra={(v) => (
            <Box marginLeft={1} flexShrink={0}>
              <Text color={t.muted}>{v.sha256.slice(0, 12)}</Text>
            </Box>
          )}
        />
        {check?.phase === 'done' && check.bad ? (
          <Text color={t.bad} wrap="truncate-end">
            {check.messages[0]}
          </Text>
        ) : null}
      </Pane>
    );
  }
  return (
    <Pane title="Archives" focused={focused} height={height} right={positionLabel(archives.length, drill.cursor)}>
      <WindowedList
        items={archives}
        cursor={drill.cursor}
        height={rows}
        focused={focused}
        keyOf={(a) => a.file}
        renderRow={(a, _i, selected) => {
          const label = checkLabel(a, checks.get(a.file));
          return (
            <Box flexGrow={1}>
              <Box flexShrink={0} width={8}>
                <Text inverse={selected && focused}>{a.period ?? '—'}</Text>
              </Box>
              <Box marginLeft={1} flexGrow={1} flexShrink={1}>
                <Text wrap="truncate-middle">{a.file}</Text>
              </Box>
              <Box marginLeft={1} flexShrink={0} width={9} justifyContent="flex-end">
                <Text>{a.size >= 0 ? formatBytes(a.size) : '?'}</Text>
              </Box>
              <Box marginLeft={1} flexShrink={0} width={11} justifyContent="flex-end">
                <Text>{`${a.versions.length} version${a.versions.length === 1 ? '' : 's'}`}</Text>
              </Box>
              <Box marginLeft={1} flexShrink={0}>
                <Text color={checkColor(t, label)}>{label}</Text>
              </Box>
            </Box>
          );
        }}
      />
    </Pane>
  );
}
