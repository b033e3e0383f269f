export { writeBlobFromFile, readBlobToFile, digestBlob, digestFile } from './object-store.js';
export type { BlobInfo, ContentDigest, ReadBlobOptions, WriteBlobOptions } from './object-store.js';
export { compactObjects, autoCompact, shouldCompact, looseObjectStats, collectVersionChains } from './compact.js';
export type { AutoCompactPolicy, CompactOptions, CompactResult, LooseObjectStats } from './compact.js';
export { streamObject, readObjectBuffer, hasObject, listPacks } from './reader.js';
export type { ObjectSink, ObjectType, StreamObjectOptions } from './reader.js';
