/**
 * Defaults of savepoint.json that other packages need too (the pre-commit hook reads the same vault config):
 * one list, here, exported as @savepoint/core/defaults (loads nothing else of core).
 */

/**
 * Data files a vault tracks unless savepoint.json says otherwise. Globs on vault-relative POSIX paths; `**​/`
 * makes each one match in every folder, the root included, both for core (picomatch, `status`) and for the
 * pre-commit hook (lint-staged's rules, where `**​/*.csv` means the same as `*.csv`).
 */
export const DEFAULT_TRACKED_PATTERNS: readonly string[] = Object.freeze(['**/*.csv', '**/*.tsv', '**/*.json', '**/*.xlsx', '**/*.mat', '**/*.h5', '**/*.hdf5', '**/*.db', '**/*.sqlite']);

/** Where archives of old versions go, relative to the vault. */
export const DEFAULT_ARCHIVE_LOCATION = '.savepoint/archive';
