/** Format detection of files on disk (Node only; the pure part is detect.ts). */
import { open } from 'node:fs/promises';
import { fromNodeError } from './errors.js';
import { detectFormat, HEAD_BYTES, type DataFormat } from './detect.js';

/** Read up to `n` bytes of a file from `position` (default: its start). */
export async function readHead(path: string, n = HEAD_BYTES, position = 0): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fromNodeError(e, path);
  }
  try {
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, n - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** Detect the format of a file on disk; `name` (the logical vault path) drives extension-based detection. */
export async function detectFileFormat(path: string, name: string = path): Promise<DataFormat> {
  return detectFormat(name, await readHead(path));
}
