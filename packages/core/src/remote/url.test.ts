import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSavepointError } from '../errors.js';
import { assertRemoteName, parseRemoteUrl, redactText, redactUrl } from './url.js';

describe('remote URLs', () => {
  it('redacts userinfo from any URL inside text', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:-]{1,20}$/), (secret) => {
        const t = redactText(`failed to reach https://user:${secret}@host.example/x.git (and http://${secret}@h/y)`);
        expect(t).not.toContain(`:${secret}@`);
        expect(t).toContain('https://***@host.example/x.git');
      }),
    );
    expect(redactUrl('https://ada:pw@example.org/a.git')).toBe('https://example.org/a.git');
    expect(redactText('token abc123 was sent', ['abc123'])).toBe('token *** was sent');
  });

  it('accepts http(s) URLs, refuses passwords and other schemes without echoing the password', () => {
    expect(parseRemoteUrl('https://example.org/lab/data.git/')).toEqual({ url: 'https://example.org/lab/data.git' });
    expect(parseRemoteUrl('https://ada@example.org/d.git').username).toBe('ada');
    for (const bad of ['https://ada:hunter22@example.org/d.git', 'ssh://git@example.org/d.git', 'not a url']) {
      try {
        parseRemoteUrl(bad);
        expect.unreachable();
      } catch (e) {
        expect(isSavepointError(e) && e.code).toBe('E_INVALID_ARGUMENT');
        expect((e as Error).message).not.toContain('hunter22');
      }
    }
  });

  it('checks remote names', () => {
    expect(() => assertRemoteName('origin')).not.toThrow();
    expect(() => assertRemoteName('nas-2.backup')).not.toThrow();
    for (const bad of ['', '-x', '.x', 'a b', 'a/b', 'a..b', 'x.lock']) expect(() => assertRemoteName(bad)).toThrow();
  });
});
