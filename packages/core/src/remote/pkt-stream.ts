/**
 * pkt-lines read from a stream as they arrive (ssh stdio, an HTTP response), and the upload-pack answer —
 * ACK/NAK lines, then the pack in side-band 1 — written straight to a temp file: a fetched pack is never
 * held in memory (issue 12 item 5).
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { SavepointError } from '../errors.js';
import { trackTemp } from '../util/cleanup.js';
import type { ProgressCallback } from '../util/progress.js';

/** Reads pkt-lines (and raw bytes) from a stream, pulling chunks only as needed (backpressure). */
export class PktReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private readonly it: AsyncIterator<Buffer>;
  private done = false;
  constructor(stream: NodeJS.ReadableStream) {
    this.it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }
  private async fill(n: number): Promise<boolean> {
    while (this.have < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.chunks.push(r.value);
        this.have += r.value.length;
      }
    }
    return this.have >= n;
  }
  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.have = rest.length;
    return out;
  }
  /** One pkt-line: its payload, 'flush' (0000/0001/0002), or 'eof'. */
  async pkt(): Promise<Buffer | 'flush' | 'eof'> {
    if (!(await this.fill(4))) return 'eof';
    const hex = this.take(4).toString('ascii');
    if (!/^[0-9a-f]{4}$/i.test(hex)) throw new SavepointError('E_REMOTE_UNREACHABLE', `The remote did not answer in the git protocol (got ${JSON.stringify(hex)}). Is it a git repository (for ssh: is git installed there, and does the login shell print nothing)?`, {});
    const len = Number.parseInt(hex, 16);
    if (len < 4) return 'flush';
    if (!(await this.fill(len - 4))) return 'eof';
    return Buffer.from(this.take(len - 4));
  }
  /** Do the next bytes read `text` (nothing is consumed)? */
  async startsWith(text: string): Promise<boolean> {
    if (!(await this.fill(text.length))) return false;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.toString('latin1', 0, text.length) === text;
  }
  /** Whatever is left until the stream ends, chunk by chunk. */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.have) yield this.take(this.have);
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else yield r.value;
    }
  }
}

/**
 * Read an upload-pack answer from `reader`: the pack goes to a temp file in `<gitdir>/objects/pack` (null
 * when nothing came), band-2 progress to `onProgress`, band-3 errors are returned.
 */
export async function receiveUploadPack(reader: PktReader, gitdir: string, sideband: boolean, onProgress?: ProgressCallback): Promise<{ file: string | null; errors: string[] }> {
  const dir = path.join(gitdir, 'objects', 'pack');
  await fsp.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `tmp_fetch_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`);
  const out = createWriteStream(tmp);
  const untrack = trackTemp(tmp); // Ctrl-C mid-fetch leaves no partial pack (storeReceivedPack tracks it from here on)
  let received = 0;
  const errors: string[] = [];
  const write = async (b: Buffer) => {
    received += b.length;
    if (!out.write(b)) await once(out, 'drain');
    onProgress?.({ phase: 'fetch: receiving', loaded: received, total: 0 });
  };
  try {
    let p: Buffer | 'flush' | 'eof' | 'raw';
    for (;;) {
      if (!sideband && (await reader.startsWith('PACK'))) {
        p = 'raw';
        break;
      }
      p = await reader.pkt();
      if (p === 'eof' || p === 'flush') break;
      if (!/^(ACK|NAK|shallow|unshallow)/.test(p.toString('latin1', 0, 10))) break;
    }
    if (sideband) {
      while (p !== 'eof' && p !== 'flush' && p !== 'raw') {
        const band = p[0];
        if (band === 1) await write(p.subarray(1));
        else if (band === 2) {
          const m = /([^:\r\n]*):\s+\d+% \((\d+)\/(\d+)\)/.exec(p.subarray(1).toString('utf8'));
          if (m) onProgress?.({ phase: `fetch: ${m[1]!.trim().toLowerCase()}`, loaded: Number(m[2]), total: Number(m[3]) });
        } else if (band === 3) errors.push(p.subarray(1).toString('utf8').trim());
        p = await reader.pkt();
      }
    } else if (p === 'raw') {
      // no side-band: the raw pack follows the last ACK/NAK until the end of the stream
      for await (const chunk of reader.rest()) await write(chunk);
    }
    out.end();
    await once(out, 'close');
  } catch (e) {
    out.destroy();
    await fsp.rm(tmp, { force: true });
    throw e;
  } finally {
    untrack();
  }
  if (received === 0 || errors.length) {
    await fsp.rm(tmp, { force: true });
    return { file: null, errors };
  }
  return { file: tmp, errors };
}
