import { Box, Text } from 'ink';
import { redactUrl } from '@savepoint/core';
import type { CopiesReport, VersionRecord } from '@savepoint/core';
import { formatDate } from '../format.js';
import type { CopiesState } from '../hooks/use-remotes.js';
import { useTheme } from '../theme.js';
import { ErrorText } from './ErrorText.js';
import { Pane } from './Pane.js';

/** Remotes, the 3-2-1 summary and where the selected version has copies. Pure. */
export function remoteLines(report: CopiesReport, selected: VersionRecord | undefined): { text: string; tone?: 'ok' | 'bad' | 'warn' }[] {
  const s = report.summary;
  const out: { text: string; tone?: 'ok' | 'bad' | 'warn' }[] = [];
  out.push({ text: `3-2-1: ${s.ok321} of ${s.versions} versions have 3 copies on 2 media with 1 off-site · ${s.singleCopy} with a single copy · ${s.withOffsite} off-site`, tone: s.versions && s.ok321 === s.versions ? 'ok' : 'warn' });
  if (selected) {
    const v = report.versions.find((x) => x.path === selected.path && x.version === selected.version);
    if (v) out.push({ text: `${v.path}@${v.version}: ${v.copies} cop${v.copies === 1 ? 'y' : 'ies'} (${v.locations.map((l) => l.name).join(', ') || 'none'})${v.ok321 ? ' ✓ 3-2-1' : ''}`, tone: v.ok321 ? 'ok' : v.copies <= 1 ? 'bad' : 'warn' });
  }
  if (!report.remotes.length) out.push({ text: 'No remotes yet. Add one with `savepoint remote add NAME URL --media cloud`.' });
  for (const r of report.remotes) {
    const when = r.lastPush ? `pushed ${formatDate(r.lastPush)}` : r.tip ? 'fetched' : 'never pushed';
    out.push({ text: `${r.name.padEnd(10)} ${r.media.padEnd(8)} ${r.offsite ? 'off-site' : 'on-site '}  ${when.padEnd(25)} ${redactUrl(r.url)}`, ...(r.tip ? {} : { tone: 'warn' as const }) });
    if (r.queued) out.push({ text: `           queued since ${formatDate(r.queued.since)}, ${r.queued.attempts} attempt(s): [${r.queued.lastError.code}] ${r.queued.lastError.message}`, tone: 'bad' });
  }
  return out;
}

export function RemotesPane({ state, selected, focused, height, scroll }: { state: CopiesState; selected: VersionRecord | undefined; focused: boolean; height: number; scroll: number }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  const report = state.phase === 'ready' ? state.report : state.phase === 'loading' ? state.report : undefined;
  const lines = report ? remoteLines(report, selected) : [];
  return (
    <Pane title="Remotes and copies" focused={focused} height={height} right={state.phase === 'loading' ? 'reading…' : report?.remotes.length ? 'u: push to all remotes' : ''}>
      {state.phase === 'loading' && !report ? <Text color={t.muted}>Reading remote state…</Text> : null}
      {state.phase === 'error' ? <ErrorText error={state.error} /> : null}
      <Box flexDirection="column">
        {lines.slice(scroll, scroll + rows).map((l, i) => (
          <Text key={scroll + i} wrap="truncate-end" color={l.tone === 'ok' ? t.ok : l.tone === 'bad' ? t.bad : l.tone === 'warn' ? t.warn : undefined}>
            {l.text}
          </Text>
        ))}
      </Box>
    </Pane>
  );
}
