/**
 * Adler-32 (RFC 1950) in WebAssembly SIMD, assembled here by hand (no toolchain): ~5–10× the JS version in
 * adler32.ts, so a full verify can check the zlib checksum of our stored-block loose objects without paying
 * for native inflate's copy of every byte. The module reads from a memory the caller owns (shared, so
 * another thread can hash the same bytes); callers read file data straight into it.
 *
 * Per 32 bytes the loop keeps three i32x4 accumulators: s1 (byte sums), ps (the s1 seen before each
 * 32-byte step, for the n·a term) and s2 (bytes weighted 32..1 with i32x4.dot_i16x8_s). Every 32 KiB
 * (no lane can overflow: ps ≤ 2040·m²/2 < 2^32 for m = 1024 steps) they are folded into a and b in i64:
 * b += n·a + 32·Σps + Σs2, a += Σs1, both mod 65521. The tail (< 32 bytes) is summed byte by byte.
 */

// ---- a tiny assembler: just the opcodes used below
const I32 = 0x7f;
const I64 = 0x7e;
const V128 = 0x7b;
const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, void: 0x40,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load8U: 0x2d, i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32LtU: 0x49, i32GeU: 0x4f,
  i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74, i32ShrU: 0x76,
  i64Add: 0x7c, i64Mul: 0x7e, i64RemU: 0x82, i64Shl: 0x86, i32WrapI64: 0xa7, i64ExtendI32U: 0xad,
} as const;
/** SIMD instructions: 0xfd then the opcode as unsigned LEB128. */
const simd = {
  load: 0x00, const: 0x0c, i32x4ExtractLane: 0x1b,
  i16x8ExtaddPairwiseI8x16U: 0x7d, i32x4ExtaddPairwiseI16x8U: 0x7f,
  i16x8ExtendLowI8x16U: 0x89, i16x8ExtendHighI8x16U: 0x8a, i16x8Add: 0x8e,
  i32x4Add: 0xae, i32x4DotI16x8S: 0xba,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const v = (o: number): number[] => [0xfd, ...uleb(o)];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

/** The 32..1 weights of one 32-byte step as four i16x8 constants. */
function weights(from: number): number[] {
  const bytes: number[] = [];
  for (let k = 0; k < 8; k++) bytes.push((from - k) & 0xff, 0);
  return [...v(simd.const), ...bytes];
}

/** Memory pages the caller's memory must declare (module imports `env.mem`, shared, exactly this many). */
export const ADLER_SIMD_PAGES = 32; // 2 MiB: the reader's two 1 MiB read buffers

function buildModule(pages: number): Uint8Array {
  // params: 0 ptr, 1 len, 2 prev; locals: 3 a(i64) 4 b(i64) 5 end 6 blockEnd 7 n 8 s1 9 ps 10 s2 11 x0 12 x1
  const [PTR, LEN, PREV, A, B, END, BEND, N, S1, PS, S2, X0, X1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const get = (i: number) => [op.localGet, i];
  const set = (i: number) => [op.localSet, i];
  const i32 = (n: number) => [op.i32Const, ...sleb(n)];
  const i64 = (n: number) => [op.i64Const, ...sleb(n)];
  const zero = [...v(simd.const), ...new Array(16).fill(0)];
  const lane = (l: number) => [...v(simd.i32x4ExtractLane), l, op.i64ExtendI32U];
  // Σ of the four lanes of local i as i64
  const hsum = (i: number) => [...get(i), ...lane(0), ...get(i), ...lane(1), op.i64Add, ...get(i), ...lane(2), op.i64Add, ...get(i), ...lane(3), op.i64Add];
  const dot = (x: number, high: boolean, w: number) => [...get(x), ...v(high ? simd.i16x8ExtendHighI8x16U : simd.i16x8ExtendLowI8x16U), ...weights(w), ...v(simd.i32x4DotI16x8S)];
  const BASE = 65521;
  const code = [
    // a = prev & 0xffff; b = prev >>> 16; end = ptr + len
    ...get(PREV), ...i32(0xffff), op.i32And, op.i64ExtendI32U, ...set(A),
    ...get(PREV), ...i32(16), op.i32ShrU, op.i64ExtendI32U, ...set(B),
    ...get(PTR), ...get(LEN), op.i32Add, ...set(END),
    op.block, op.void, op.loop, op.void,
    // n = min(end - ptr, 32768) & ~31; if n == 0 leave
    ...get(END), ...get(PTR), op.i32Sub, ...set(N),
    ...get(N), ...i32(32768), op.i32GeU, op.if, op.void, ...i32(32768), ...set(N), op.end,
    ...get(N), ...i32(~31), op.i32And, op.localTee, N, op.i32Eqz, op.brIf, 1,
    ...get(PTR), ...get(N), op.i32Add, ...set(BEND),
    ...zero, ...set(S1), ...zero, ...set(PS), ...zero, ...set(S2),
    op.loop, op.void,
    ...get(PTR), ...v(simd.load), 0, 0, ...set(X0),
    ...get(PTR), ...v(simd.load), 0, 16, ...set(X1),
    ...get(PS), ...get(S1), ...v(simd.i32x4Add), ...set(PS),
    ...get(S1),
    ...get(X0), ...v(simd.i16x8ExtaddPairwiseI8x16U), ...get(X1), ...v(simd.i16x8ExtaddPairwiseI8x16U), ...v(simd.i16x8Add),
    ...v(simd.i32x4ExtaddPairwiseI16x8U), ...v(simd.i32x4Add), ...set(S1),
    ...get(S2),
    ...dot(X0, false, 32), ...v(simd.i32x4Add), ...dot(X0, true, 24), ...v(simd.i32x4Add),
    ...dot(X1, false, 16), ...v(simd.i32x4Add), ...dot(X1, true, 8), ...v(simd.i32x4Add),
    ...set(S2),
    ...get(PTR), ...i32(32), op.i32Add, op.localTee, PTR, ...get(BEND), op.i32LtU, op.brIf, 0,
    op.end,
    // b = (b + n·a + 32·Σps + Σs2) % BASE; a = (a + Σs1) % BASE
    ...get(B), ...get(N), op.i64ExtendI32U, ...get(A), op.i64Mul, op.i64Add,
    ...hsum(PS), ...i64(5), op.i64Shl, op.i64Add, ...hsum(S2), op.i64Add, ...i64(BASE), op.i64RemU, ...set(B),
    ...get(A), ...hsum(S1), op.i64Add, ...i64(BASE), op.i64RemU, ...set(A),
    op.br, 0,
    op.end, op.end,
    // the tail, byte by byte
    op.block, op.void, op.loop, op.void,
    ...get(PTR), ...get(END), op.i32GeU, op.brIf, 1,
    ...get(A), ...get(PTR), op.i32Load8U, 0, 0, op.i64ExtendI32U, op.i64Add, ...set(A),
    ...get(B), ...get(A), op.i64Add, ...set(B),
    ...get(PTR), ...i32(1), op.i32Add, ...set(PTR),
    op.br, 0,
    op.end, op.end,
    ...get(B), ...i64(BASE), op.i64RemU, ...i64(16), op.i64Shl, ...get(A), ...i64(BASE), op.i64RemU, op.i64Add, op.i32WrapI64,
    op.end,
  ];
  const locals = vec([[2, I64], [3, I32], [5, V128]]);
  const body = [...locals, ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])]])),
    // import env.mem: shared memory, min = max = pages
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x03, ...uleb(pages), ...uleb(pages)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('adler32'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

/** The few WebAssembly names used here (the project's TypeScript lib has no DOM/WebAssembly types). */
interface WasmMemory { buffer: ArrayBufferLike }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const Wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export interface Adler32Simd {
  /** shared memory the function reads (ADLER_SIMD_PAGES pages) */
  memory: WasmMemory;
  /** a Buffer over the whole memory: read file data into it, hash it in place */
  view: Buffer;
  /** Adler-32 of view[start, end) continued from `prev` (1 for a fresh checksum) */
  adler32(start: number, end: number, prev?: number): number;
}

let compiled: object | null | undefined;

/** Compile once per thread; null when this runtime lacks WebAssembly SIMD or shared memory. */
function module(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = buildModule(ADLER_SIMD_PAGES);
    compiled = Wasm && Wasm.validate(bytes) ? new Wasm.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** A fresh instance over a fresh shared memory, or null when WebAssembly SIMD is not available. */
export function createAdler32Simd(): Adler32Simd | null {
  const mod = module();
  if (!mod || !Wasm) return null;
  try {
    const memory = new Wasm.Memory({ initial: ADLER_SIMD_PAGES, maximum: ADLER_SIMD_PAGES, shared: true });
    const inst = new Wasm.Instance(mod, { env: { mem: memory } });
    const fn = inst.exports.adler32 as (ptr: number, len: number, prev: number) => number;
    const view = Buffer.from(memory.buffer as ArrayBuffer);
    return { memory, view, adler32: (start, end, prev = 1) => fn(start, end - start, prev) >>> 0 };
  } catch {
    return null;
  }
}
