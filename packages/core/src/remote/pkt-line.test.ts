import { describe, expect, it } from 'vitest';
import { FLUSH, parseReceivePackResult, parseRefAdvertisement, pktLine, splitPktLines } from './pkt-line.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('pkt-line', () => {
  it('round-trips lines and flushes', () => {
    const buf = Buffer.concat([pktLine('hello\n'), FLUSH, pktLine('x')]);
    expect(buf.toString()).toBe('000ahello\n00000005x');
    expect(splitPktLines(buf).map((l) => (l === null ? null : l.toString()))).toEqual(['hello\n', null, 'x']);
    expect(() => splitPktLines(Buffer.from('<html>'))).toThrow(/smart-HTTP/);
  });

  it('parses a ref advertisement with capabilities and peeled tags', () => {
    const body = Buffer.concat([
      pktLine('# service=git-upload-pack\n'),
      FLUSH,
      pktLine(`${A} HEAD\0multi_ack side-band-64k symref=HEAD:refs/heads/main\n`),
      pktLine(`${A} refs/heads/main\n`),
      pktLine(`${B} refs/tags/v1\n`),
      pktLine(`${A} refs/tags/v1^{}\n`),
      FLUSH,
    ]);
    const adv = parseRefAdvertisement(body, 'git-upload-pack');
    expect([...adv.refs]).toEqual([['HEAD', A], ['refs/heads/main', A], ['refs/tags/v1', B]]);
    expect(adv.peeled.get('refs/tags/v1')).toBe(A);
    expect(adv.capabilities.has('side-band-64k')).toBe(true);
    const empty = parseRefAdvertisement(Buffer.concat([pktLine('# service=git-receive-pack\n'), FLUSH, pktLine(`${'0'.repeat(40)} capabilities^{}\0report-status\n`), FLUSH]), 'git-receive-pack');
    expect(empty.refs.size).toBe(0);
    expect(empty.capabilities.has('report-status')).toBe(true);
  });

  it('parses report-status inside side-band', () => {
    const status = Buffer.concat([pktLine('unpack ok\n'), pktLine('ok refs/heads/main\n'), pktLine('ng refs/notes/savepoint fetch first\n'), FLUSH]);
    const band = (n: number, data: Buffer | string) => pktLine(Buffer.concat([Buffer.from([n]), Buffer.from(data)]));
    const body = Buffer.concat([band(2, 'Resolving deltas: 100% (1/1)\n'), band(1, status), FLUSH]);
    const r = parseReceivePackResult(body, true);
    expect(r.unpack).toBe('ok');
    expect(r.refs).toEqual([{ ref: 'refs/heads/main', ok: true }, { ref: 'refs/notes/savepoint', ok: false, reason: 'fetch first' }]);
    expect(r.progress[0]).toMatch(/Resolving/);
  });
});
