/** Experiments with their files and versions; Enter lists an experiment's versions, Enter again jumps to one. */
import { Box, Text } from 'ink';
import type { VersionRecord } from '@savepoint/core';
import type { ExperimentsState } from '../hooks/use-experiments.js';
import { formatDate, statusMark } from '../format.js';
import type { Drill } from '../state/drill.js';
import { positionLabel } from '../state/list-window.js';
import { useTheme } from '../theme.js';
import { DrillStatusPane, VersionList } from './DrillList.js';
import { Pane } from './Pane.js';
import { WindowedList } from './WindowedList.js';

export function ExperimentsPane({ state, versionsOf, drill, focused, height }: { state: ExperimentsState; versionsOf: (experiment: string) => readonly VersionRecord[]; drill: Drill; focused: boolean; height: number }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  if (state.phase !== 'ready' || !state.experiments.length) {
    return (
      <DrillStatusPane
        title="Experiments"
        ready={state.phase === 'ready'}
        error={state.phase === 'error' ? state.error : undefined}
        empty="No save has an experiment id yet. Save with `savepoint save FILE --experiment ID`."
        focused={focused}
        height={height}
      />
    );
  }
  const list = state.experiments;
  const open = drill.open ? list[drill.cursor] : undefined;
  if (open) {
    const versions = versionsOf(open.experiment);
    return (
      <Pane title={`Experiment ${open.experiment}: ${open.files.join(', ')}`} focused={focused} height={height} right={`${positionLabel(versions.length, drill.inner)}  Enter: go to version`}>
        <VersionList
          versions={versions}
          cursor={drill.inner}
          height={rows}
          focused={focused}
          extra={(v) => (
            <>
              <Box marginLeft={1} flexShrink={0}>
                <Text color={t.muted}>{statusMark(v)}</Text>
              </Box>
              <Box marginLeft={1} flexShrink={1} flexGrow={1}>
                <Text wrap="truncate-end">{v.summary}</Text>
              </Box>
            </>
          )}
        />
      </Pane>
    );
  }
  return (
    <Pane title="Experiments" focused={focused} height={height} right={positionLabel(list.length, drill.cursor)}>
      <WindowedList
        items={list}
        cursor={drill.cursor}
        height={rows}
        focused={focused}
        keyOf={(e) => e.experiment}
        renderRow={(e, _i, selected) => (
          <Box flexGrow={1}>
            <Box flexShrink={0} minWidth={10}>
              <Text inverse={selected && focused}>{e.experiment}</Text>
            </Box>
            <Box marginLeft={1} flexShrink={0} width={12} justifyContent="flex-end">
              <Text>{`${e.versions} version${e.versions === 1 ? '' : 's'}`}</Text>
            </Box>
            <Box marginLeft={1} flexShrink={0}>
              <Text color={t.muted}>{formatDate(e.lastSavedAt)}</Text>
            </Box>
            <Box marginLeft={1} flexGrow={1} flexShrink={1}>
              <Text wrap="truncate-end">{e.files.join(', ')}</Text>
            </Box>
          </Box>
        )}
      />
    </Pane>
  );
}
