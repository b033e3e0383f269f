import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig, serializeConfig } from './config.js';

describe('savepoint.json', () => {
  it('fills the usual backup defaults', () => {
    const c = defaultConfig();
    expect(c).toMatchObject({ enabled: true, maxVersions: 10, autoCommit: true, compressOld: true, retentionDays: 90, checksum: { algorithm: 'sha256', md5: false } });
    expect(c.trackedPatterns).toEqual(expect.arrayContaining(['**/*.csv', '**/*.h5', '**/*.sqlite']));
    expect(parseConfig(serializeConfig({}))).toEqual(c);
  });

  it('names an unknown key, also nested', () => {
    expect(() => parseConfig('{"maxVersion": 3}')).toThrowError(/unknown key "maxVersion"/);
    expect(() => parseConfig('{"checksum": {"sha1": true}}')).toThrowError(/unknown key "checksum.sha1"/);
  });

  it('names a wrong-typed key and the expected form', () => {
    try {
      parseConfig('{"maxVersions": "ten"}');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_CONFIG_INVALID' });
      expect((e as Error).message).toMatch(/"maxVersions": .*number/);
    }
    expect(() => parseConfig('{"retention": {"keepWithin": "forever"}}')).toThrowError(/retention.keepWithin.*duration/);
  });

  it('reports malformed JSON with what to do', () => {
    expect(() => parseConfig('{"a":')).toThrowError(expect.objectContaining({ code: 'E_CONFIG_INVALID', message: expect.stringMatching(/not valid JSON/) }));
  });
});
