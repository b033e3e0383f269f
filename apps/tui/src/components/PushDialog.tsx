import { Text } from 'ink';
import type { PushState } from '../hooks/use-remotes.js';
import { useTheme } from '../theme.js';
import { Dialog } from './Dialog.js';
import { ErrorText } from './ErrorText.js';
import { ProgressBar } from './ProgressBar.js';

export function PushDialog({ state, width }: { state: PushState; width: number }) {
  const t = useTheme();
  switch (state.phase) {
    case 'confirm':
      return (
        <Dialog title={`Push to ${state.remotes.join(', ')}?`} keys="y / Enter push   n / Esc cancel" width={width}>
          <Text>Sends the history branch, its tags and the checksum notes (notes are merged, never overwritten).</Text>
        </Dialog>
      );
    case 'running':
      return (
        <Dialog title={`Pushing to ${state.remotes.join(', ')}…`} keys="" width={width}>
          <ProgressBar loaded={state.progress?.loaded ?? 0} total={state.progress?.total ?? 0} width={30} {...(state.progress?.phase ? { label: state.progress.phase } : {})} />
        </Dialog>
      );
    case 'done':
      return (
        <Dialog title="Push finished" keys="any key to close" width={width}>
          {state.outcomes.map((o) =>
            o.ok ? (
              <Text key={o.remote} color={t.ok}>{`✓ ${o.remote}: ${o.result?.status === 'up-to-date' ? 'already up to date' : `pushed (${o.result?.objects ?? 0} objects)`}`}</Text>
            ) : (
              <Text key={o.remote} wrap="wrap">
                <Text color={t.bad}>{`✗ ${o.remote}: `}</Text>
                <Text color={t.muted}>[{o.error?.code ?? 'E_INTERNAL'}]</Text> {o.error?.message ?? 'skipped (waiting for retry)'}
                {o.queued ? ' (queued for retry)' : ''}
              </Text>
            ),
          )}
        </Dialog>
      );
    case 'error':
      return (
        <Dialog title="Push failed" keys="any key to close" width={width}>
          <ErrorText error={state.error} />
        </Dialog>
      );
  }
}
