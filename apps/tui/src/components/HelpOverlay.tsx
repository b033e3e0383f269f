import { Box, Text } from 'ink';
import { helpRows } from '../state/keymap.js';
import { useTheme } from '../theme.js';

/** Every key, from the keymap table (state/keymap.ts), grouped by where it works; scrolls with j/k, PgDn. */
export function HelpOverlay({ width, height = 1000, scroll = 0 }: { width: number; height?: number; scroll?: number }) {
  const t = useTheme();
  const rows = helpRows();
  // border 2, title 1, footer 1
  const room = Math.max(1, height - 4);
  const start = Math.max(0, Math.min(scroll, rows.length - room));
  const shown = rows.slice(start, start + room);
  const more = rows.length > room ? ` (${start + 1}–${start + shown.length} of ${rows.length}; j/k, PgDn/PgUp scroll)` : '';
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={t.accent} paddingX={1} width={width}>
      <Text bold color={t.accent} wrap="truncate-end">
        Savepoint keys{more}
      </Text>
      {shown.map((r, i) =>
        r.kind === 'heading' ? (
          <Text key={`h${start + i}`} bold underline wrap="truncate-end">
            {`— ${r.text} —`}
          </Text>
        ) : (
          <Box key={`k${start + i}`}>
            <Box width={24} flexShrink={0}>
              <Text bold wrap="truncate-end">
                {r.keys}
              </Text>
            </Box>
            <Text wrap="truncate-end">{r.text}</Text>
          </Box>
        ),
      )}
      <Text color={t.muted}>any other key closes the help; q quits</Text>
    </Box>
  );
}

/** How many rows the help has (the App clamps its scroll with it). */
export const helpRowCount = (): number => helpRows().length;
