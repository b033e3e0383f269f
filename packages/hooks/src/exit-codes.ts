/**
 * Exit codes of `savepoint-hooks` (and `savepoint hooks`): the same numbers the savepoint CLI uses for the
 * same errors (apps/cli/src/exit-codes.ts, the README's table; apps/cli/src/exit-codes.test.ts keeps them equal).
 * 0 ok, 1 commit blocked (not an error: the check did its job), 2 usage, 70 a bug.
 */
import type { HooksErrorCode } from './errors.js';

export const EXIT_OK = 0;
export const EXIT_BLOCKED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

export const HOOKS_EXIT_CODES: Record<HooksErrorCode, number> = {
  E_INVALID_ARGUMENT: 2,
  E_NOT_A_GIT_REPO: 3,
  E_CONFIG_INVALID: 4,
  // a hook or lint-staged config savepoint cannot edit safely: the repository's configuration, like E_CONFIG_INVALID
  E_HOOKS_CONFLICT: 4,
  E_LOCKED: 11,
  E_GIT_FAILED: 24,
};
