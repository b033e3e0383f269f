/**
 * A short sequence of text questions (save: description, experiment; tag: name, message; filter: query).
 * Pure: `stepForm` takes a key and returns the next form, the answers when the last question is
 * accepted, or `cancel` on Esc. The App runs the operation with the answers.
 */
import { editLine, lineOf, lineText } from './line-edit.js';
import type { LineState } from './line-edit.js';
import { keyToAction } from './keymap.js';
import type { KeyInfo } from './keymap.js';

export interface FormField {
  /** e.g. "Description" */
  label: string;
  /** shown under the input, e.g. "optional: Enter skips" */
  hint?: string;
  /** starting text (the tag name default) */
  initial?: string;
  /** an empty answer is refused with this note */
  required?: string;
}

export interface FormState {
  title: string;
  fields: FormField[];
  /** answers of the fields before `step` */
  answers: string[];
  step: number;
  line: LineState;
  /** why the last Enter was refused */
  note?: string;
}

export type FormStep = { kind: 'edit'; form: FormState } | { kind: 'submit'; answers: string[] } | { kind: 'cancel' };

export function openForm(title: string, fields: FormField[]): FormState {
  if (fields.length === 0) throw new Error('a form needs at least one field');
  return { title, fields, answers: [], step: 0, line: lineOf(fields[0]!.initial ?? '') };
}

export function stepForm(f: FormState, input: string, key: KeyInfo): FormStep {
  const a = keyToAction(input, key, 'prompt');
  if (a?.type === 'cancel') return { kind: 'cancel' };
  if (a?.type === 'confirm') {
    const text = lineText(f.line).trim();
    const field = f.fields[f.step]!;
    if (!text && field.required) return { kind: 'edit', form: { ...f, note: field.required } };
    const answers = [...f.answers, text];
    if (f.step + 1 >= f.fields.length) return { kind: 'submit', answers };
    const next = f.fields[f.step + 1]!;
    return { kind: 'edit', form: { title: f.title, fields: f.fields, answers, step: f.step + 1, line: lineOf(next.initial ?? '') } };
  }
  const line = editLine(f.line, input, key);
  if (line === f.line) return { kind: 'edit', form: f };
  const { note: _dropped, ...rest } = f;
  return { kind: 'edit', form: { ...rest, line } };
}
