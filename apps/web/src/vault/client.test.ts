import { describe, expect, it } from 'vitest';
import { createVaultClient } from './client.js';
import type { Reply, Request } from './protocol.js';
import { toWireError, VaultError } from './protocol.js';

/** A port that answers like the worker does, so the client's matching of replies to calls is tested. */
function fakePort(answer: (req: Request, reply: (r: Reply) => void) => void) {
  const port = {
    onmessage: null as ((ev: MessageEvent<Reply>) => void) | null,
    sent: [] as Request[],
    terminated: false,
    postMessage(req: Request) {
      port.sent.push(req);
      answer(req, (r) => queueMicrotask(() => port.onmessage?.({ data: r } as MessageEvent<Reply>)));
    },
    terminate() {
      port.terminated = true;
    },
  };
  return port;
}

describe('vault client', () => {
  it('matches out-of-order replies to their calls and passes progress to the caller', async () => {
    const held: [Request, (r: Reply) => void][] = [];
    const port = fakePort((req, reply) => held.push([req, reply]));
    const c = createVaultClient(port);
    const progress: string[] = [];
    const a = c.versions('a.csv');
    const b = c.push((p) => progress.push(p.phase));
    expect(port.sent.map((r) => r.method)).toEqual(['versions', 'push']);
    const [[ra, replyA], [rb, replyB]] = held as [[Request, (r: Reply) => void], [Request, (r: Reply) => void]];
    replyB({ id: rb.id, kind: 'progress', progress: { phase: 'sending' } });
    replyB({ id: rb.id, kind: 'ok', value: { pushed: ['refs/heads/main'] } });
    replyA({ id: ra.id, kind: 'error', error: { code: 'E_OBJECT_MISSING', message: 'gone' } });
    await expect(b).resolves.toEqual({ pushed: ['refs/heads/main'] });
    const err = await a.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toMatchObject({ code: 'E_OBJECT_MISSING', message: 'gone' });
    expect(progress).toEqual(['sending']);
  });

  it('terminate rejects what is still waiting', async () => {
    const port = fakePort(() => {});
    const c = createVaultClient(port);
    const p = c.files();
    c.terminate();
    await expect(p).rejects.toMatchObject({ code: 'E_INTERRUPTED' });
    expect(port.terminated).toBe(true);
  });

  it('errors keep their code across the boundary', () => {
    expect(toWireError(Object.assign(new Error('x'), { code: 'E_CHECKSUM_MISMATCH' }))).toEqual({ code: 'E_CHECKSUM_MISMATCH', message: 'x' });
    expect(toWireError(new Error('plain'))).toEqual({ code: 'E_INTERNAL', message: 'plain' });
    expect(toWireError('s')).toEqual({ code: 'E_INTERNAL', message: 's' });
  });
});
