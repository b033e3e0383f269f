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

test('on a terminal, mouse reporting is on while the app runs and off again (before leaving the alternate screen) when it ends', async () => {
  const { makeTempVault } = await import('../../../packages/core/src/testing/temp-vault.js');
  const { MOUSE_OFF, MOUSE_ON } = await import('./state/mouse.js');
  const tv = await makeTempVault();
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin }) as unknown as NodeJS.ReadStream;
  const out = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
  let written = '';
  out.on('data', (d: Buffer) => (written += d.toString()));
  try {
    const app = renderApp({ dir: tv.dir, stdin, stdout: out as unknown as NodeJS.WriteStream, color: false, env: {} });
    expect(written.startsWith('\u001b[?1049h\u001b[H' + MOUSE_ON)).toBe(true);
    expect(written).not.toContain(MOUSE_OFF);
    for (let i = 0; i < 200 && !written.includes('Files'); i++) await new Promise((r) => setTimeout(r, 10));
    (stdin as unknown as PassThrough).write('q');
    await app.waitUntilExit();
    expect(written.endsWith(MOUSE_OFF + '\u001b[?1049l')).toBe(true);
  } finally {
    await tv.cleanup();
  }
});
