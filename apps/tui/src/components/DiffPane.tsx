import { Text } from 'ink';
import type { DiffState } from '../hooks/use-diff.js';
import { useTheme } from '../theme.js';
import { Pane } from './Pane.js';
import { ErrorText } from './ErrorText.js';
import { JsonTreeView } from './JsonTreeView.js';
import { TableDiffView } from './TableDiffView.js';
import { initialTableView } from '../state/table-view.js';
import type { TableView } from '../state/table-view.js';

/** Rendered diff lines, one page at a time (PgUp/PgDn, ↑/↓ when focused). */
export function DiffPane({ state, focused, height, scroll, width = 80, table = initialTableView }: { state: DiffState; focused: boolean; height: number; scroll: number; width?: number; table?: TableView }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  const title = state.phase === 'idle' ? 'Diff' : `Diff: ${state.title}`;
  const lines = state.phase === 'ready' ? state.lines : [];
  if (state.phase === 'ready' && state.tables) {
    const m = state.tables[Math.min(table.sheet, state.tables.length - 1)]!;
    return (
      <Pane title={title} focused={focused} height={height} right={`row ${Math.min(table.row + 1, m.rows.length)}/${m.rows.length}${focused ? '  Enter cells' : '  Tab to browse'}`}>
        <TableDiffView models={state.tables} view={table} width={Math.max(10, width - 2)} height={rows} focused={focused} />
      </Pane>
    );
  }
  const tree = state.phase === 'ready' ? state.tree : null;
  const count = tree ? tree.length : lines.length;
  const right = count > rows ? `lines ${scroll + 1}–${Math.min(count, scroll + rows)} of ${count}  PgUp/PgDn` : 'w: vs working/previous';
  if (tree) {
    return (
      <Pane title={title} focused={focused} height={height} right={right}>
        <JsonTreeView lines={tree} scroll={scroll} rows={rows} />
      </Pane>
    );
  }
  return (
    <Pane title={title} focused={focused} height={height} right={right}>
      {state.phase === 'loading' ? <Text color={t.muted}>Computing diff… (Esc cancels)</Text> : null}
      {state.phase === 'error' ? <ErrorText error={state.error} /> : null}
      {lines.slice(scroll, scroll + rows).map((l, i) => (
        <Text key={scroll + i} wrap="truncate-end">
          {l === '' ? ' ' : l}
        </Text>
      ))}
    </Pane>
  );
}
