/**
 * For tests that run core in a child process (one node process a test can kill mid-step): the path of core's
 * TypeScript entry, for the child script to import, and tsx's loader, so node runs those sources directly.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** core's source entry (src/index.ts) */
export const CORE_INDEX = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'index.ts');
/** `node --import <TSX_LOADER> script.mts` runs a script that imports CORE_INDEX */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
