/**
 * Whether a worker thread's compiled module is there to start: worker modules sit next to the module that
 * starts them in dist/ (and in the CLI bundle); run from TypeScript sources (a test runner) they are not, and
 * the caller does the work on this thread instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function compiledWorkerExists(url: URL): boolean {
  try {
    return url.protocol === 'file:' && existsSync(fileURLToPath(url));
  } catch {
    return false;
  }
}
