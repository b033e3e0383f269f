import { Text } from 'ink';
import type { ErrorInfo } from '../errors.js';
import { useTheme } from '../theme.js';

/** `error [E_CODE] message` — how every failure from core is shown. */
export function ErrorText({ error }: { error: ErrorInfo }) {
  const t = useTheme();
  return (
    <Text wrap="wrap">
      <Text color={t.bad} bold>
        error
      </Text>{' '}
      <Text color={t.muted}>[{error.code}]</Text> {error.message}
    </Text>
  );
}
