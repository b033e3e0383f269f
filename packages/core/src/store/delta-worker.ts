/**
 * Worker thread for delta-parallel.ts: encodes the segments of a target it is sent against the shared base
 * and index it was sent before them (messages arrive in order).
 */
import { parentPort } from 'node:worker_threads';
import type { BlockIndex } from './delta.js';
import { encodeSegment, type SegmentMessage, type SegmentReply, type SharedBaseMessage } from './delta-parallel.js';

const port = parentPort;
let index: BlockIndex | null = null;
if (port) {
  port.on('message', (m: SharedBaseMessage | SegmentMessage) => {
    if (m.kind === 'base') {
      index = {
        win: Buffer.from(m.base, m.baseOffset, m.baseLength),
        table: new Int32Array(m.table),
        tableShift: m.tableShift,
        posBits: m.posBits,
        tagShift: m.tagShift,
        tagMask: m.tagMask,
      };
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
