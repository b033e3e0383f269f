/**
 * Worker thread for delta-parallel.ts: indexes its half of the shared table for the base it is sent, then
 * encodes the segments of a target it is sent against that base and the whole index (messages arrive in
 * order; the sender waits for both halves before sending segments).
 */
import { parentPort } from 'node:worker_threads';
import { indexBase, type BlockIndex } from './delta.js';
import { encodeSegment, type SegmentMessage, type SegmentReply, type SharedBaseMessage } from './delta-parallel.js';

const port = parentPort;
let index: BlockIndex | null = null;
if (port) {
  port.on('message', (m: SharedBaseMessage | SegmentMessage) => {
    if (m.kind === 'base') {
      try {
        index = indexBase(Buffer.from(m.base, m.baseOffset, m.baseLength), new Int32Array(m.table), { from: m.from, to: m.to });
        port.postMessage({ id: m.id, indexed: true } satisfies SegmentReply);
      } catch (e) {
        index = null;
        port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies SegmentReply);
      }
      return;
    }
    const at = index;
    void (async () => {
      try {
        if (!at) throw new Error('segment before its base');
        const ops = await encodeSegment(at, new Uint8Array(m.segment, 0, m.length), m.maxDelta);
        port.postMessage({ id: m.id, ops } satisfies SegmentReply, ops ? ops.map((b) => b.buffer as ArrayBuffer) : []);
      } catch (e) {
        port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies SegmentReply);
      }
    })();
  });
}
