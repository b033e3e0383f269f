import { describe, expect, it } from 'vitest';
import { RETIRED_KEYS, defaultConfig, parseConfig, serializeConfig } from './config.js';

describe('savepoint.json', () => {
  it('fills the usual backup defaults', async () => {
    const c = await defaultConfig();
    expect(c).toMatchObject({ enabled: true, maxVersions: 10, compressOld: true, retention: { auto: false }, checksum: { algorithm: 'sha256', md5: false } });
    expect(c.exportDir).toBeUndefined();
    expect(c.trackedPatterns).toEqual(expect.arrayContaining(['**/*.csv', '**/*.h5', '**/*.sqlite']));
    expect(await parseConfig(serializeConfig({}))).toEqual(c);
  });

  it('names an unknown key, also nested', async () => {
    await expect(parseConfig('{"maxVersion": 3}')).rejects.toThrowError(/unknown key "maxVersion"/);
    await expect(parseConfig('{"checksum": {"sha1": true}}')).rejects.toThrowError(/unknown key "checksum.sha1"/);
  });

  it('names a wrong-typed key and the expected form', async () => {
    try {
      await parseConfig('{"maxVersions": "ten"}');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_CONFIG_INVALID' });
      expect((e as Error).message).toMatch(/"maxVersions": .*number/);
    }
    await expect(parseConfig('{"retention": {"keepWithin": "forever"}}')).rejects.toThrowError(/retention.keepWithin.*duration/);
  });

  it('reports malformed JSON with what to do', async () => {
    await expect(parseConfig('{"a":')).rejects.toThrowError(expect.objectContaining({ code: 'E_CONFIG_INVALID', message: expect.stringMatching(/not valid JSON/) }));
  });

  it('retired keys fail with an error that names the replacement (retentionDays, autoCommit)', async () => {
    const retired = async (text: string) => {
      try {
        await parseConfig(text);
        return expect.unreachable();
      } catch (e) {
        expect(e).toMatchObject({ code: 'E_CONFIG_INVALID' });
        return e as Error & { details: { retired: string[] } };
      }
    };
    const days = await retired('{"retentionDays": 90}');
    expect(days.message).toMatch(/"retentionDays" was removed.*"retention": \{"keepWithin": "90d"\}.*"expireArchivesAfter"/);
    expect(days.details.retired).toEqual(['retentionDays']);
    const commit = await retired('{"autoCommit": false}');
    expect(commit.message).toMatch(/"autoCommit" was removed: every save is a commit.*"enabled": false/);
    expect(Object.keys(RETIRED_KEYS).sort()).toEqual(['autoCommit', 'retentionDays']);
  });

  it('exportDir must be a folder inside the vault', async () => {
    expect((await parseConfig('{"exportDir": "backups"}')).exportDir).toBe('backups');
    expect((await parseConfig('{"exportDir": "out/exports"}')).exportDir).toBe('out/exports');
    for (const bad of ['/abs', '../up', 'a/../../b', '.', '..']) {
      await expect(parseConfig(JSON.stringify({ exportDir: bad }))).rejects.toThrowError(/"exportDir": a folder inside the vault/);
    }
  });
});
