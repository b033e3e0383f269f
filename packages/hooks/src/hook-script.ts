/**
 * Pure text operations on hook scripts: our lines live between two marker comments so uninstall can
 * remove exactly them and nothing else.
 */
import { BYPASS } from './messages.js';

export const BLOCK_START = '# >>> savepoint-hooks >>>';
export const BLOCK_END = '# <<< savepoint-hooks <<<';

const HEADER = `# Checks staged data files before each commit; bypass on purpose with: ${BYPASS}\n# Added by \`savepoint hooks install\`; \`savepoint hooks uninstall\` removes this block.`;

/** Block for a husky `.husky/pre-commit` (husky runs it with `sh -e`). */
export function huskyBlock(): string {
  return `${BLOCK_START}\n${HEADER}\nnpx lint-staged\n${BLOCK_END}\n`;
}

/** Block for a plain git hook: the staged file list goes NUL-separated to the check. */
export function plainBlock(command: string): string {
  return `${BLOCK_START}\n${HEADER}\ngit diff --cached --name-only --diff-filter=ACM -z | ${command} --stdin0 || exit 1\n${BLOCK_END}\n`;
}

export function hasBlock(text: string): boolean {
  return text.split('\n').some((l) => l.trim() === BLOCK_START);
}

/** The interpreter named by a `#!` line, or null when there is none. */
export function shebangInterpreter(text: string): string | null {
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
  if (!m) return null;
  const prog = (m[1] ?? '').split('/').pop() ?? '';
  return prog === 'env' ? (m[2] ?? 'env') : prog;
}

export function isShellInterpreter(interp: string | null): boolean {
  return interp === null || ['sh', 'bash', 'dash', 'ksh', 'zsh', 'ash', 'busybox'].includes(interp);
}

/** True when some non-comment line already runs lint-staged. */
export function runsLintStaged(text: string): boolean {
  return text.split('\n').some((l) => !l.trim().startsWith('#') && /(^|[\s;&|(])(npx\s+|pnpm\s+(exec\s+)?|yarn\s+|bunx\s+)?lint-staged(\s|$|;)/.test(l.trim()));
}

export interface Insertion {
  text: string;
  /** Exactly what was inserted (block, possibly with a newline first). */
  inserted: string;
  /** True when the block went before a final `exit` line rather than at the very end. */
  beforeExit: boolean;
}

/**
 * Append the block to an existing script. If the script ends with a bare `exit`/`exit 0`, the block
 * goes right before that line, or it would never run.
 */
export function insertBlock(existing: string, block: string): Insertion {
  const lines = existing.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && (lines[last] ?? '').trim() === '') last--;
  const lastLine = last >= 0 ? (lines[last] ?? '').trim() : '';
  if (/^exit(\s+0)?\s*;?$/.test(lastLine)) {
    const offset = lines.slice(0, last).reduce((n, l) => n + l.length + 1, 0);
    return { text: existing.slice(0, offset) + block + existing.slice(offset), inserted: block, beforeExit: true };
  }
  const inserted = existing.length === 0 || existing.endsWith('\n') ? block : `\n${block}`;
  return { text: existing + inserted, inserted, beforeExit: false };
}

/**
 * Remove what insertBlock added. Exact when the block is untouched; if the user edited inside our
 * markers, the marked lines are removed. Returns null when no block is found.
 */
export function removeBlock(text: string, inserted: string, block: string): string | null {
  if (inserted !== block && text.endsWith(inserted)) return text.slice(0, text.length - inserted.length);
  const at = text.indexOf(block);
  if (at !== -1) return text.slice(0, at) + text.slice(at + block.length);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === BLOCK_START);
  if (start === -1) return null;
  let end = lines.findIndex((l, i) => i > start && l.trim() === BLOCK_END);
  if (end === -1) end = start;
  lines.splice(start, end - start + 1);
  return lines.join('\n');
}
