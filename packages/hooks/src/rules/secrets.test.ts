import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSecretScanner, scanForSecrets } from './secrets.js';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----\n';
const GH = `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`; // 36 chars after the prefix

describe('scanForSecrets', () => {
  it.each([
    ['private-key', `id,key\n1,"${PEM.replace(/\n/g, ' ')}"\n`, 2],
    ['private-key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n', 1],
    ['private-key', '-----BEGIN PRIVATE KEY-----\n', 1],
    ['private-key', 'x\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n', 2],
    ['aws-access-key', 'name,key\nprod,AKIAIOSFODNN7EXAMPLE\n', 2],
    ['github-token', `{"token": "${GH}"}`, 1],
    ['slack-token', 'a\nb\nxoxb-123456789012-abcdefghijkl\n', 3],
    ['slack-token', 'url=https://hooks.slack.com/services/T0000ABCD/B0000EFGH/abcdefghijklmnop', 1],
    ['assignment', 'DB_PASSWORD=hunter2hunter2\n', 1],
    ['assignment', '{\n  "api_key": "sk-live-1234567890"\n}', 2],
    ['assignment', "client_secret: 'abcd1234'", 1],
  ] as const)('finds %s', (kind, text, line) => {
    const found = scanForSecrets(text);
    expect(found.map((f) => [f.kind, f.line])).toContainEqual([kind, line]);
  });

  it.each([
    'id,password_hash_algo\n1,bcrypt\n',
    'password=\n',
    'password=${DB_PASSWORD}\n',
    'api_key=<your key here>\n',
    'password: ********\n',
    '{"api_key": null, "password": ""}',
    'AKIA1234\n', // too short
    'sample,AKIAIOSFODNN7EXAMPLEXX\n', // 22 chars: not an access key id
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n',
    '-----BEGIN CERTIFICATE-----\n',
    'temperature,pressure\n21.5,1013\n',
  ])('ignores %j', (text) => {
    expect(scanForSecrets(text)).toEqual([]);
  });

  it('never reports the secret value itself', () => {
    const found = scanForSecrets('password=correct-horse-battery\n');
    expect(JSON.stringify(found)).not.toContain('correct-horse');
    expect(found).toEqual([{ kind: 'assignment', line: 1, key: 'password' }]);
  });

  it('gives the same findings however the bytes are chunked', () => {
    const pieces = fc.constantFrom('a,b,c\n', '1,2,3\n', 'AKIAIOSFODNN7EXAMPLE', '\n', 'password = s3cretValue', PEM, `${GH}\n`, 'xoxp-1234-abcdefghij', '\r\n', 'é,ü\n', ' ');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 10 }), (parts, cuts) => {
        const bytes = Buffer.from(parts.join(''));
        const whole = scanForSecrets(bytes);
        const points = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
        const s = createSecretScanner();
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          s.push(bytes.subarray(prev, p));
          prev = p;
        }
        expect(s.end()).toEqual(whole);
      }),
    );
  });

  it('finds a secret inside a single line far longer than the scan window, even across the window cut', () => {
    const s = createSecretScanner({ maxLineLength: 1024 });
    const filler = Buffer.alloc(4096, 'x'.charCodeAt(0));
    s.push(filler);
    s.push(Buffer.from(' AKIAIOSF')); // the key is split across pushes, after the window was flushed
    s.push(Buffer.from('ODNN7EXAMPLE '));
    for (let i = 0; i < 100; i++) s.push(filler);
    s.push(Buffer.from('\nok\n'));
    expect(s.end()).toEqual([{ kind: 'aws-access-key', line: 1 }]);
  });

  it('stops collecting at maxFindings', () => {
    const text = 'password=abcdefgh\n'.repeat(100);
    expect(scanForSecrets(text, { maxFindings: 3 })).toHaveLength(3);
  });
});
