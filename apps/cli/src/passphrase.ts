/**
 * Where the key of an encrypted remote comes from (issue 12 item 4): SAVEPOINT_KEY_FILE, else
 * SAVEPOINT_PASSPHRASE, else a hidden prompt when stdin and stderr are a terminal. Core only ever sees the
 * callback, which runs only when something encrypted is actually read or written. Nothing is stored.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { KeyProvider, KeySource } from '@savepoint/core';
import type { Io } from './output.js';
import { cryptoMsg } from './messages.js';

type ErrorCtor = new (code: 'E_INVALID_ARGUMENT' | 'E_INTERRUPTED', message: string, details: Record<string, unknown>) => Error;

/** Read one line from a TTY without echoing it. */
function promptHidden(io: Io, question: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  return new Promise((resolve, reject) => {
    io.stderr.write(question);
    let text = '';
    const wasRaw = stdin.isRaw;
    stdin.setRawMode?.(true);
    stdin.resume();
    const done = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(wasRaw ?? false);
      stdin.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003' || ch === '\u0004') return done(Object.assign(new Error(cryptoMsg.cancelled), { code: 'E_INTERRUPTED' }));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function keyProviderFromEnv(io: Io, SavepointError: ErrorCtor): KeyProvider {
  let cached: KeySource | null = null;
  return async () => {
    if (cached) return cached;
    const keyFile = io.env.SAVEPOINT_KEY_FILE;
    if (keyFile) {
      const abs = path.resolve(io.cwd, keyFile);
      try {
        cached = { keyFile: await fsp.readFile(abs) };
      } catch (e) {
        throw new SavepointError('E_INVALID_ARGUMENT', cryptoMsg.keyFileUnreadable(abs, (e as NodeJS.ErrnoException).code ?? String(e)), { keyFile: abs });
      }
      return cached;
    }
    const pass = io.env.SAVEPOINT_PASSPHRASE;
    if (pass !== undefined && pass !== '') return (cached = { passphrase: pass });
    if (io.stdin.isTTY && io.stderr.isTTY) {
      const entered = await promptHidden(io, cryptoMsg.prompt);
      if (!entered) throw new SavepointError('E_INVALID_ARGUMENT', cryptoMsg.cancelled, {});
      return (cached = { passphrase: entered });
    }
    throw new SavepointError('E_INVALID_ARGUMENT', cryptoMsg.needed, {});
  };
}
