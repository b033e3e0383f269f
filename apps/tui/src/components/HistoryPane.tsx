import { Box, Text } from 'ink';
import type { VersionRecord } from '@savepoint/core';
import { formatBytes, formatDate, statusMark, windowStart } from '../format.js';
import { useTheme } from '../theme.js';
import { Pane } from './Pane.js';

/** Versions of the selected file, newest first: number, date, size, status (✓ / archived), tags, message. */
/** `titleSuffix`: the filter (versions are already filtered); `marked`: path@version keys marked with m, drawn as v3*. */
export function HistoryPane({ path, versions, cursor, focused, height, titleSuffix = '', marked }: { path: string | undefined; versions: VersionRecord[]; cursor: number; focused: boolean; height: number; titleSuffix?: string; marked?: ReadonlySet<string> }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  const start = windowStart(versions.length, cursor, rows);
  const shown = versions.slice(start, start + rows);
  return (
    <Pane title={(path ? `History: ${path}` : 'History') + titleSuffix} focused={focused} height={height} right={versions.length ? `${cursor + 1}/${versions.length}` : ''}>
      {path && versions.length === 0 ? <Text color={t.muted}>Never saved. Save it with `savepoint save {path}`.</Text> : null}
      {shown.map((v, i) => {
        const selected = start + i === cursor;
        const mark = statusMark(v);
        return (
          <Box key={`${v.version}:${v.commit}`}>
            <Box flexShrink={0} width={1}>
              <Text inverse={selected && focused} bold={selected}>
                {selected ? '›' : ' '}
              </Text>
            </Box>
            <Box marginLeft={1} flexShrink={0}>
              <Text inverse={selected && focused}>{`v${v.version}${marked?.has(`${v.path}@${v.version}`) ? '*' : ''}`.padEnd(4)}</Text>
            </Box>
            <Box marginLeft={1} flexShrink={0}>
              <Text color={t.muted}>{formatDate(v.savedAt)}</Text>
            </Box>
            <Box marginLeft={1} flexShrink={0} width={8} justifyContent="flex-end">
              <Text>{formatBytes(v.size)}</Text>
            </Box>
            <Box marginLeft={1} flexShrink={0}>
              <Text color={mark === '✓' ? t.ok : mark === 'archived' ? t.warn : t.muted}>{mark}</Text>
            </Box>
            <Box marginLeft={1} flexGrow={1} flexShrink={1}>
              <Text wrap="truncate-end">
                {v.tags.length ? <Text color={t.accent}>{`[${v.tags.join(', ')}] `}</Text> : null}
                {v.summary}
              </Text>
            </Box>
          </Box>
        );
      })}
    </Pane>
  );
}
