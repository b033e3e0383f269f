import { Text } from 'ink';
import { formatBytes, percent, progressBar } from '../format.js';
import { useTheme } from '../theme.js';

export function ProgressBar({ loaded, total, width, label }: { loaded: number; total: number; width: number; label?: string }) {
  const t = useTheme();
  return (
    <Text wrap="truncate-end">
      <Text color={t.accent}>{progressBar(loaded, total, width)}</Text> {String(percent(loaded, total)).padStart(3)}% {formatBytes(loaded)}/{formatBytes(total)}
      {label ? ` ${label}` : ''}
    </Text>
  );
}
