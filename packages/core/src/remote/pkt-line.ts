/** git pkt-line framing and the receive-pack report (pure). See git's Documentation/gitprotocol-common.txt. */
import { SavepointError } from '../errors.js';

export function pktLine(text: string | Uint8Array): Buffer {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
  const len = body.length + 4;
  if (len > 65520) throw new SavepointError('E_INTERNAL', 'pkt-line too long', { len });
  return Buffer.concat([Buffer.from(len.toString(16).padStart(4, '0'), 'ascii'), body]);
}

export const FLUSH = Buffer.from('0000', 'ascii');

/** Split a buffer into pkt-lines; `null` stands for a flush (0000) or delim (0001) packet. */
export function splitPktLines(buf: Uint8Array): (Buffer | null)[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: (Buffer | null)[] = [];
  let i = 0;
  while (i < b.length) {
    if (i + 4 > b.length) throw new SavepointError('E_REMOTE_UNREACHABLE', 'The server sent a truncated git response.', {});
    const hex = b.toString('ascii', i, i + 4);
    if (!/^[0-9a-f]{4}$/i.test(hex)) throw new SavepointError('E_REMOTE_UNREACHABLE', 'The server did not answer in the git smart-HTTP protocol (is the URL a git repository?).', {});
    const len = Number.parseInt(hex, 16);
    if (len < 4) {
      out.push(null);
      i += 4;
      continue;
    }
    if (i + len > b.length) throw new SavepointError('E_REMOTE_UNREACHABLE', 'The server sent a truncated git response.', {});
    out.push(b.subarray(i + 4, i + len));
    i += len;
  }
  return out;
}

export interface RefAdvertisement {
  refs: Map<string, string>;
  /** ref → peeled object (annotated tags) */
  peeled: Map<string, string>;
  capabilities: Set<string>;
}

/** Parse the body of GET info/refs?service=… (protocol v0/v1). */
export function parseRefAdvertisement(body: Uint8Array, service: string): RefAdvertisement {
  const lines = splitPktLines(body);
  let i = 0;
  const first = lines[0];
  if (first && first.toString('utf8').startsWith('# service=')) {
    if (first.toString('utf8').trim() !== `# service=${service}`) {
      throw new SavepointError('E_REMOTE_UNREACHABLE', `The server answered for ${first.toString('utf8').trim().slice(10)} instead of ${service}.`, {});
    }
    i = 1;
    while (i < lines.length && lines[i] === null) i++;
  }
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  let capabilities = new Set<string>();
  let firstRef = true;
  for (; i < lines.length; i++) {
    const l = lines[i];
    if (l === null || l === undefined) break;
    let text = l.toString('utf8').replace(/\n$/, '');
    if (firstRef) {
      const nul = text.indexOf('\0');
      if (nul >= 0) {
        capabilities = new Set(text.slice(nul + 1).split(' ').filter(Boolean));
        text = text.slice(0, nul);
      }
      firstRef = false;
    }
    const m = /^([0-9a-f]{40}) (.+)$/.exec(text);
    if (!m) continue;
    const [, oid, ref] = m as unknown as [string, string, string];
    if (ref === 'capabilities^{}') continue;
    if (ref.endsWith('^{}')) peeled.set(ref.slice(0, -3), oid);
    else refs.set(ref, oid);
  }
  return { refs, peeled, capabilities };
}

export interface ReceivePackReport {
  unpack: string;
  refs: { ref: string; ok: boolean; reason?: string }[];
  progress: string[];
  errors: string[];
}

/** Parse the result of POST git-receive-pack with report-status (and optional side-band-64k). */
export function parseReceivePackResult(body: Uint8Array, sideband: boolean): ReceivePackReport {
  const progress: string[] = [];
  const errors: string[] = [];
  let status: Uint8Array;
  if (sideband) {
    const chunks: Buffer[] = [];
    for (const l of splitPktLines(body)) {
      if (l === null || l.length === 0) continue;
      const band = l[0];
      const data = l.subarray(1);
      if (band === 1) chunks.push(data);
      else if (band === 2) progress.push(data.toString('utf8'));
      else if (band === 3) errors.push(data.toString('utf8').trim());
    }
    status = Buffer.concat(chunks);
  } else status = body;
  const report: ReceivePackReport = { unpack: '', refs: [], progress, errors };
  if (status.length === 0) return report;
  for (const l of splitPktLines(status)) {
    if (l === null) continue;
    const text = l.toString('utf8').replace(/\n$/, '');
    if (text.startsWith('unpack ')) report.unpack = text.slice(7);
    else if (text.startsWith('ok ')) report.refs.push({ ref: text.slice(3), ok: true });
    else if (text.startsWith('ng ')) {
      const rest = text.slice(3);
      const sp = rest.indexOf(' ');
      report.refs.push(sp < 0 ? { ref: rest, ok: false } : { ref: rest.slice(0, sp), ok: false, reason: rest.slice(sp + 1) });
    }
  }
  return report;
}

export interface UploadPackResult {
  pack: Buffer;
  progress: string[];
  errors: string[];
}

/** Parse the answer to a stateless upload-pack request: ACK/NAK lines, then the pack (side-band or raw). */
export function parseUploadPackResult(body: Uint8Array, sideband: boolean): UploadPackResult {
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const progress: string[] = [];
  const errors: string[] = [];
  let i = 0;
  // leading ACK/NAK/shallow pkt-lines
  while (i + 4 <= b.length) {
    const len = Number.parseInt(b.toString('ascii', i, i + 4), 16);
    if (!Number.isFinite(len) || len < 4) break;
    const text = b.toString('utf8', i + 4, i + Math.min(len, 64));
    if (!/^(ACK|NAK|shallow|unshallow)/.test(text)) break;
    i += len;
  }
  if (!sideband) return { pack: b.subarray(i), progress, errors };
  const chunks: Buffer[] = [];
  for (const l of splitPktLines(b.subarray(i))) {
    if (l === null || l.length === 0) continue;
    const band = l[0];
    if (band === 1) chunks.push(l.subarray(1));
    else if (band === 2) progress.push(l.subarray(1).toString('utf8'));
    else if (band === 3) errors.push(l.subarray(1).toString('utf8').trim());
  }
  return { pack: Buffer.concat(chunks), progress, errors };
}
