/**
 * Adler-32 on a second core. Large saves and reads hash SHA-1 + sha256 on the main thread; moving the
 * (JavaScript) Adler-32 to a worker thread lets both cores work. One shared worker, created lazily and
 * unref'd so it never keeps the process alive; each stream is a session with its own id.
 */
import { Worker } from 'node:worker_threads';
import { adler32 } from './adler32.js';

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const BASE = 65521;
const BLOCK = 1 << 16;
const adler32 = ${adler32.toString()};
const state = new Map();
parentPort.on('message', (m) => {
  if (m.buf) state.set(m.id, adler32(m.buf, state.get(m.id) ?? 1));
  else {
    parentPort.postMessage({ id: m.id, value: state.get(m.id) ?? 1 });
    state.delete(m.id);
  }
});
`;

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
const waiting = new Map<number, (v: number) => void>();

function getWorker(): Worker | null {
  if (broken) return null;
  if (!worker) {
    try {
      worker = new Worker(SOURCE, { eval: true });
      worker.unref();
      worker.on('message', (m: { id: number; value: number }) => {
        const done = waiting.get(m.id);
        waiting.delete(m.id);
        if (waiting.size === 0) worker?.unref();
        done?.(m.value);
      });
      worker.on('error', () => {
        broken = true;
        worker = null;
      });
    } catch {
      broken = true;
      return null;
    }
  }
  return worker;
}

/** An Adler-32 computed off the main thread (falls back to inline hashing if workers are unavailable). */
export class OffThreadAdler {
  private readonly id = nextId++;
  private readonly w = getWorker();
  private inline = 1;
  constructor(initial?: Uint8Array) {
    if (initial) this.update(initial);
  }
  /** `data` is copied, so the caller may reuse its buffer at once. */
  update(data: Uint8Array): void {
    if (!data.length) return;
    if (this.w) this.w.postMessage({ id: this.id, buf: data });
    else this.inline = adler32(data, this.inline);
  }
  digest(): Promise<number> {
    const w = this.w;
    if (!w) return Promise.resolve(this.inline >>> 0);
    return new Promise((resolve) => {
      waiting.set(this.id, (v) => resolve(v >>> 0));
      w.ref();
      w.postMessage({ id: this.id });
    });
  }
}
