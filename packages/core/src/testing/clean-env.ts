/**
 * Test helper: the environment a test's child process (git, the CLI, tmux) starts from. Whatever the caller's
 * shell holds must not change a test's outcome, so everything that steers git or colour is removed first and
 * each test then sets what it needs: every GIT_* variable (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE,
 * GIT_AUTHOR_*, GIT_CONFIG_* …), colour switches (NO_COLOR, FORCE_COLOR, CLICOLOR*), TERM, Savepoint's own
 * SAVEPOINT_* and husky's HUSKY; git's global and system config (hooksPath, gpgsign …) are switched off.
 */

/** Pure: `base` without the variables above, plus git config isolation, plus `extra`. */
export function cleanEnvFrom(base: NodeJS.ProcessEnv, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    if (/^(GIT_|SAVEPOINT_)/.test(k) || /^(NO_COLOR|FORCE_COLOR|CLICOLOR|CLICOLOR_FORCE|TERM|COLORTERM|HUSKY|EDITOR|VISUAL|PAGER|LESS)$/.test(k)) continue;
    out[k] = v;
  }
  out.GIT_CONFIG_NOSYSTEM = '1';
  out.GIT_CONFIG_GLOBAL = '/dev/null';
  out.GIT_TERMINAL_PROMPT = '0';
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** This process's environment, cleaned (see module comment), plus `extra`. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  return cleanEnvFrom(process.env, extra);
}
