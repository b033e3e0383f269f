import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { renderApp } from './index.js';
import { TuiError } from './errors.js';

test('renderApp refuses a stdin that is not a terminal, with a code and without drawing', () => {
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  const out = new PassThrough();
  let written = '';
  out.on('data', (d: Buffer) => (written += d.toString()));
  let err: unknown;
  try {
    renderApp({ dir: '/nonexistent', stdin, stdout: out as unknown as NodeJS.WriteStream });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TuiError);
  expect((err as TuiError).toJSON()).toMatchObject({ code: 'E_NOT_A_TERMINAL', details: {} });
  expect((err as TuiError).message).toMatch(/interactive terminal/);
  expect(written).toBe('');
});
