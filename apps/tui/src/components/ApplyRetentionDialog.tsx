import { Text } from 'ink';
import type { ApplyState } from '../hooks/use-retention.js';
import { formatBytes } from '../format.js';
import { useTheme } from '../theme.js';
import { Dialog } from './Dialog.js';
import { ErrorText } from './ErrorText.js';
import { ProgressBar } from './ProgressBar.js';

export function ApplyRetentionDialog({ state, width, archiveLocation }: { state: ApplyState; width: number; archiveLocation: string }) {
  const t = useTheme();
  const { counts, bytesFreed } = state.plan;
  switch (state.phase) {
    case 'confirm':
      return (
        <Dialog title="Apply the retention plan?" keys="y / Enter apply   n / Esc cancel" width={width}>
          <Text>
            {counts.archive} version{counts.archive === 1 ? '' : 's'} move into a checksummed archive under {archiveLocation} (still listable and restorable); {formatBytes(bytesFreed)} leave the repository.
          </Text>
          {counts.delete ? <Text color={t.bad}>{counts.delete} archived version{counts.delete === 1 ? '' : 's'} will be deleted for good.</Text> : null}
          <Text color={t.muted}>Exactly the plan shown is applied; if the history changed since, nothing is changed.</Text>
        </Dialog>
      );
    case 'running':
      return (
        <Dialog title="Applying the retention plan…" keys="" width={width}>
          <ProgressBar loaded={state.progress?.loaded ?? 0} total={state.progress?.total ?? 0} width={30} {...(state.progress?.item ? { label: state.progress.item } : state.progress?.phase ? { label: state.progress.phase } : {})} />
        </Dialog>
      );
    case 'done': {
      const r = state.result;
      return (
        <Dialog title="Retention plan applied" keys="any key to close" width={width}>
          <Text color={t.ok}>{`✓ ${r.archived} archived, ${r.deleted} deleted, ${r.commitsRewritten} history commits rewritten.`}</Text>
          {r.archives.map((a) => (
            <Text key={a.file} wrap="truncate-end">{`archive ${a.file} (${formatBytes(a.size)}): ${a.versions.join(', ')}`}</Text>
          ))}
          {r.warnings.map((w, i) => (
            <Text key={i} color={t.warn} wrap="truncate-end">{`warning: ${w}`}</Text>
          ))}
        </Dialog>
      );
    }
    case 'error':
      return (
        <Dialog title="The retention plan was not applied" keys="any key to close" width={width}>
          <ErrorText error={state.error} />
        </Dialog>
      );
  }
}
