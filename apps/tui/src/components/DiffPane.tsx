import { Text } from 'ink';
import type { DiffState } from '../hooks/use-diff.js';
import { useTheme } from '../theme.js';
import { Pane } from './Pane.js';
import { ErrorText } from './ErrorText.js';

/** Rendered diff lines, one page at a time (PgUp/PgDn, ↑/↓ when focused). */
export function DiffPane({ state, focused, height, scroll }: { state: DiffState; focused: boolean; height: number; scroll: number }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  const title = state.phase === 'idle' ? 'Diff' : `Diff: ${state.title}`;
  const lines = state.phase === 'ready' ? state.lines : [];
  const right = lines.length > rows ? `lines ${scroll + 1}–${Math.min(lines.length, scroll + rows)} of ${lines.length}  PgUp/PgDn` : 'w: vs working/previous';
  return (
    <Pane title={title} focused={focused} height={height} right={right}>
      {state.phase === 'loading' ? <Text color={t.muted}>Computing diff…</Text> : null}
      {state.phase === 'error' ? <ErrorText error={state.error} /> : null}
      {lines.slice(scroll, scroll + rows).map((l, i) => (
        <Text key={scroll + i} wrap="truncate-end">
          {l === '' ? ' ' : l}
        </Text>
      ))}
    </Pane>
  );
}
