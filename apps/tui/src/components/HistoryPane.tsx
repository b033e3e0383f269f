import { Text } from 'ink';
import type { VersionRecord } from '@savepoint/core';
import { formatBytes, formatDate, statusMark } from '../format.js';
import { positionLabel } from '../state/list-window.js';
import { useTheme } from '../theme.js';
import { Pane } from './Pane.js';
import { WindowedList } from './WindowedList.js';

/** Versions of the selected file, newest first: number, date, size, status (✓ / archived), tags, message. */
/** `titleSuffix`: the filter (versions are already filtered); `marked`: path@version keys marked with m, drawn as v3*. */
export function HistoryPane({ path, versions, cursor, focused, height, titleSuffix = '', marked }: { path: string | undefined; versions: readonly VersionRecord[]; cursor: number; focused: boolean; height: number; titleSuffix?: string; marked?: ReadonlySet<string> }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  return (
    <Pane title={(path ? `History: ${path}` : 'History') + titleSuffix} focused={focused} height={height} right={positionLabel(versions.length, cursor)}>
      {path && versions.length === 0 ? <Text color={t.muted}>Never saved. Save it with `savepoint save {path}`.</Text> : null}
      <WindowedList
        items={versions}
        cursor={cursor}
        height={rows}
        focused={focused}
        keyOf={(v) => `${v.version}:${v.commit}`}
        renderRow={(v, _i, selected) => {
          // one Text per row: nested Texts add no layout nodes, so a frame stays cheap
          const mark = statusMark(v);
          return (
            <Text wrap="truncate-end">
              <Text inverse={selected && focused}>{`v${v.version}${marked?.has(`${v.path}@${v.version}`) ? '*' : ''}`.padEnd(4)}</Text>
              <Text color={t.muted}>{` ${formatDate(v.savedAt)}`}</Text>
              {` ${formatBytes(v.size).padStart(8)} `}
              <Text color={mark === '✓' ? t.ok : mark === 'archived' ? t.warn : t.muted}>{mark}</Text>
              {' '}
              {v.tags.length ? <Text color={t.accent}>{`[${v.tags.join(', ')}] `}</Text> : null}
              {v.summary}
            </Text>
          );
        }}
      />
    </Pane>
  );
}
