/**
 * @savepoint/core/browser: a vault in the browser through isomorphic-git with an injected fs (e.g.
 * @isomorphic-git/lightning-fs) and isomorphic-git's `http/web` client. No node: modules.
 *
 * isomorphic-git itself uses `Buffer`: this entry installs the `buffer` package's implementation as
 * `globalThis.Buffer` when the page has none, and a bundler must resolve the bare module `buffer` (which
 * isomorphic-git's dependencies import) to that package, e.g. esbuild `alias: { buffer: 'buffer/' }` or
 * Vite `resolve.alias`.
 */
import './buffer-global.js';

export { cloneVault, openVault } from './vault.js';
export type {
  BrowserAuthor, BrowserFileEntry, BrowserPushOptions, BrowserPushResult, BrowserSaveOptions, BrowserSaveResult, BrowserTagOptions,
  BrowserVault, BrowserVerifyItem, BrowserVerifyReport, BrowserVerifyStatus, CloneVaultOptions, OpenVaultOptions,
} from './vault.js';
export { readVaultHistory, readVaultHistoryDetailed, readVersionContent, resolveBrowserVersion, sha256Hex } from './read.js';
export type { BrowserHistory, BrowserRepoOptions, ReadContentOptions, ReadHistoryOptions } from './read.js';
export { SavepointError, isSavepointError } from '../errors.js';
export type { ErrorCode } from '../errors.js';
export type { VersionRecord, VersionStatus, Address } from '../model/version.js';
export type { ProgressCallback, ProgressEvent } from '../util/progress.js';
export type { DiffResult, BrowserDiffOptions } from '@savepoint/diff/browser';
