import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createSecretScanner, type SecretFinding } from './rules/secrets.js';

export interface ScanResult {
  size: number;
  /** git blob id of the bytes read (`blob <size>\0` + content). */
  gitOid: string;
  sha256: string;
  secrets: SecretFinding[];
}

/**
 * Read a file once, in fixed-size chunks: git blob id, sha256 and the secret scan in the same pass.
 * Memory stays constant whatever the file size.
 */
export async function scanFile(file: string, size: number, opts: { secrets: boolean; oidAlgo?: 'sha1' | 'sha256' }): Promise<ScanResult> {
  const sha1 = createHash(opts.oidAlgo ?? 'sha1');
  const sha256 = createHash('sha256');
  const scanner = opts.secrets ? createSecretScanner() : null;
  let read = 0;
  // The blob header needs the size up front; if the file changes while we read, the id will simply
  // not match the index and the caller falls back to the staged blob.
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
  let headerWritten = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (!headerWritten) {
      sha1.update(`blob ${size}\0`);
      headerWritten = true;
    }
    read += chunk.length;
    sha1.update(chunk);
    sha256.update(chunk);
    scanner?.push(chunk);
  }
  if (!headerWritten) sha1.update(`blob ${size}\0`);
  return {
    size: read,
    gitOid: read === size ? sha1.digest('hex') : '',
    sha256: sha256.digest('hex'),
    secrets: scanner ? scanner.end() : [],
  };
}
