/** Mount the app on a terminal (or on test streams) and resolve when the user quits. */
import { render } from 'ink';
import type { Author, RemoteAuth, Vault } from '@savepoint/core';
import { App } from './components/App.js';
import { TuiError } from './errors.js';
import { MOUSE_OFF, MOUSE_ON } from './state/mouse.js';
import { detectBackground } from './theme.js';

export interface RenderAppOptions {
  /** any folder inside the vault */
  dir: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** colours on (default) or off; the CLI passes false for NO_COLOR / --no-color / TERM=dumb */
  color?: boolean;
  clock?: () => Date;
  author?: Author;
  /** an already opened vault (then `dir` is only displayed) */
  vault?: Vault;
  /** credentials for pushing to remotes; never stored or shown */
  remoteAuth?: RemoteAuth;
  /** draw on the terminal's alternate screen and restore the old screen on exit (default: stdout is a TTY) */
  alternateScreen?: boolean;
  /** Ctrl-C quits (default true) */
  exitOnCtrlC?: boolean;
  /** ask the terminal for mouse wheel reports while the app runs (default: with the alternate screen) */
  mouse?: boolean;
  /** for COLORFGBG (light or dark background); default process.env */
  env?: Record<string, string | undefined>;
}

export interface TuiHandle {
  /** resolves when the user quits (q, Ctrl-C) or `unmount` is called */
  waitUntilExit(): Promise<void>;
  unmount(): void;
}

const ENTER_ALT = '\u001b[?1049h\u001b[H';
const LEAVE_ALT = '\u001b[?1049l';

export function renderApp(opts: RenderAppOptions): TuiHandle {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
    throw new TuiError('E_NOT_A_TERMINAL', 'The Savepoint app needs an interactive terminal (stdin is not a TTY). Run it in a terminal, or use commands like `savepoint status` and `savepoint log` in scripts.', {});
  }
  const alt = opts.alternateScreen ?? !!stdout.isTTY;
  const mouse = opts.mouse ?? alt;
  if (alt) stdout.write(ENTER_ALT);
  // mouse reporting is on only while the app runs: `leave` turns it off on every way out (quit, Ctrl-C,
  // a signal handler's exit, a crash that ends the process)
  if (mouse) stdout.write(MOUSE_ON);
  const background = detectBackground(opts.env ?? process.env);
  const instance = render(<App dir={opts.dir} background={background} {...(opts.color !== undefined ? { color: opts.color } : {})} {...(opts.clock ? { clock: opts.clock } : {})} {...(opts.author ? { author: opts.author } : {})} {...(opts.vault ? { vault: opts.vault } : {})} {...(opts.remoteAuth ? { remoteAuth: opts.remoteAuth } : {})} />, {
    stdin,
    stdout,
    ...(opts.stderr ? { stderr: opts.stderr } : {}),
    exitOnCtrlC: opts.exitOnCtrlC ?? true,
    patchConsole: false,
  });
  let left = false;
  const leave = () => {
    if ((alt || mouse) && !left) {
      left = true;
      process.off('exit', leave);
      stdout.write((mouse ? MOUSE_OFF : '') + (alt ? LEAVE_ALT : ''));
    }
  };
  // also when the process ends some other way (a signal handler calling exit), never leave the terminal
  // stuck on the alternate screen or reporting the mouse
  if (alt || mouse) process.once('exit', leave);
  const done = instance.waitUntilExit().then(
    () => leave(),
    (e: unknown) => {
      leave();
      throw e;
    },
  );
  return {
    waitUntilExit: () => done,
    unmount: () => instance.unmount(),
  };
}
