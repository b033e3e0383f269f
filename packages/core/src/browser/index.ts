/** @savepoint/core/browser: read a vault through isomorphic-git with an injected fs (no node: modules). */
export { readVaultHistory, readVaultHistoryDetailed, readVersionContent, resolveBrowserVersion, sha256Hex } from './read.js';
export type { BrowserHistory, BrowserRepoOptions, ReadContentOptions, ReadHistoryOptions } from './read.js';
export { SavepointError, isSavepointError } from '../errors.js';
export type { ErrorCode } from '../errors.js';
export type { VersionRecord, VersionStatus, Address } from '../model/version.js';
