import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../theme.js';

/** A bordered pane with a title line; the focused pane gets a double border (visible without colour). */
export function Pane({ title, focused, width, height, children, right }: { title: string; focused: boolean; width?: number; height: number; children: ReactNode; right?: string }) {
  const t = useTheme();
  return (
    <Box flexDirection="column" borderStyle={focused ? 'double' : 'single'} borderColor={focused ? t.focusBorder : t.border} {...(width !== undefined ? { width, flexShrink: 0 } : { flexGrow: 1, flexShrink: 1 })} height={height} overflow="hidden">
      <Box>
        <Box flexGrow={1}>
          <Text bold color={focused ? t.accent : undefined} wrap="truncate-end">
            {title}
          </Text>
        </Box>
        {right ? (
          <Text color={t.muted} wrap="truncate-end">
            {right}
          </Text>
        ) : null}
      </Box>
      {children}
    </Box>
  );
}
