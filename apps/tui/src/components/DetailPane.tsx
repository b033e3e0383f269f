import { Box, Text } from 'ink';
import type { VersionRecord } from '@savepoint/core';
import { formatBytes, formatDate, statusMark } from '../format.js';
import { useTheme } from '../theme.js';
import { Pane } from './Pane.js';

/** The fields of one version as label/value lines (pure, so the view can page them). */
export function detailLines(v: VersionRecord): [string, string][] {
  const rows: [string, string | undefined][] = [
    ['Version', `${v.path}@${v.version}`],
    ['Status', v.archive ? `archived (${v.archive})` : v.status === 'verified' ? `✓ verified${v.verifiedAt ? ` ${formatDate(v.verifiedAt)}` : ''}${v.verifiedBy ? ` by ${v.verifiedBy}` : ''}` : `${statusMark(v)} ${v.status}`],
    ['Saved', formatDate(v.savedAt)],
    ['Size', v.size >= 0 ? `${formatBytes(v.size)} (${v.size} bytes)` : 'unknown'],
    ['Message', v.summary],
    ['Description', v.description],
    ['Tags', v.tags.length ? v.tags.join(', ') : undefined],
    ['Kind', v.kind],
    ['Source', v.source],
    ['Experiment', v.experiment],
    ['Keep', v.keep],
    ['SHA-256', v.sha256],
    ['MD5', v.md5],
    ['Commit', v.commit],
    ['Blob', v.blob || undefined],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}

export function DetailPane({ version, focused, height, scroll }: { version: VersionRecord | undefined; focused: boolean; height: number; scroll: number }) {
  const t = useTheme();
  const rows = Math.max(1, height - 3);
  const lines = version ? detailLines(version) : [];
  return (
    <Pane title={version ? `Detail: ${version.path}@${version.version}` : 'Detail'} focused={focused} height={height}>
      {!version ? <Text color={t.muted}>No version selected.</Text> : null}
      {lines.slice(scroll, scroll + rows).map(([k, v]) => (
        <Box key={k}>
          <Box width={13} flexShrink={0}>
            <Text color={t.muted}>{k}</Text>
          </Box>
          <Text wrap="truncate-end">{v}</Text>
        </Box>
      ))}
    </Pane>
  );
}
