import { Box, Text } from 'ink';
import type { FileStatus } from '@savepoint/core';
import { fileStateLabel, windowStart } from '../format.js';
import { useTheme } from '../theme.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

function stateColor(t: Theme, s: FileStatus['state']): string | undefined {
  if (s === 'modified' || s === 'new') return t.warn;
  if (s === 'missing' || s === 'unsupported') return t.bad;
  return t.ok;
}

/** Tracked files: state, latest version, how many versions (and how many archived). */
/** `titleSuffix`: the filter shown in the title (state/filter.ts filterTitle); `files` are already filtered. */
export function FilesPane({ files, cursor, focused, width, height, titleSuffix = '' }: { files: FileStatus[]; cursor: number; focused: boolean; width: number; height: number; titleSuffix?: string }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  const start = windowStart(files.length, cursor, rows);
  const shown = files.slice(start, start + rows);
  return (
    <Pane title={`Files${titleSuffix}`} focused={focused} width={width} height={height} right={files.length ? `${cursor + 1}/${files.length}` : ''}>
      {files.length === 0 ? <Text color={t.muted}>No tracked files yet. Save one with `savepoint save FILE`.</Text> : null}
      {shown.map((f, i) => {
        const selected = start + i === cursor;
        const counts = f.versions ? `v${f.latestVersion ?? '?'} ×${f.versions}${f.archivedVersions ? ` (${f.archivedVersions} archived)` : ''}` : '';
        return (
          <Box key={f.path}>
            <Box flexShrink={0} width={1}>
              <Text inverse={selected && focused} bold={selected}>
                {selected ? '›' : ' '}
              </Text>
            </Box>
            <Box flexGrow={1} flexShrink={1} marginLeft={1}>
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
      })}
    </Pane>
  );
}
