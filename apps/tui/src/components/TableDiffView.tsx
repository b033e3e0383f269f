/** A table diff as a side-by-side grid (old │ new) of changed rows; Enter shows every cell of the cursor row. */
import { Box, Text } from 'ink';
import { useListWindow } from '../hooks/use-list-window.js';
import { gridLines, layoutGrid, naturalWidths, rowDetail } from '../state/table-grid.js';
import type { GridModel, GridSpan } from '../state/table-grid.js';
import type { TableView } from '../state/table-view.js';
import { useTheme } from '../theme.js';
import type { Theme } from '../theme.js';

function Spans({ spans, t, selected }: { spans: GridSpan[]; t: Theme; selected: boolean }) {
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {spans.map((s, i) => (
        <Text key={i} {...(s.changed ? { bold: true, color: s.side === 'a' ? t.bad : t.ok } : s.side === 'ref' || s.side === 'sep' ? { color: t.muted } : {})}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

export function TableDiffView({ models, view, width, height, focused }: { models: GridModel[]; view: TableView; width: number; height: number; focused: boolean }) {
  const t = useTheme();
  const m = models[Math.min(view.sheet, models.length - 1)];
  const rowsH = Math.max(1, height - 2);
  const { start, end } = useListWindow(m?.rows.length ?? 0, view.row, rowsH);
  if (!m) return <Text color={t.muted}>No changed rows.</Text>;
  const sheetLabel = models.length > 1 ? `${m.title} (${view.sheet + 1}/${models.length}, [ ] switch)  ` : '';
  if (view.detail && m.rows[view.row]) {
    const lines = rowDetail(m, m.rows[view.row]!);
    return (
      <Box flexDirection="column">
        <Text color={t.muted} wrap="truncate-end">{`${sheetLabel}all cells of the row · Esc back to the grid`}</Text>
        {lines.slice(0, height - 1).map((l, i) => (
          <Text key={i} wrap="truncate-end" {...(l.startsWith('*') && i > 0 ? { bold: true, color: t.warn } : {})}>
            {l}
          </Text>
        ))}
      </Box>
    );
  }
  const layout = layoutGrid(naturalWidths(m), m.rows.map((r) => r.ref), width, view.col);
  const { header, lines } = gridLines(m, layout, m.rows.slice(start, end));
  const scroll = layout.hiddenLeft || layout.hiddenRight ? `  cols ${layout.hiddenLeft ? '◀' : ' '}${layout.offset + 1}-${layout.offset + layout.columns.length}/${m.columns.length}${layout.hiddenRight ? '▶' : ' '} ←→` : '';
  return (
    <Box flexDirection="column">
      <Text color={t.muted} wrap="truncate-end">{`${sheetLabel}${m.summary}${scroll}`}</Text>
      <Text bold wrap="truncate-end">
        {header.map((s) => s.text).join('')}
      </Text>
      {lines.map((l, i) => (
        <Spans key={start + i} spans={l} t={t} selected={focused && start + i === view.row} />
      ))}
    </Box>
  );
}
