/**
 * Ingest: bytes -> JSON values with file + line pointers. Knows nothing about log formats beyond
 * structural envelopes (CloudTrail Records, Azure records, CloudWatch events, OTLP, EventBridge).
 */

export { expandInputs } from './expand.js';
export type { ExpandOptions, Expanded } from './expand.js';
export { openBytes, openSource, readStream, iterate, BATCH_SIZE } from './source.js';
export type { ByteSource, OpenedSource, ReadOptions } from './source.js';
export { detectMode } from './reader.js';
export { anyValue, flattenAttributes } from './otlp.js';
export { DEFAULT_INGEST_LIMITS } from './types.js';
export type { FileStats, IngestIssue, IngestIssueKind, IngestLimits, InputSource, RawRecord, SourceRef } from './types.js';
