/** savepoint.json: validated with zod; unknown keys are errors that name the key. Pure. */
import type { z as Z } from 'zod';
import { SavepointError } from '../errors.js';
import { DEFAULT_ARCHIVE_LOCATION, DEFAULT_TRACKED_PATTERNS } from './defaults.js';
import { branchNameProblem, remoteNameProblem } from './ref-name.js';

export { DEFAULT_TRACKED_PATTERNS };

/** The schema is built on first use: zod costs ~70 ms to load, and an unchanged savepoint.json is served from a cache. */
function buildSchema(z: typeof Z) {
  const duration = z.string().regex(/^\d+[hdwmy]$/, 'a duration like "30d", "12h", "8w", "6m" or "1y"');

  const retentionSchema = z
    .strictObject({
      /** keep the newest N versions of every file (default: maxVersions) */
      keepLast: z.number().int().min(1).optional(),
      keepWithin: duration.optional(),
      daily: z.number().int().min(0).optional(),
      weekly: z.number().int().min(0).optional(),
      monthly: z.number().int().min(0).optional(),
      yearly: z.number().int().min(0).optional(),
      /** delete archives older than this (off unless set; see retention/policy.ts) */
      expireArchivesAfter: duration.optional(),
      /** apply the policy after every save (CLI, watch, auto-saver, API) and in `savepoint maintain`.
       * The schema default stays false so existing vaults keep their behaviour; `savepoint init` writes true. */
      auto: z.boolean().default(false),
    })
    .prefault({});

  const remoteSchema = z.strictObject({
    url: z.string().min(1),
    /** media kind for the 3-2-1 count: disk, usb, nas, cloud, … */
    media: z.string().default('network'),
    offsite: z.boolean().default(true),
    /** push to this remote after every save (overrides the top-level autoPush) */
    autoPush: z.boolean().optional(),
    // --- issue 12 items 3-4: s3:// remotes (credentials never here: the AWS SDK's chain supplies them)
    /** S3-compatible server (MinIO, …); unset = AWS */
    endpoint: z.string().regex(/^https?:\/\/[^\s/@]+/i, 'an http:// or https:// URL without credentials').optional(),
    region: z.string().min(1).optional(),
    /** encrypt everything pushed here (AES-256-GCM; the passphrase/key file is never stored) */
    encrypt: z.boolean().optional(),
    // ---
  });

  // alerts (health/): run a command and/or POST a JSON event when backups fail or stop
  const alertsSchema = z.strictObject({
    /** shell command; the event JSON arrives on its stdin */
    command: z.string().min(1).optional(),
    /** http(s) URL the event JSON is POSTed to (never printed with its credentials or path) */
    webhook: z.string().regex(/^https?:\/\/[^\s/?#]+/i, 'an http:// or https:// URL').optional(),
    /** alert when no save succeeded for this long ("24h") */
    staleAfter: duration.optional(),
    /** alert when the vault's disk has fewer free bytes than this */
    minFreeBytes: z.number().int().min(0).optional(),
  });

  const configSchema = z.strictObject({
    $schema: z.string().optional(),
    version: z.literal(1).default(1),
    enabled: z.boolean().default(true),
    /** the git branch that holds Savepoint's history */
    historyBranch: z
      .string()
      .min(1)
      .superRefine((name, ctx) => {
        // issue 19: the name becomes a path under .git/refs/heads, so git's ref-name rules apply
        const why = branchNameProblem(name);
        if (why) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} is not a valid git branch name (${why}); use a name like "main" or "savepoint"` });
      })
      .default('main'),
    archiveLocation: z.string().min(1).default(DEFAULT_ARCHIVE_LOCATION),
    maxVersions: z.number().int().min(1).default(10),
    checksum: z
      .strictObject({ algorithm: z.literal('sha256').default('sha256'), md5: z.boolean().default(false) })
      .prefault({}),
    /** gzip archives written by retention (false: stored uncompressed, still checksummed) */
    compressOld: z.boolean().default(true),
    /** issue 12: encrypt archives written by retention (AES-256-GCM; key from SAVEPOINT_PASSPHRASE/SAVEPOINT_KEY_FILE, never stored) */
    encryptArchives: z.boolean().default(false),
    /** folder (vault-relative) kept current after every save with checksums.txt, checksums.md5 and manifest.json */
    exportDir: z
      .string()
      .regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[^\\]+$/, 'a folder inside the vault, e.g. "backups" (no absolute path, no "." or "..")')
      .optional(),
    trackedPatterns: z.array(z.string().min(1)).default(() => [...DEFAULT_TRACKED_PATTERNS]),
    ignorePatterns: z.array(z.string().min(1)).default([]),
    retention: retentionSchema,
    remotes: z
      .record(z.string(), remoteSchema)
      .superRefine((remotes, ctx) => {
        // issue 19: remote names become refs/remotes/<name>/… and .git/config sections
        for (const name of Object.keys(remotes)) {
          const why = remoteNameProblem(name);
          if (why) ctx.addIssue({ code: 'custom', path: [name], message: `${JSON.stringify(name)} is not a valid remote name (${why})` });
        }
      })
      .default({}),
    autoPush: z.boolean().default(false),
    autoCompactBytes: z.number().int().min(0).default(0),
    hooks: z
      .strictObject({ maxFileSize: z.number().int().min(1).default(50 * 1024 * 1024) })
      .prefault({}),
    alerts: alertsSchema.optional(),
  });

  return configSchema;
}

type ConfigSchema = ReturnType<typeof buildSchema>;
let schemaPromise: Promise<ConfigSchema> | null = null;
export function loadConfigSchema(): Promise<ConfigSchema> {
  schemaPromise ??= import('zod').then((m) => buildSchema(m.z));
  return schemaPromise;
}

export type VaultConfig = Z.infer<ConfigSchema>;
export type VaultConfigInput = Z.input<ConfigSchema>;

export async function defaultConfig(overrides: VaultConfigInput = {}): Promise<VaultConfig> {
  return (await loadConfigSchema()).parse(overrides);
}

/**
 * Keys that were accepted once but did nothing: an error that names what to use instead, rather than
 * "unknown key", so a user who copied them from older docs knows where to go.
 */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
  retentionDays:
    'was removed (it never did anything). To keep every version saved in the last N days use "retention": {"keepWithin": "90d"}; to delete archives after N days use "retention": {"expireArchivesAfter": "90d"}',
  autoCommit:
    'was removed: every save is a commit. To pause automatic saves (watch, the auto-saver) use "enabled": false',
};

/** Parse savepoint.json text; every problem names the key path and the expected form. */
export async function parseConfig(text: string, file = 'savepoint.json'): Promise<VaultConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, '')); // editors on Windows write a UTF-8 BOM; accept it
  } catch (e) {
    throw new SavepointError('E_CONFIG_INVALID', `${file} is not valid JSON (${(e as Error).message}). Fix the syntax, or move it away and run \`savepoint init\` to write a fresh one.`, { file });
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const retired = Object.keys(raw).filter((k) => Object.hasOwn(RETIRED_KEYS, k));
    if (retired.length) {
      const problems = retired.map((k) => ({ key: k, message: `"${k}" ${RETIRED_KEYS[k]}` }));
      throw new SavepointError('E_CONFIG_INVALID', `${file} is invalid: ${problems.map((p) => p.message).join('; ')}. Remove ${retired.map((k) => `"${k}"`).join(', ')} from it.`, { file, problems, retired });
    }
  }
  const result = (await loadConfigSchema()).safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const at = issue.path.length ? issue.path.join('.') : '(top level)';
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => (issue.path.length ? `${at}.${k}` : k));
        return { key: keys.join(', '), message: `unknown key ${keys.map((k) => `"${k}"`).join(', ')}` };
      }
      return { key: at, message: `"${at}": ${issue.message}` };
    });
    throw new SavepointError(
      'E_CONFIG_INVALID',
      `${file} is invalid: ${problems.map((p) => p.message).join('; ')}. Fix these keys (see README "Configuration").`,
      { file, problems },
    );
  }
  return result.data;
}

export function serializeConfig(config: VaultConfigInput): string {
  return JSON.stringify(config, null, 2) + '\n';
}
