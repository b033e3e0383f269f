import { Text } from 'ink';
import type { SaveState } from '../hooks/use-save.js';
import type { TagState } from '../hooks/use-tag.js';
import { useTheme } from '../theme.js';
import { Dialog } from './Dialog.js';
import { FormDialog } from './FormDialog.js';
import { ProgressBar } from './ProgressBar.js';

/** The save prompt, then the save and after-save steps with progress. Done / error go to the message line. */
export function SaveDialog({ state, width }: { state: SaveState; width: number }) {
  const t = useTheme();
  if (state.phase === 'form') return <FormDialog form={state.form} width={width} />;
  const what = state.files.length === 1 ? state.files[0]! : `${state.files.length} files`;
  const p = state.phase === 'running' ? state.progress : null;
  return (
    <Dialog title={`Saving ${what}…`} keys="" width={width}>
      <Text color={t.muted} wrap="truncate-end">
        Storing, checksumming, then exports, retention, push and compact as configured.
      </Text>
      {p ? <ProgressBar loaded={p.loaded} total={p.total} width={30} label={`${p.phase}${p.item ? ` ${p.item}` : ''}`} /> : <Text color={t.muted}>starting…</Text>}
    </Dialog>
  );
}

export function TagDialog({ state, width }: { state: TagState; width: number }) {
  const t = useTheme();
  if (state.phase === 'form') return <FormDialog form={state.form} width={width} />;
  return (
    <Dialog title={`Tagging ${state.target.path}@${state.target.version}…`} keys="" width={width}>
      <Text color={t.muted}>Writing an annotated tag on the save commit.</Text>
    </Dialog>
  );
}
