/**
 * Pieces shared by the drill-down panes (archives, experiments): the pane shown while the list loads, fails
 * or is empty, and the list of versions inside an opened entry (path@version, date, size, then the pane's
 * own columns).
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { ErrorInfo } from '../errors.js';
import { formatBytes, formatDate } from '../format.js';
import { useTheme } from '../theme.js';
import { ErrorText } from './ErrorText.js';
import { Pane } from './Pane.js';
import { WindowedList } from './WindowedList.js';

/** The pane shown instead of the list while it is read (or failed to be), or when it is `ready` but empty. */
export function DrillStatusPane({ title, ready, error, empty, focused, height }: {
  title: string;
  ready: boolean;
  error?: ErrorInfo;
  empty: string;
  focused: boolean;
  height: number;
}) {
  const t = useTheme();
  return (
    <Pane title={title} focused={focused} height={height}>
      {error ? <ErrorText error={error} /> : <Text color={t.muted}>{ready ? empty : 'reading…'}</Text>}
    </Pane>
  );
}

interface ListedVersion {
  path: string;
  version: number;
  savedAt: string;
  size: number;
}

/** The versions inside an opened entry: path@version, saved date, size, then `extra(v)` columns. */
export function VersionList<V extends ListedVersion>({ versions, cursor, height, focused, extra }: {
  versions: readonly V[];
  cursor: number;
  height: number;
  focused: boolean;
  extra: (v: V) => ReactNode;
}) {
  const t = useTheme();
  return (
    <WindowedList
      items={versions}
      cursor={cursor}
      height={height}
      focused={focused}
      keyOf={(v) => `${v.path}@${v.version}`}
      renderRow={(v, _i, selected) => (
        <Box flexGrow={1}>
          <Box flexGrow={1} flexShrink={1}>
            <Text inverse={selected && focused} wrap="truncate-middle">{`${v.path}@${v.version}`}</Text>
          </Box>
          <Box marginLeft={1} flexShrink={0}>
            <Text color={t.muted}>{formatDate(v.savedAt)}</Text>
          </Box>
          <Box marginLeft={1} flexShrink={0} width={9} justifyContent="flex-end">
            <Text>{formatBytes(v.size)}</Text>
          </Box>
          {extra(v)}
        </Box>
      )}
    />
  );
}
