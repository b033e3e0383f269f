import { Box, Text } from 'ink';
import type { FormState } from '../state/form.js';
import { useTheme } from '../theme.js';
import { Dialog } from './Dialog.js';

/** One text line with a block cursor (inverse, so it shows without colour). */
export function LineInput({ chars, cursor }: { chars: string[]; cursor: number }) {
  const before = chars.slice(0, cursor).join('');
  const at = chars[cursor] ?? ' ';
  const after = chars.slice(cursor + 1).join('');
  return (
    <Text wrap="truncate-start">
      {'› '}
      {before}
      <Text inverse>{at}</Text>
      {after}
    </Text>
  );
}

/** A form of text questions: earlier answers above, the current question with its input and hint. */
export function FormDialog({ form, width }: { form: FormState; width: number }) {
  const t = useTheme();
  const field = form.fields[form.step]!;
  const last = form.step + 1 >= form.fields.length;
  return (
    <Dialog title={form.title} keys={`Enter ${last ? 'run' : 'next'}   Esc cancel   (${form.step + 1}/${form.fields.length})`} width={width}>
      {form.answers.map((a, i) => (
        <Text key={i} color={t.muted} wrap="truncate-end">
          {`${form.fields[i]!.label}: ${a || '(none)'}`}
        </Text>
      ))}
      <Box>
        <Text bold>{`${field.label}: `}</Text>
        <Box flexGrow={1} flexShrink={1}>
          <LineInput chars={form.line.chars} cursor={form.line.cursor} />
        </Box>
      </Box>
      {form.note ? <Text color={t.bad}>{`! ${form.note}`}</Text> : field.hint ? <Text color={t.muted} wrap="truncate-end">{field.hint}</Text> : null}
    </Dialog>
  );
}
