/**
 * Test harness: the real App on ink-testing-library's streams over a real temp vault.
 * Keys are sent as the bytes a terminal sends; `waitFor` polls the last frame (no fixed sleeps).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../components/App.js';
import type { AppProps } from '../components/App.js';
import { save } from '@savepoint/core';
import type { TempVault } from '../../../../packages/core/src/testing/temp-vault.js';

export const KEYS = {
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  shiftTab: '\u001b[Z',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
} as const;

export interface Driven {
  frame(): string;
  press(...keys: string[]): Promise<void>;
  waitFor(test: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  /** wait until no background work is shown (refresh, diff, verify, plan, remote state) */
  idle(timeoutMs?: number): Promise<string>;
  unmount(): void;
  frames: string[];
  /** the terminal is resized to `columns` × `rows` (the stream's size changes, then it emits 'resize') */
  resize(columns: number, rows: number): void;
}

const BUSY = ['refreshing…', 'checking ', 'Computing diff…', 'Verifying…', 'Planning…', 'Reading remote state…', 'reading…', 'Checking the working copy', 'Opening vault…'];

/**
 * Remove a temp vault after its app was unmounted. Work the app started just before (a refresh writing
 * git's caches) may still be finishing, so removal retries briefly instead of failing on ENOTEMPTY.
 */
/**
 * The browsing fixture several screen tests share: data.csv saved twice ('first measurements', then 'fix row
 * 2, add row 3' with `experiment` when given) and notes.json once ('run notes').
 */
export async function seedBrowsingVault(tv: Pick<TempVault, 'vault' | 'write'>, experiment?: string): Promise<void> {
  await tv.write('data.csv', 'id,value\n1,a\n2,b\n');
  await save(tv.vault, { files: ['data.csv'], message: 'first measurements' });
  await tv.write('data.csv', 'id,value\n1,a\n2,B\n3,c\n');
  await save(tv.vault, { files: ['data.csv'], message: 'fix row 2, add row 3', ...(experiment ? { experiment } : {}) });
  await tv.write('notes.json', '{"run": 1}\n');
  await save(tv.vault, { files: ['notes.json'], message: 'run notes' });
}

/** After a test: let a driven app finish its last work (errors ignored), unmount it, then remove the vault. */
export async function closeApp(app: Driven | null, dir: string): Promise<void> {
  await app?.idle().catch(() => undefined);
  app?.unmount();
  await removeVault(dir);
}

export async function removeVault(dir: string): Promise<void> {
  await fsp.rm(path.dirname(dir), { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
}

const matches = (frame: string, test: string | RegExp | ((frame: string) => boolean)) =>
  typeof test === 'string' ? frame.includes(test) : test instanceof RegExp ? test.test(frame) : test(frame);

export function drive(props: AppProps): Driven {
  const inst = render(<App {...props} />);
  const frame = () => inst.lastFrame() ?? '';
  // Ink reads stdin on a 'readable' event: wait until each key was taken (the frame or a tick later)
  const tick = () => new Promise<void>((r) => setImmediate(r));
  const d: Driven = {
    frame,
    frames: inst.frames,
    async press(...keys) {
      for (const k of keys) {
        inst.stdin.write(k);
        await tick();
        await tick();
      }
    },
    async waitFor(test, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const f = frame();
        if (matches(f, test)) return f;
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(test)}; last frame:\n${f}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    idle: (timeoutMs) => d.waitFor((f) => !BUSY.some((b) => f.includes(b)), timeoutMs),
    unmount: () => inst.unmount(),
    resize(columns, rows) {
      Object.defineProperty(inst.stdout, 'columns', { value: columns, configurable: true });
      Object.defineProperty(inst.stdout, 'rows', { value: rows, configurable: true });
      inst.stdout.emit('resize');
    },
  };
  return d;
}
