export { checkFiles, type CheckFilesOptions, type CheckResult, type FileReport, type FileProblem, type ProblemCode } from './check.js';
export {
  installHooks,
  uninstallHooks,
  DEFAULT_CHECK_COMMAND,
  type InstallHooksOptions,
  type InstallHooksResult,
  type UninstallHooksResult,
  type InstallMode,
} from './install.js';
export { runHooksCli, type HooksCliIO } from './cli.js';
export { EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_INTERNAL, HOOKS_EXIT_CODES } from './exit-codes.js';
export {
  loadHooksConfig,
  resolveHooksConfig,
  parseSize,
  DEFAULT_MAX_FILE_SIZE,
  DEFAULT_TRACKED_PATTERNS,
  type HooksConfig,
  type HooksConfigInput,
} from './config.js';
export { HooksError, isHooksError, type HooksErrorCode } from './errors.js';
export { formatCheckReport } from './messages.js';
export { mergeChecksums, parseChecksums, CHECKSUMS_FILE, type ChecksumEntry } from './checksums.js';
export { scanForSecrets, createSecretScanner, type SecretFinding, type SecretKind } from './rules/secrets.js';
export { lintStagedGlob } from './rules/patterns.js';
