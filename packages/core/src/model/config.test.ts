import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig, serializeConfig } from './config.js';

describe('savepoint.json', () => {
  it('fills the usual backup defaults', async () => {
    const c = await defaultConfig();
    expect(c).toMatchObject({ enabled: true, maxVersions: 10, autoCommit: true, compressOld: true, retentionDays: 90, checksum: { algorithm: 'sha256', md5: false } });
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
});
