import { Box, Text } from 'ink';
import { HELP_LINES } from '../state/keymap.js';
import { useTheme } from '../theme.js';

export function HelpOverlay({ width }: { width: number }) {
  const t = useTheme();
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={t.accent} paddingX={1} width={width}>
      <Text bold color={t.accent}>
        Savepoint keys
      </Text>
      {HELP_LINES.map(([k, what]) => (
        <Box key={k}>
          <Box width={16} flexShrink={0}>
            <Text bold>{k}</Text>
          </Box>
          <Text wrap="truncate-end">{what}</Text>
        </Box>
      ))}
      <Text color={t.muted}>any key to close</Text>
    </Box>
  );
}
