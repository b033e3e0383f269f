/**
 * Encryption at rest: a chunked, authenticated stream format on node:crypto's AES-256-GCM (issue 12 item 4).
 *
 * Layout (all integers big-endian):
 *   header  = "SPENC1\n" (7 bytes) | kdf (1: 1 = scrypt passphrase, 2 = key file) | logN (1) | r (1) | p (1)
 *             | chunkLog2 (1) | salt (16) | fileNonce (16) | keyCheck (16)                      → 60 bytes
 *   chunks  = AES-256-GCM(fileKey, nonce_i, chunk_i, aad = header) ‖ tag (16), each chunk 2^chunkLog2 bytes of
 *             plaintext except the last (which may be shorter, even empty)
 *   nonce_i = i as 8 bytes | 0 0 0 | final flag (1 for the last chunk, else 0)
 * master key = scrypt(passphrase, salt, N=2^logN, r, p) or HKDF-SHA256(key file bytes, salt);
 * fileKey    = HKDF-SHA256(master, fileNonce, "savepoint chunked v1") — a fresh key per file, so the counter
 *              nonces never repeat under one key; keyCheck = HMAC-SHA256(master, "savepoint key check")[0..16]
 *              tells a wrong passphrase from damaged data. The header is the AAD of every chunk, the index and
 *              the final flag are in the nonce: a flipped bit, a dropped, repeated or reordered chunk and a
 *              truncation (even at a chunk boundary) all fail authentication.
 * Never stored anywhere: the passphrase, the key file, the master key.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { SavepointError } from '../errors.js';

export const MAGIC = Buffer.from('SPENC1\n', 'latin1');
export const HEADER_SIZE = 7 + 5 + 16 + 16 + 16;
const TAG = 16;

/** Where the key comes from. Core takes it as an argument; the CLI reads SAVEPOINT_PASSPHRASE / SAVEPOINT_KEY_FILE / a prompt. */
export type KeySource = { passphrase: string } | { keyFile: Buffer };
/** Called only when a key is needed (so commands that touch nothing encrypted never prompt). */
export type KeyProvider = () => KeySource | Promise<KeySource>;

export interface KdfParams {
  kdf: 1 | 2;
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
}

export interface CipherOptions {
  /** plaintext bytes per chunk as a power of two (default 16: 64 KiB) */
  chunkLog2?: number;
  /** scrypt cost (default 15: N = 32768, ~32 MiB, ~0.1 s) */
  logN?: number;
}

export function decryptError(message: string, details: Record<string, unknown> = {}): SavepointError {
  return new SavepointError('E_DECRYPT', message, details);
}

function scrypt(pass: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(pass.normalize('NFC'), salt, 32, { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 }, (e, k) => (e ? reject(e) : resolve(k))),
  );
}

/**
 * Derives and caches master keys for one key source (one scrypt per salt, whatever the number of files).
 * A bucket or an archive folder shares one salt (see `kdfFor`), so a push of many objects pays scrypt once.
 */
export class Keyring {
  private readonly cache = new Map<string, Buffer>();
  private source: KeySource | null = null;
  constructor(private readonly provider: KeyProvider) {}

  private async getSource(): Promise<KeySource> {
    if (!this.source) this.source = await this.provider();
    return this.source;
  }

  async kind(): Promise<1 | 2> {
    return 'keyFile' in (await this.getSource()) ? 2 : 1;
  }

  async master(k: KdfParams): Promise<Buffer> {
    const id = `${k.kdf}:${k.logN}:${k.r}:${k.p}:${k.salt.toString('hex')}`;
    const hit = this.cache.get(id);
    if (hit) return hit;
    const src = await this.getSource();
    let key: Buffer;
    if (k.kdf === 1) {
      if (!('passphrase' in src)) throw decryptError('This data was encrypted with a passphrase, but a key file was given. Set SAVEPOINT_PASSPHRASE (and unset SAVEPOINT_KEY_FILE).', { kdf: 'scrypt' });
      if (!src.passphrase) throw new SavepointError('E_INVALID_ARGUMENT', 'The passphrase is empty. Set SAVEPOINT_PASSPHRASE to the passphrase.', {});
      key = await scrypt(src.passphrase, k.salt, k.logN, k.r, k.p);
    } else {
      if (!('keyFile' in src)) throw decryptError('This data was encrypted with a key file, but a passphrase was given. Set SAVEPOINT_KEY_FILE to the key file.', { kdf: 'keyfile' });
      if (src.keyFile.length < 16) throw new SavepointError('E_INVALID_ARGUMENT', 'The key file is shorter than 16 bytes. Make one with `head -c 32 /dev/urandom > savepoint.key` and keep a copy somewhere safe.', {});
      key = Buffer.from(hkdfSync('sha256', src.keyFile, k.salt, 'savepoint master v1', 32));
    }
    this.cache.set(id, key);
    return key;
  }
}

/** Fresh KDF parameters (a new random salt) for the key source's kind. */
export async function newKdf(ring: Keyring, opts: CipherOptions = {}): Promise<KdfParams> {
  return { kdf: await ring.kind(), logN: opts.logN ?? 15, r: 8, p: 1, salt: randomBytes(16) };
}

export function keyCheck(master: Buffer): Buffer {
  return createHmac('sha256', master).update('savepoint key check').digest().subarray(0, 16);
}

/** Throws E_DECRYPT when `master` does not match a stored key check. */
export function assertKeyCheck(master: Buffer, check: Buffer, what: string): void {
  const mine = keyCheck(master);
  if (check.length !== mine.length || !timingSafeEqual(mine, check)) {
    throw decryptError(`Wrong passphrase or key file for ${what}: it cannot be decrypted. Nothing was written. Set SAVEPOINT_PASSPHRASE (or SAVEPOINT_KEY_FILE) to the one used when it was encrypted; without it the data cannot be recovered.`, { reason: 'wrong-key' });
  }
}

function fileKey(master: Buffer, fileNonce: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', master, fileNonce, 'savepoint chunked v1', 32));
}

function chunkNonce(index: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 0);
  n[11] = final ? 1 : 0;
  return n;
}

export function encodeHeader(k: KdfParams, chunkLog2: number, fileNonce: Buffer, check: Buffer): Buffer {
  return Buffer.concat([MAGIC, Buffer.from([k.kdf, k.logN, k.r, k.p, chunkLog2]), k.salt, fileNonce, check]);
}

export interface ParsedHeader {
  kdf: KdfParams;
  chunkLog2: number;
  fileNonce: Buffer;
  check: Buffer;
  raw: Buffer;
}

export function parseHeader(buf: Buffer, what = 'the data'): ParsedHeader {
  if (buf.length < HEADER_SIZE || !buf.subarray(0, 7).equals(MAGIC)) throw decryptError(`${what} is not Savepoint-encrypted data (or its header is damaged or truncated).`, { reason: 'not-encrypted' });
  const [kdf, logN, r, p, chunkLog2] = [buf[7]!, buf[8]!, buf[9]!, buf[10]!, buf[11]!];
  if ((kdf !== 1 && kdf !== 2) || logN < 1 || logN > 22 || r < 1 || r > 32 || p < 1 || p > 16 || chunkLog2 < 4 || chunkLog2 > 24) {
    throw decryptError(`The encryption header of ${what} is damaged (unknown parameters).`, { reason: 'bad-header' });
  }
  return { kdf: { kdf, logN, r, p, salt: Buffer.from(buf.subarray(12, 28)) }, chunkLog2, fileNonce: Buffer.from(buf.subarray(28, 44)), check: Buffer.from(buf.subarray(44, 60)), raw: Buffer.from(buf.subarray(0, HEADER_SIZE)) };
}

function sealChunk(key: Buffer, header: Buffer, index: number, final: boolean, plain: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, chunkNonce(index, final));
  c.setAAD(header);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([body, c.getAuthTag()]);
}

function openChunk(key: Buffer, header: Buffer, index: number, final: boolean, sealed: Buffer, what: string): Buffer {
  if (sealed.length < TAG) throw decryptError(`${what} is truncated or damaged: it fails authentication. Nothing was written.`, { reason: 'damaged', chunk: index });
  const d = createDecipheriv('aes-256-gcm', key, chunkNonce(index, final));
  d.setAAD(header);
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
  } catch {
    throw decryptError(`${what} is damaged, truncated or reordered: chunk ${index} fails authentication. Nothing was written.`, { reason: 'damaged', chunk: index });
  }
}

/** A Transform that encrypts whatever flows through it (bounded memory: one chunk). */
export async function createEncryptStream(ring: Keyring, kdf: KdfParams, opts: CipherOptions = {}): Promise<Transform> {
  const chunkLog2 = opts.chunkLog2 ?? 16;
  const size = 2 ** chunkLog2;
  const master = await ring.master(kdf);
  const fileNonce = randomBytes(16);
  const header = encodeHeader(kdf, chunkLog2, fileNonce, keyCheck(master));
  const key = fileKey(master, fileNonce);
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let index = 0;
  let headerSent = false;
  const take = (n: number): Buffer => {
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    pending = rest.length ? [rest] : [];
    pendingLen = rest.length;
    return out;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (!headerSent) {
        this.push(header);
        headerSent = true;
      }
      pending.push(chunk);
      pendingLen += chunk.length;
      // keep at least one byte back: the last chunk must be sealed with the final flag
      while (pendingLen > size) this.push(sealChunk(key, header, index++, false, take(size)));
      cb();
    },
    flush(cb: TransformCallback) {
      if (!headerSent) this.push(header);
      this.push(sealChunk(key, header, index++, true, take(pendingLen)));
      cb();
    },
  });
}

/** A Transform that decrypts and authenticates; it fails (E_DECRYPT) before passing on any unauthenticated byte. */
export function createDecryptStream(ring: Keyring, what = 'the data'): Transform {
  let buf: Buffer = Buffer.alloc(0);
  let header: ParsedHeader | null = null;
  let key: Buffer | null = null;
  let index = 0;
  let sealedSize = 0;
  const init = async (): Promise<void> => {
    header = parseHeader(buf, what);
    const master = await ring.master(header.kdf);
    assertKeyCheck(master, header.check, what);
    key = fileKey(master, header.fileNonce);
    sealedSize = 2 ** header.chunkLog2 + TAG;
    buf = buf.subarray(HEADER_SIZE);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const go = async () => {
        if (!header) {
          if (buf.length < HEADER_SIZE) return;
          await init();
        }
        // a full chunk is only known not to be the last once more bytes follow it
        while (buf.length > sealedSize) {
          this.push(openChunk(key!, header!.raw, index++, false, buf.subarray(0, sealedSize), what));
          buf = buf.subarray(sealedSize);
        }
      };
      go().then(() => cb(), (e: unknown) => cb(e as Error));
    },
    flush(cb: TransformCallback) {
      const go = async () => {
        if (!header) await init();
        this.push(openChunk(key!, header!.raw, index++, true, buf, what));
        buf = Buffer.alloc(0);
      };
      go().then(() => cb(), (e: unknown) => cb(e as Error));
    },
  });
}

/** Whole-buffer helpers (small objects: manifests; and the property tests). Same format as the streams. */
export async function encryptBuffer(ring: Keyring, kdf: KdfParams, plain: Buffer, opts: CipherOptions = {}): Promise<Buffer> {
  const t = await createEncryptStream(ring, kdf, opts);
  return collect(t, plain);
}

export async function decryptBuffer(ring: Keyring, sealed: Buffer, what = 'the data'): Promise<Buffer> {
  return collect(createDecryptStream(ring, what), sealed);
}

function collect(t: Transform, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    t.on('data', (d: Buffer) => out.push(d));
    t.on('end', () => resolve(Buffer.concat(out)));
    t.on('error', reject);
    t.end(input);
  });
}

/** True when the bytes start like Savepoint-encrypted data. */
export function looksEncrypted(head: Buffer): boolean {
  return head.length >= 7 && head.subarray(0, 7).equals(MAGIC);
}
