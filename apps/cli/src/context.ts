/** What every command handler gets: output, I/O, the global options and a lazily opened vault. */
import type { Command } from 'commander';
import type { Vault } from '@savepoint/core';
import type { Io, Output } from './output.js';

export type Core = typeof import('@savepoint/core');

export interface CommandContext {
  out: Output;
  io: Io;
  /** folder commands resolve file names against (-C or the process cwd) */
  cwd: string;
  core: Core;
  vault(): Promise<Vault>;
  /** take over Ctrl-C/SIGTERM (e.g. to finish pending work); a second signal still exits */
  onInterrupt(handler: () => void): void;
  /** progress callback that draws on a TTY */
  onProgress: (e: { phase: string; loaded: number; total: number; item?: string }) => void;
  /** versions this command read or wrote (`path@n`), for the audit line (saves are collected automatically) */
  auditVersions(...versions: string[]): void;
}

/** A handler returns the exit code (0 when omitted). */
export type Handler<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<number | void>;

export interface Registrar {
  program: Command;
  /** wrap a handler: builds the context, prints errors (or their JSON), returns the exit code */
  action<A extends unknown[]>(handler: Handler<A>): (...args: unknown[]) => Promise<void>;
}
