import { Text } from 'ink';
import type { RestoreState } from '../hooks/use-restore.js';
import { formatBytes, formatDate } from '../format.js';
import { useTheme } from '../theme.js';
import { Dialog } from './Dialog.js';
import { ErrorText } from './ErrorText.js';

export function RestoreDialog({ state, width }: { state: RestoreState; width: number }) {
  const t = useTheme();
  const v = state.target;
  const name = `${v.path}@${v.version}`;
  switch (state.phase) {
    case 'checking':
      return (
        <Dialog title={`Restore ${name}?`} keys="Esc cancel" width={width}>
          <Text color={t.muted}>Checking the working copy of {v.path}…</Text>
        </Dialog>
      );
    case 'confirm': {
      const w = state.working;
      const note =
        w.kind === 'absent' ? `${v.path} does not exist; it will be created.`
        : w.kind === 'same' ? `${v.path} already has this content; nothing will change.`
        : w.kind === 'saved' ? `${v.path} currently matches saved version ${w.version}; it stays in the history.`
        : `${v.path} has unsaved changes: they will be saved first as a pre-restore snapshot.`;
      return (
        <Dialog title={`Restore ${name}?`} keys="y / Enter restore   n / Esc cancel" width={width}>
          <Text>
            Replace {v.path} with version {v.version} from {formatDate(v.savedAt)} ({formatBytes(v.size)}): “{v.summary}”
          </Text>
          <Text color={w.kind === 'unsaved' ? t.warn : undefined}>{note}</Text>
        </Dialog>
      );
    }
    case 'running':
      return (
        <Dialog title={`Restoring ${name}…`} keys="" width={width}>
          <Text color={t.muted}>Writing a temporary copy, checking its SHA-256, then replacing {v.path}.</Text>
        </Dialog>
      );
    case 'done': {
      const r = state.result;
      return (
        <Dialog title={r.status === 'restored' ? `Restored ${name}` : `${name}: already current`} keys="any key to close" width={width}>
          <Text color={t.ok}>{r.status === 'restored' ? `✓ ${r.to} now holds version ${r.version} (SHA-256 checked).` : `${r.to} already had this content; nothing was written.`}</Text>
          {r.preRestoreSave ? (
            <Text>
              Your unsaved working copy was saved first as {r.preRestoreSave.path}@{r.preRestoreSave.version} (pre-restore snapshot).
            </Text>
          ) : null}
          {r.recorded ? <Text>Recorded as {r.recorded.path}@{r.recorded.version}: the latest version is what the file now holds.</Text> : null}
          {r.afterSave && !r.afterSave.ok ? (
            <Text color={t.warn}>
              After that save: {(['exports', 'retention', 'push', 'compact'] as const).filter((k) => r.afterSave![k].status === 'failed').join(', ') || 'a push'} did not complete; it is retried on the next save or by savepoint maintain.
            </Text>
          ) : null}
        </Dialog>
      );
    }
    case 'error':
      return (
        <Dialog title={`Restore of ${name} failed`} keys="any key to close" width={width}>
          <ErrorText error={state.error} />
        </Dialog>
      );
  }
}
