import { Text } from 'ink';
import type { GlancePart, GlanceTone } from '../state/glance.js';
import { useTheme } from '../theme.js';
import type { Theme } from '../theme.js';

const toneColor = (t: Theme, tone: GlanceTone) => (tone === 'ok' ? t.ok : tone === 'warn' ? t.warn : tone === 'bad' ? t.bad : t.muted);

/** The header's status line: parts joined by " · " (each has its own word or mark, colour only adds). */
export function Glance({ parts }: { parts: GlancePart[] }) {
  const t = useTheme();
  return (
    <Text wrap="truncate-end">
      {parts.map((p, i) => (
        <Text key={i}>
          {i ? <Text color={t.muted}>{' · '}</Text> : null}
          <Text color={toneColor(t, p.tone)}>{p.text}</Text>
        </Text>
      ))}
    </Text>
  );
}
