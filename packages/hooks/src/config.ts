import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_ARCHIVE_LOCATION, DEFAULT_TRACKED_PATTERNS } from '@savepoint/core/defaults';
import { z } from 'zod';
import { HooksError } from './errors.js';
import { errorText } from './messages.js';

/** What the pre-commit checks need from the vault's configuration. */
export interface HooksConfig {
  /** Largest file (bytes) a commit may add; bigger files belong in `savepoint save`. */
  maxFileSize: number;
  /** The vault's archive location, repo-relative POSIX path; null when unset or outside the repo. */
  archiveLocation: string | null;
  /** Globs of data files (lint-staged semantics: no `/` → matched against the basename). */
  trackedPatterns: string[];
}

export const DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024;
/** The vault's defaults, from core (one list for both: `**​/*.csv` is `*.csv` under lint-staged's matching). */
export { DEFAULT_ARCHIVE_LOCATION, DEFAULT_TRACKED_PATTERNS };
export const CONFIG_FILE = 'savepoint.json';

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/** Parse a size like `52428800`, `"50MB"`, `"1.5 GiB"`, `"200k"` (binary units) into bytes; null if invalid. */
export function parseSize(input: number | string): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input > 0 ? input : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  if (!m) return null;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

// Only the keys this package reads; the full schema (and the unknown-key check) belongs to @savepoint/core.
const PartialVaultConfig = z
  .object({
    hooks: z
      .object({ maxFileSize: z.union([z.number(), z.string()]).optional() })
      .loose()
      .optional(),
    archiveLocation: z.string().min(1).optional(),
    trackedPatterns: z.array(z.string().min(1)).optional(),
  })
  .loose();

export type HooksConfigInput = Partial<{
  maxFileSize: number | string;
  archiveLocation: string | null;
  trackedPatterns: readonly string[];
}>;

function normaliseArchiveLocation(repoDir: string, loc: string | null | undefined): string | null {
  if (!loc) return null;
  const abs = path.resolve(repoDir, loc);
  const rel = path.relative(path.resolve(repoDir), abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/** Fill defaults and normalise; throws E_CONFIG_INVALID for a bad size. */
export function resolveHooksConfig(repoDir: string, input: HooksConfigInput = {}): HooksConfig {
  let maxFileSize = DEFAULT_MAX_FILE_SIZE;
  if (input.maxFileSize !== undefined) {
    const parsed = parseSize(input.maxFileSize);
    if (parsed === null) {
      throw new HooksError(
        'E_CONFIG_INVALID',
        errorText.badMaxFileSize(input.maxFileSize, CONFIG_FILE),
        { key: 'hooks.maxFileSize', value: input.maxFileSize },
      );
    }
    maxFileSize = parsed;
  }
  return {
    maxFileSize,
    archiveLocation: normaliseArchiveLocation(repoDir, input.archiveLocation === undefined ? DEFAULT_ARCHIVE_LOCATION : input.archiveLocation),
    trackedPatterns: [...(input.trackedPatterns && input.trackedPatterns.length > 0 ? input.trackedPatterns : DEFAULT_TRACKED_PATTERNS)],
  };
}

/** Pure: validate the parsed contents of savepoint.json and pick out our keys. */
export function hooksConfigFromJson(repoDir: string, json: unknown): HooksConfig {
  const parsed = PartialVaultConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new HooksError(
      'E_CONFIG_INVALID',
      errorText.badConfigKey(CONFIG_FILE, key, issue?.message ?? 'invalid'),
      { key, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
    );
  }
  const c = parsed.data;
  return resolveHooksConfig(repoDir, {
    ...(c.hooks?.maxFileSize !== undefined ? { maxFileSize: c.hooks.maxFileSize } : {}),
    ...(c.archiveLocation !== undefined ? { archiveLocation: c.archiveLocation } : {}),
    ...(c.trackedPatterns !== undefined ? { trackedPatterns: c.trackedPatterns } : {}),
  });
}

/** Read `savepoint.json` at the repo root if present; defaults otherwise. */
export async function loadHooksConfig(repoDir: string): Promise<HooksConfig> {
  const file = path.join(repoDir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return resolveHooksConfig(repoDir);
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')); // a UTF-8 BOM (Windows editors) is fine
  } catch (e) {
    throw new HooksError('E_CONFIG_INVALID', errorText.configNotJson(CONFIG_FILE, (e as Error).message), { file }, { cause: e });
  }
  return hooksConfigFromJson(repoDir, json);
}
