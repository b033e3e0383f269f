import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HEADER_SIZE, Keyring, decryptBuffer, encryptBuffer, newKdf } from './chunked.js';
import { SavepointError } from '../errors.js';

const ring = new Keyring(() => ({ passphrase: 'correct horse' }));
// cheap scrypt and tiny chunks so many chunks and many runs stay fast
const opts = { logN: 4, chunkLog2: 4 };
const TAG = 16;

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof SavepointError ? e.code : String(e);
  }
}

describe('chunked AES-256-GCM format', async () => {
  const kdf = await newKdf(ring, opts);

  it('round-trips any data, and holds none of it in clear', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const plain = Buffer.from(bytes);
        const sealed = await encryptBuffer(ring, kdf, plain, opts);
        expect(sealed.length).toBe(HEADER_SIZE + plain.length + TAG * (Math.floor(plain.length / 16) + (plain.length % 16 === 0 && plain.length > 0 ? 0 : 1)));
        expect((await decryptBuffer(ring, sealed)).equals(plain)).toBe(true);
        if (plain.length >= 8) expect(sealed.includes(plain.subarray(0, 8))).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('detects any single bit flip', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 100 }), fc.nat(), fc.integer({ min: 0, max: 7 }), async (bytes, pos, bit) => {
        const sealed = await encryptBuffer(ring, kdf, Buffer.from(bytes), opts);
        const i = pos % sealed.length;
        sealed[i] = sealed[i]! ^ (1 << bit);
        expect(await code(decryptBuffer(ring, sealed))).toBe('E_DECRYPT');
      }),
      { numRuns: 80 },
    );
  });

  it('detects any truncation, including at a chunk boundary', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(), async (bytes, cut) => {
        const sealed = await encryptBuffer(ring, kdf, Buffer.from(bytes), opts);
        const keep = cut % sealed.length;
        expect(await code(decryptBuffer(ring, sealed.subarray(0, keep)))).toBe('E_DECRYPT');
      }),
      { numRuns: 60 },
    );
    // exactly the chunks before the last one: the final flag is missing
    const sealed = await encryptBuffer(ring, kdf, Buffer.alloc(40, 7), opts);
    expect(await code(decryptBuffer(ring, sealed.subarray(0, HEADER_SIZE + 2 * (16 + TAG))))).toBe('E_DECRYPT');
  });

  it('detects reordered, dropped or repeated chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 33, maxLength: 120 }), fc.nat(), fc.nat(), async (bytes, a, b) => {
        const sealed = await encryptBuffer(ring, kdf, Buffer.from(bytes), opts);
        const body = sealed.subarray(HEADER_SIZE);
        const chunks: Buffer[] = [];
        for (let o = 0; o < body.length; o += 16 + TAG) chunks.push(body.subarray(o, o + 16 + TAG));
        const i = a % chunks.length;
        let j = b % chunks.length;
        if (i === j) j = (j + 1) % chunks.length;
        const swapped = [...chunks];
        [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
        if (Buffer.concat(swapped).equals(body)) return; // two identical chunks swapped: nothing changed
        expect(await code(decryptBuffer(ring, Buffer.concat([sealed.subarray(0, HEADER_SIZE), ...swapped])))).toBe('E_DECRYPT');
        const dropped = chunks.filter((_, k) => k !== i);
        expect(await code(decryptBuffer(ring, Buffer.concat([sealed.subarray(0, HEADER_SIZE), ...dropped])))).toBe('E_DECRYPT');
        const repeated = [...chunks.slice(0, i + 1), chunks[i]!, ...chunks.slice(i + 1)];
        expect(await code(decryptBuffer(ring, Buffer.concat([sealed.subarray(0, HEADER_SIZE), ...repeated])))).toBe('E_DECRYPT');
      }),
      { numRuns: 40 },
    );
  });

  it('a wrong passphrase or a key file instead is E_DECRYPT with reason wrong-key', async () => {
    const sealed = await encryptBuffer(ring, kdf, Buffer.from('secret data'), opts);
    const wrong = new Keyring(() => ({ passphrase: 'wrong' }));
    await expect(decryptBuffer(wrong, sealed)).rejects.toMatchObject({ code: 'E_DECRYPT', details: { reason: 'wrong-key' } });
    await expect(decryptBuffer(new Keyring(() => ({ keyFile: Buffer.alloc(32, 1) })), sealed)).rejects.toMatchObject({ code: 'E_DECRYPT' });
  });

  it('works with a key file', async () => {
    const kr = new Keyring(() => ({ keyFile: Buffer.alloc(32, 9) }));
    const k = await newKdf(kr, opts);
    const sealed = await encryptBuffer(kr, k, Buffer.from('x'.repeat(100)), opts);
    expect((await decryptBuffer(new Keyring(() => ({ keyFile: Buffer.alloc(32, 9) })), sealed)).toString()).toBe('x'.repeat(100));
    await expect(decryptBuffer(new Keyring(() => ({ keyFile: Buffer.alloc(32, 8) })), sealed)).rejects.toMatchObject({ code: 'E_DECRYPT' });
  });
});
