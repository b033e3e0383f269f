import { describe, expect, test } from 'vitest';
import { openForm, stepForm } from './form.js';
import type { FormState, FormStep } from './form.js';
import type { KeyInfo } from './keymap.js';
import { lineText } from './line-edit.js';

const type = (f: FormState, text: string): FormState => [...text].reduce((acc, ch) => (stepForm(acc, ch, {}) as Extract<FormStep, { kind: 'edit' }>).form, f);
const press = (f: FormState, key: KeyInfo) => stepForm(f, '', key);

describe('forms', () => {
  test('answers the questions in order; Enter on the last submits them trimmed', () => {
    let f = openForm('Save data.csv', [{ label: 'Description' }, { label: 'Experiment id' }]);
    f = type(f, '  fix row 2 ');
    const s1 = press(f, { return: true });
    expect(s1.kind).toBe('edit');
    f = (s1 as Extract<FormStep, { kind: 'edit' }>).form;
    expect(f.step).toBe(1);
    expect(f.answers).toEqual(['fix row 2']);
    expect(press(f, { return: true })).toEqual({ kind: 'submit', answers: ['fix row 2', ''] });
  });

  test('Esc cancels at any question; letters such as q are text, not keys', () => {
    let f = openForm('Tag', [{ label: 'Tag name', initial: 'sp/a.csv/v1' }]);
    expect(lineText(f.line)).toBe('sp/a.csv/v1');
    f = type(f, 'q');
    expect(lineText(f.line)).toBe('sp/a.csv/v1q');
    expect(press(f, { escape: true })).toEqual({ kind: 'cancel' });
  });

  test('a required field refuses an empty answer with its note, typing clears the note', () => {
    let f = openForm('Tag', [{ label: 'Tag name', initial: '', required: 'A tag needs a name.' }]);
    const s = press(f, { return: true }) as Extract<FormStep, { kind: 'edit' }>;
    expect(s.kind).toBe('edit');
    expect(s.form.note).toBe('A tag needs a name.');
    f = type(s.form, 'v1');
    expect(f.note).toBeUndefined();
    expect(press(f, { return: true })).toEqual({ kind: 'submit', answers: ['v1'] });
  });
});
