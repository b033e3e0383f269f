/**
 * Pure path rules: backup/archive locations and secret-bearing file names. Paths are repo-relative
 * POSIX paths. Each rule returns a reason (used to pick the message) or null.
 */

export type BackupReason =
  | { kind: 'folder'; folder: string }
  | { kind: 'archive-location'; folder: string }
  | { kind: 'name'; pattern: string };

const BACKUP_FOLDERS = new Set(['backup', 'backups', 'archive', 'archives']);

// `_YYYYMMDD_HHMMSS` (also `-` or `T` as separators) right before the extension, with a plausible date.
const TIMESTAMP_RE = /[_-](\d{4})(\d{2})(\d{2})[_T-]?(\d{2})(\d{2})(\d{2})(?:\.[^/]*)?$/;

export function backupReason(file: string, archiveLocation: string | null): BackupReason | null {
  if (archiveLocation && (file === archiveLocation || file.startsWith(`${archiveLocation}/`))) {
    return { kind: 'archive-location', folder: archiveLocation };
  }
  const segments = file.split('/');
  const base = segments.pop() ?? '';
  for (const dir of segments) {
    if (BACKUP_FOLDERS.has(dir.toLowerCase())) return { kind: 'folder', folder: `${dir}/` };
  }
  const lower = base.toLowerCase();
  if (lower.endsWith('.bak')) return { kind: 'name', pattern: '*.bak' };
  if (lower.endsWith('.backup')) return { kind: 'name', pattern: '*.backup' };
  if (base.endsWith('~')) return { kind: 'name', pattern: '*~' };
  if (/^backup[-_]/i.test(base)) return { kind: 'name', pattern: 'backup-*' };
  const ts = TIMESTAMP_RE.exec(base);
  if (ts) {
    const [, , mo, d, h, mi, s] = ts.map(Number) as [number, number, number, number, number, number, number];
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60) {
      return { kind: 'name', pattern: '*_YYYYMMDD_HHMMSS.*' };
    }
  }
  return null;
}

export type SecretNameReason = { kind: 'env' } | { kind: 'ssh-key' };

const ENV_TEMPLATES = new Set(['example', 'sample', 'template', 'dist', 'defaults']);
const SSH_KEYS = new Set(['id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'id_ecdsa_sk', 'id_ed25519_sk']);

/** `.env`, `.env.local`, `.env.production` … (but not `.env.example`/`.sample`/`.template`), SSH private keys. */
export function secretNameReason(file: string): SecretNameReason | null {
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (base === '.env') return { kind: 'env' };
  if (base.startsWith('.env.')) {
    const suffix = base.slice(5).toLowerCase();
    return ENV_TEMPLATES.has(suffix) ? null : { kind: 'env' };
  }
  if (SSH_KEYS.has(base)) return { kind: 'ssh-key' };
  return null;
}
