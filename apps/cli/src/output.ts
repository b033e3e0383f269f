/** Terminal output: --json, colour (NO_COLOR, --no-color, TTY only) and a progress bar on stderr. */
import { formatBytes } from '@savepoint/core/format';
import type { Writable } from 'node:stream';

export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Output {
  json: boolean;
  color: boolean;
  quiet: boolean;
  io: Io;
  line(text?: string): void;
  /** several lines in one write (a 1,000-line `log` is one system call, not 1,000) */
  lines(texts: readonly string[]): void;
  warn(text: string): void;
  emitJson(value: unknown): void;
  progress(phase: string, loaded: number, total: number, item?: string): void;
  /** --quiet holds a command's report back; a failed command's report is its error, so it goes to stderr */
  releaseHeld(): void;
  endProgress(): void;
  c: Colors;
}

export interface Colors {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

function colors(on: boolean): Colors {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22), cyan: wrap(36, 39) };
}

export { formatBytes };

export function createOutput(io: Io, opts: { json: boolean; color?: boolean; quiet?: boolean }): Output {
  const color = !opts.json && opts.color !== false && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '') && !!io.stdout.isTTY && io.env.TERM !== 'dumb';
  const showProgress = !opts.json && !opts.quiet && !!io.stderr.isTTY;
  let lastDraw = 0;
  let drawn = false;
  const held: string[] = [];
  return {
    json: opts.json,
    color,
    quiet: !!opts.quiet,
    io,
    c: colors(color),
    // --quiet: nothing but errors (and output that is the data asked for: cat, decrypt, completion, metrics)
    line(text = '') {
      if (opts.json) return;
      if (opts.quiet) held.push(text);
      else io.stdout.write(text + '\n');
    },
    lines(texts) {
      if (opts.json || texts.length === 0) return;
      if (opts.quiet) held.push(...texts);
      else io.stdout.write(texts.join('\n') + '\n');
    },
    releaseHeld() {
      if (held.length) io.stderr.write(held.splice(0).join('\n') + '\n');
    },
    warn(text) {
      if (!opts.json && !opts.quiet) io.stderr.write(text + '\n');
    },
    emitJson(value) {
      io.stdout.write(JSON.stringify(value, null, 2) + '\n');
    },
    progress(phase, loaded, total, item) {
      if (!showProgress) return;
      const now = Date.now();
      if (now - lastDraw < 100 && loaded < total) return;
      lastDraw = now;
      const width = Math.max(10, Math.min(30, (io.stderr.columns ?? 80) - 50));
      const frac = total > 0 ? Math.min(1, loaded / total) : 0;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
      const text = `${phase} [${bar}] ${Math.round(frac * 100)}% ${formatBytes(loaded)}/${formatBytes(total)}${item ? ' ' + item : ''}`;
      io.stderr.write(`\r${text.slice(0, (io.stderr.columns ?? 80) - 1)}\u001b[K`);
      drawn = true;
    },
    endProgress() {
      if (drawn) io.stderr.write('\r\u001b[K');
      drawn = false;
    },
  };
}
