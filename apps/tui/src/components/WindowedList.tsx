/**
 * A list that renders only its visible rows (see state/list-window.ts): the files, history, archives and
 * experiments panes all use it, and a filter passes it the filtered array.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useListWindow } from '../hooks/use-list-window.js';

export interface WindowedListProps<T> {
  items: readonly T[];
  cursor: number;
  /** rows available for items */
  height: number;
  focused: boolean;
  keyOf: (item: T, index: number) => string;
  /** one row; `selected` is the cursor row. The list draws the `›` marker in front. */
  renderRow: (item: T, index: number, selected: boolean) => ReactNode;
}

export function WindowedList<T>({ items, cursor, height, focused, keyOf, renderRow }: WindowedListProps<T>) {
  const { start, end } = useListWindow(items.length, cursor, height);
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    const item = items[i]!;
    const selected = i === cursor;
    // one Box per row (layout nodes are what a frame costs): the marker and the row's own content
    rows.push(
      <Box key={keyOf(item, i)}>
        {/* fixed width: a long row that truncates must not shrink the marker away */}
        <Box flexShrink={0} width={2}>
          <Text inverse={selected && focused} bold={selected}>
            {selected ? '›' : ' '}
          </Text>
        </Box>
        {renderRow(item, i, selected)}
      </Box>,
    );
  }
  return <>{rows}</>;
}
