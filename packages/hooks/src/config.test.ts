import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FILE_SIZE, DEFAULT_TRACKED_PATTERNS, hooksConfigFromJson, loadHooksConfig, parseSize } from './config.js';
import { HooksError } from './errors.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'sp-cfg-'));
  dirs.push(d);
  return d;
};

describe('parseSize', () => {
  it.each([
    [1024, 1024],
    ['50MB', 50 * 1024 * 1024],
    ['1.5 GiB', 1.5 * 1024 ** 3],
    ['200k', 200 * 1024],
    ['10', 10],
  ] as const)('%j → %d', (input, bytes) => expect(parseSize(input)).toBe(bytes));
  it.each([0, -1, 1.5, 'lots', '5 parsecs', ''])('%j is invalid', (input) => expect(parseSize(input)).toBeNull());
});

describe('hooks config', () => {
  it('defaults when savepoint.json is absent', async () => {
    const d = tmp();
    expect(await loadHooksConfig(d)).toEqual({
      maxFileSize: DEFAULT_MAX_FILE_SIZE,
      archiveLocation: '.savepoint/archive',
      trackedPatterns: [...DEFAULT_TRACKED_PATTERNS],
    });
  });

  it('reads our keys from a full vault config and tolerates the others', async () => {
    const d = tmp();
    writeFileSync(
      path.join(d, 'savepoint.json'),
      JSON.stringify({ version: 1, retention: { keepLast: 3 }, hooks: { maxFileSize: 1000 }, archiveLocation: './old/', trackedPatterns: ['**/*.csv'] }),
    );
    expect(await loadHooksConfig(d)).toEqual({ maxFileSize: 1000, archiveLocation: 'old', trackedPatterns: ['**/*.csv'] });
  });

  it('accepts a UTF-8 BOM at the start of savepoint.json (issue 19)', async () => {
    const d = tmp();
    writeFileSync(path.join(d, 'savepoint.json'), '\uFEFF' + JSON.stringify({ hooks: { maxFileSize: 1234 } }));
    expect((await loadHooksConfig(d)).maxFileSize).toBe(1234);
  });

  it('treats an archive location outside the repo as nothing to match', () => {
    expect(hooksConfigFromJson('/repo', { archiveLocation: '/mnt/archive' }).archiveLocation).toBeNull();
    expect(hooksConfigFromJson('/repo', { archiveLocation: '/repo/arch' }).archiveLocation).toBe('arch');
  });

  it('names the bad key', () => {
    const bad = (json: unknown) => {
      try {
        hooksConfigFromJson('/repo', json);
      } catch (e) {
        return e as HooksError;
      }
      throw new Error('expected an error');
    };
    expect(bad({ trackedPatterns: 'x.csv' }).toJSON()).toMatchObject({ code: 'E_CONFIG_INVALID', details: { key: 'trackedPatterns' } });
    expect(bad({ hooks: { maxFileSize: 'huge' } }).toJSON()).toMatchObject({ code: 'E_CONFIG_INVALID', details: { key: 'hooks.maxFileSize' } });
  });

  it('reports invalid JSON with the config code', async () => {
    const d = tmp();
    writeFileSync(path.join(d, 'savepoint.json'), '{ nope');
    await expect(loadHooksConfig(d)).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
  });
});
