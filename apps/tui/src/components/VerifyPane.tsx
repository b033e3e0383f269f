import { Box, Text } from 'ink';
import type { VerifyItem, VerifyResult } from '@savepoint/core';
import { formatBytes } from '../format.js';
import type { VerifyState } from '../hooks/use-verify.js';
import { useTheme } from '../theme.js';
import { ErrorText } from './ErrorText.js';
import { Pane } from './Pane.js';
import { ProgressBar } from './ProgressBar.js';

/** Result lines below the summary: problems first, then how many verified. Pure. */
export function verifyLines(r: VerifyResult): string[] {
  const bad = r.items.filter((i) => i.status !== 'verified');
  const lines = bad.map((i: VerifyItem) => `${i.status.toUpperCase().padEnd(9)} ${i.path}@${i.version}${i.message ? `  ${i.message}` : ''}`);
  for (const i of r.items) for (const c of i.damagedCopies ?? []) lines.push(`${'DAMAGED'.padEnd(9)} a copy of ${i.path}@${i.version} in ${c.location} (an intact copy is used)`);
  for (const p of (r.packs ?? []).filter((x) => !x.ok)) lines.push(`${'DAMAGED'.padEnd(9)} ${p.pack}  ${p.problems[0]?.message ?? ''}`);
  if (!bad.length) lines.push('All stored versions match their checksum notes.');
  return lines;
}

export function VerifyPane({ state, focused, height, width, scroll }: { state: VerifyState; focused: boolean; height: number; width: number; scroll: number }) {
  const t = useTheme();
  const rows = Math.max(1, height - 4);
  return (
    <Pane title="Verify" focused={focused} height={height}>
      {state.phase === 'idle' ? <Text color={t.muted}>Press v to verify every stored version.</Text> : null}
      {state.phase === 'running' ? (
        <Box flexDirection="column">
          <Text>Verifying… (Esc cancels)</Text>
          <ProgressBar loaded={state.progress?.loaded ?? 0} total={state.progress?.total ?? 0} width={Math.min(40, Math.max(10, width - 40))} {...(state.progress?.item ? { label: state.progress.item } : {})} />
        </Box>
      ) : null}
      {state.phase === 'error' ? <ErrorText error={state.error} /> : null}
      {state.phase === 'cancelled' ? <Text color={t.muted}>Verify cancelled: nothing was marked. Press v to run it again.</Text> : null}
      {state.phase === 'done' ? (
        <Box flexDirection="column">
          <Text>
            <Text color={state.result.ok ? t.ok : t.bad} bold>
              {state.result.ok ? '✓ OK' : '✗ PROBLEMS'}
            </Text>
            {`  verified ${state.result.verified} · corrupted ${state.result.corrupted} · missing ${state.result.missing} · ${formatBytes(state.result.bytes)} read`}
          </Text>
          {verifyLines(state.result)
            .slice(scroll, scroll + rows)
            .map((l, i) => (
              <Text key={scroll + i} wrap="truncate-end" color={l.startsWith('CORRUPTED') || l.startsWith('MISSING') ? t.bad : undefined}>
                {l}
              </Text>
            ))}
        </Box>
      ) : null}
    </Pane>
  );
}
