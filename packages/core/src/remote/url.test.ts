import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSavepointError } from '../errors.js';
import { assertRemoteName, defaultMedia, localRemotePath, parseRemoteUrl, parseSshUrl, redactText, redactUrl, remoteKind } from './url.js';

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
    for (const bad of ['https://ada:hunter22@example.org/d.git', 'ssh://git:hunter22@example.org/d.git', 'ftp://example.org/d.git', 'not a url', 'file://nas.example/x.git', '/']) {
      try {
        parseRemoteUrl(bad);
        expect.unreachable();
      } catch (e) {
        expect(isSavepointError(e) && e.code).toBe('E_INVALID_ARGUMENT');
        expect((e as Error).message).not.toContain('hunter22');
      }
    }
  });

  it('tells remote kinds apart: http(s), local paths, ssh URLs and scp-like user@host:path (issue 12)', () => {
    expect(remoteKind('https://example.org/a.git')).toBe('http');
    expect(remoteKind('/media/usb/lab.git')).toBe('local');
    expect(remoteKind('file:///media/usb/lab.git')).toBe('local');
    expect(remoteKind('ssh://ada@host:2222/srv/lab.git')).toBe('ssh');
    expect(remoteKind('ada@host:lab.git')).toBe('ssh');
    expect(remoteKind('host:/srv/lab.git')).toBe('ssh');
    expect(localRemotePath('file:///media/usb/lab%20x.git/')).toBe('/media/usb/lab x.git');
    expect(parseSshUrl('ssh://ada@host:2222/srv/lab.git')).toEqual({ destination: 'ada@host', host: 'host', user: 'ada', port: 2222, path: '/srv/lab.git' });
    expect(parseSshUrl('ssh://host/~/lab.git').path).toBe('~/lab.git');
    expect(parseSshUrl('ada@host:lab.git')).toEqual({ destination: 'ada@host', host: 'host', user: 'ada', path: 'lab.git' });
    expect(parseRemoteUrl('ssh://ada@host/srv/lab.git/')).toEqual({ url: 'ssh://ada@host/srv/lab.git', username: 'ada' });
    expect(redactUrl('ssh://ada@host/srv/lab.git')).toBe('ssh://ada@host/srv/lab.git');
    expect(parseRemoteUrl('/media/usb/lab.git/')).toEqual({ url: '/media/usb/lab.git' });
    expect(defaultMedia('/media/usb/lab.git')).toBe('usb');
    expect(defaultMedia('/srv/backup/lab.git')).toBe('disk');
    expect(defaultMedia('ada@host:lab.git')).toBe('ssh');
    expect(defaultMedia('https://example.org/a.git')).toBe('network');
  });

  it('checks remote names', () => {
    expect(() => assertRemoteName('origin')).not.toThrow();
    expect(() => assertRemoteName('nas-2.backup')).not.toThrow();
    for (const bad of ['', '-x', '.x', 'a b', 'a/b', 'a..b', 'x.lock']) expect(() => assertRemoteName(bad)).toThrow();
  });
});
