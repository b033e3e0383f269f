/** Confine user-supplied paths to the vault: `..`, absolute paths outside and symlinks out are refused. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SavepointError } from '../errors.js';

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function outside(input: string, root: string): SavepointError {
  return new SavepointError('E_PATH_OUTSIDE_VAULT', `${input} is outside the vault at ${root}. Savepoint only saves and restores files inside the vault; move or copy the file into it first.`, { path: input, vault: root });
}

/** Realpath of the longest existing prefix of `abs`, with the rest appended. */
async function realpathLoose(abs: string): Promise<string> {
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = await fsp.realpath(head);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return abs;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

/**
 * Turn what the user typed (relative to `cwd`) into a vault-relative POSIX path.
 * The path need not exist (restore targets), but whatever part exists must resolve inside the vault.
 */
export async function resolveVaultPath(root: string, cwd: string, input: string): Promise<string> {
  if (input === '' || input.includes('\0')) {
    throw new SavepointError('E_INVALID_ARGUMENT', 'Empty file name or a name containing a NUL byte. Give the path of a file inside the vault.', { path: input });
  }
  if (input.includes('\uFFFD')) {
    throw new SavepointError('E_INVALID_ARGUMENT', `"${input}" is not a valid UTF-8 file name (shown with �). Rename the file to a UTF-8 name, then save it.`, { path: input });
  }
  const abs = path.resolve(cwd, input);
  const rel = path.relative(root, abs);
  if (rel === '' ) throw new SavepointError('E_NOT_A_FILE', `${input} is the vault folder itself; name a file inside it.`, { path: input });
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw outside(input, root);
  const real = await realpathLoose(abs);
  const realRel = path.relative(root, real);
  if (realRel.startsWith('..') || path.isAbsolute(realRel)) throw outside(input, root);
  const posix = toPosix(rel);
  if (posix === '.git' || posix.startsWith('.git/')) {
    throw new SavepointError('E_INVALID_ARGUMENT', `${input} is inside .git; Savepoint never reads or writes git's own files as data.`, { path: input });
  }
  return posix;
}

/** Validate a vault-relative path that came from history or a user (no ../, no absolute). */
export function assertSafeRelative(p: string): void {
  const parts = p.split('/');
  if (p.startsWith('/') || parts.some((s) => s === '..' || s === '' || s === '.') || p.includes('\0')) {
    throw new SavepointError('E_PATH_OUTSIDE_VAULT', `Refusing unsafe path "${p}".`, { path: p });
  }
}
