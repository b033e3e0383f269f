import { Box, Text } from 'ink';
import type { FileStatus } from '@savepoint/core';
import { fileStateLabel } from '../format.js';
import { positionLabel } from '../state/list-window.js';
import { useTheme } from '../theme.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';
import { WindowedList } from './WindowedList.js';

function stateColor(t: Theme, s: FileStatus['state']): string | undefined {
  if (s === 'modified' || s === 'new') return t.warn;
  if (s === 'missing' || s === 'unsupported') return t.bad;
  return t.ok;
}

/** Tracked files: state, latest version, how many versions (and how many archived). */
/** `titleSuffix`: the filter shown in the title (state/filter.ts filterTitle); `files` are already filtered. */
export function FilesPane({ files, cursor, focused, width, height, titleSuffix = '' }: { files: readonly FileStatus[]; cursor: number; focused: boolean; width: number; height: number; titleSuffix?: string }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  return (
    <Pane title={`Files${titleSuffix}`} focused={focused} width={width} height={height} right={positionLabel(files.length, cursor)}>
      {files.length === 0 ? <Text color={t.muted}>No tracked files yet. Save one with `savepoint save FILE`.</Text> : null}
      <WindowedList
        items={files}
        cursor={cursor}
        height={rows}
        focused={focused}
        keyOf={(f) => f.path}
        renderRow={(f, _i, selected) => {
          const counts = f.versions ? `v${f.latestVersion ?? '?'} ×${f.versions}${f.archivedVersions ? ` (${f.archivedVersions} archived)` : ''}` : '';
          return (
            <Box flexGrow={1}>
              <Box flexGrow={1} flexShrink={1}>
                <Text inverse={selected && focused} wrap="truncate-middle">
                  {f.path}
                </Text>
              </Box>
              <Box marginLeft={1} flexShrink={0}>
                <Text color={stateColor(t, f.state)}>{fileStateLabel(f)}</Text>
              </Box>
              <Box marginLeft={1} flexShrink={0}>
                <Text color={t.muted}>{counts}</Text>
              </Box>
            </Box>
          );
        }}
      />
    </Pane>
  );
}
