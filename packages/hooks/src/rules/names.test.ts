import { describe, expect, it } from 'vitest';
import { backupReason, secretNameReason } from './names.js';

describe('backupReason', () => {
  it.each([
    ['backups/x.csv', 'folder'],
    ['data/backups/2024/x.csv', 'folder'],
    ['archive/old.json', 'folder'],
    ['Archive/old.json', 'folder'],
    ['.savepoint/archive/bundle.json', 'archive-location'],
    ['data.csv.bak', 'name'],
    ['data.bak', 'name'],
    ['results_20240131_235959.csv', 'name'],
    ['results-20240131-120000.xlsx', 'name'],
    ['backup-2024-01-01.json', 'name'],
    ['notes.csv~', 'name'],
  ])('%s is a backup (%s)', (file, kind) => {
    expect(backupReason(file, '.savepoint/archive')?.kind).toBe(kind);
  });

  it.each(['data/x.csv', 'backupsx/y.csv', 'my-backups.csv', 'results_20241399_999999.csv', 'run_20240101.csv', 'archive.csv', '.savepoint/archived.csv'])(
    '%s is not a backup',
    (file) => {
      expect(backupReason(file, '.savepoint/archive')).toBeNull();
    },
  );

  it('uses the configured archive location', () => {
    expect(backupReason('vault-archives/a.csv', 'vault-archives')).toEqual({ kind: 'archive-location', folder: 'vault-archives' });
    expect(backupReason('vault-archives/a.csv', null)).toBeNull();
  });
});

describe('secretNameReason', () => {
  it.each(['.env', 'config/.env', '.env.local', '.env.production', '.ssh/id_rsa', 'id_ed25519'])('%s is a secret file', (f) => {
    expect(secretNameReason(f)).not.toBeNull();
  });
  it.each(['.env.example', '.env.sample', 'config/.env.template', 'id_rsa.pub', 'env.csv', '.envrc.json'])('%s is not', (f) => {
    expect(secretNameReason(f)).toBeNull();
  });
});
