import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../theme.js';

/** A framed box drawn over the bottom of the screen; the keys it accepts are named in `keys`. */
export function Dialog({ title, children, keys, width }: { title: string; children: ReactNode; keys: string; width: number }) {
  const t = useTheme();
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={t.warn} paddingX={1} width={width}>
      <Text bold color={t.warn}>
        {title}
      </Text>
      {children}
      <Text color={t.muted}>{keys}</Text>
    </Box>
  );
}
