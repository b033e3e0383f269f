import { Box, Text } from 'ink';
import type { RetentionDecision, RetentionPolicy, VaultRetentionPlan } from '@savepoint/core';
import { formatBytes, formatDate } from '../format.js';
import type { PlanState } from '../hooks/use-retention.js';
import { planHasWork } from '../hooks/use-retention.js';
import { useTheme } from '../theme.js';
import { ErrorText } from './ErrorText.js';
import { Pane } from './Pane.js';

export function policyText(p: RetentionPolicy): string {
  const parts = [`keep last ${p.keepLast}`];
  if (p.keepWithin) parts.push(`within ${p.keepWithin}`);
  for (const k of ['daily', 'weekly', 'monthly', 'yearly'] as const) if (p[k]) parts.push(`${k} ${p[k]}`);
  if (p.expireArchivesAfter) parts.push(`delete archives after ${p.expireArchivesAfter}`);
  return parts.join(', ');
}

const ORDER = { delete: 0, archive: 1, keep: 2 } as const;

/** What would happen, most consequential first: deletions, then archives, then what is kept and why. Pure. */
export function planLines(plan: VaultRetentionPlan): { action: RetentionDecision['action']; text: string }[] {
  const sorted = [...plan.decisions].sort((a, b) => ORDER[a.action] - ORDER[b.action] || a.path.localeCompare(b.path) || b.version - a.version);
  return sorted.map((d) => ({
    action: d.action,
    text: `${d.action.toUpperCase().padEnd(7)} ${`${d.path}@${d.version}`.padEnd(16)} ${formatDate(d.savedAt)}  ${formatBytes(d.size).padStart(8)}  ${d.reason}${d.keptUntil ? ` (until ${formatDate(d.keptUntil)})` : ''}`,
  }));
}

export function RetentionPane({ state, focused, height, scroll }: { state: PlanState; focused: boolean; height: number; scroll: number }) {
  const t = useTheme();
  const rows = Math.max(1, height - 5);
  const plan = state.phase === 'ready' || state.phase === 'applied' ? state.plan : null;
  const lines = plan ? planLines(plan) : [];
  return (
    <Pane title={state.phase === 'applied' ? 'Retention plan (applied)' : 'Retention plan'} focused={focused} height={height} right={plan ? `policy: ${policyText(plan.policy)}` : ''}>
      {state.phase === 'planning' ? <Text color={t.muted}>Planning…</Text> : null}
      {state.phase === 'error' ? <ErrorText error={state.error} /> : null}
      {plan ? (
        <Box flexDirection="column">
          <Text>
            {`keep ${plan.counts.keep} · archive ${plan.counts.archive} · delete ${plan.counts.delete} · frees ${formatBytes(plan.bytesFreed)}`}
          </Text>
          {state.phase === 'applied' ? (
            <Text color={t.ok}>{`✓ Applied: ${state.result.archived} archived, ${state.result.deleted} deleted. Press p to plan again.`}</Text>
          ) : planHasWork(plan) ? (
            <Text color={t.warn}>Nothing has changed yet. Press a to apply this plan (you will be asked to confirm).</Text>
          ) : (
            <Text color={t.ok}>Nothing to archive or delete under this policy.</Text>
          )}
          {lines.slice(scroll, scroll + rows).map((l, i) => (
            <Text key={scroll + i} wrap="truncate-end" color={l.action === 'delete' ? t.bad : l.action === 'archive' ? t.warn : undefined}>
              {l.text}
            </Text>
          ))}
        </Box>
      ) : null}
    </Pane>
  );
}
