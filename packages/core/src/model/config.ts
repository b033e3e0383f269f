/** savepoint.json: validated with zod; unknown keys are errors that name the key. Pure. */
import type { z as Z } from 'zod';
import { SavepointError } from '../errors.js';

export const DEFAULT_TRACKED_PATTERNS = ['**/*.csv', '**/*.tsv', '**/*.json', '**/*.xlsx', '**/*.mat', '**/*.h5', '**/*.hdf5', '**/*.db', '**/*.sqlite'];

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
      /** apply the policy after every save made from the CLI */
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
    historyBranch: z.string().min(1).default('main'),
    archiveLocation: z.string().min(1).default('.savepoint/archive'),
    maxVersions: z.number().int().min(1).default(10),
    autoCommit: z.boolean().default(true),
    checksum: z
      .strictObject({ algorithm: z.literal('sha256').default('sha256'), md5: z.boolean().default(false) })
      .prefault({}),
    compressOld: z.boolean().default(true),
    retentionDays: z.number().int().min(1).default(90),
    trackedPatterns: z.array(z.string().min(1)).default(DEFAULT_TRACKED_PATTERNS),
    ignorePatterns: z.array(z.string().min(1)).default([]),
    retention: retentionSchema,
    remotes: z.record(z.string(), remoteSchema).default({}),
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

/** Parse savepoint.json text; every problem names the key path and the expected form. */
export async function parseConfig(text: string, file = 'savepoint.json'): Promise<VaultConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SavepointError('E_CONFIG_INVALID', `${file} is not valid JSON (${(e as Error).message}). Fix the syntax, or move it away and run \`savepoint init\` to write a fresh one.`, { file });
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
