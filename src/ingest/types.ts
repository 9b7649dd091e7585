/**
 * Contract between ingest and normalise: ingest turns bytes from files, folders, gzip and stdin
 * into parsed JSON values with a pointer back to where they came from. It knows nothing about
 * log formats.
 */

/** Where a record came from. `file` is the path as the user gave it ("-" for stdin). */
export interface SourceRef {
  file: string;
  /** 1-based line on which the record starts (for a record inside a JSON document, the line of its opening brace). */
  line: number;
  /**
   * The record's place (1-based) among those read from the same line, set from the second on: a
   * CloudTrail file as S3 stores it holds all its records on line 1, a Kong batch several on each.
   */
  record?: number;
}

/** How a place is written for people and for `explain --line`: `12`, or `1#3` for the third record on line 1. */
export function lineRef(line: number, record?: number): string {
  return record === undefined ? String(line) : `${line}#${record}`;
}

/** One JSON value read from the input, before any format mapping. */
export interface RawRecord {
  value: unknown;
  source: SourceRef;
  /**
   * Set when the record was taken out of a structural envelope: 'cloudtrail-records', 'azure-records',
   * 'cloudwatch-events', 'otlp-logs', 'otlp-spans' or 'eventbridge' (the innermost one). For
   * 'otlp-logs' / 'otlp-spans' the value is the flattened log record or span (see src/ingest/otlp.ts).
   */
  envelope?: string;
  /**
   * Scalar fields of the envelope around the record that the record itself may lack, e.g. CloudWatch
   * `{ timestamp, logGroup, logStream }` or EventBridge `{ time, region, account, detailType }`.
   */
  envelopeFields?: Record<string, string | number>;
}

/** One input named on the command line (or found in a folder given on it). */
export interface InputSource {
  /** Path as the user gave it, joined with the relative path for folder members; "-" for stdin. */
  path: string;
  kind: 'file' | 'stdin';
  /** Size on disk in bytes, when known (regular files). */
  size?: number;
}

/**
 * The skip reason of records a format knew and set aside (Caddy's startup lines, django-structlog's
 * request_started): expected, so neither an issue nor a line lost to bad input. With the
 * normaliser's other reasons ('not-an-access-record', 'no-timestamp'…) in FileSummary.skipped.
 */
export const SET_ASIDE = 'set-aside';

/** Why a piece of input was skipped or a source could not be read. */
export type IngestIssueKind =
  | 'malformed-json'
  | 'line-too-long'
  | 'invalid-utf8'
  | 'too-deep'
  | 'decompressed-too-large'
  | 'gzip-error'
  | 'unreadable'
  | 'not-found'
  | 'permission-denied'
  | 'directory-loop'
  /** A file grew while it was read (what was written after the inputs were listed is not read). */
  | 'file-changed'
  /** A file was shorter when read than when the inputs were listed (truncated or rotated meanwhile): input lost. */
  | 'file-shrank'
  | 'not-json'
  /** A JSON record that normalise could not map onto an ApiEvent (no timestamp, not an access record). */
  | 'unmapped'
  /** A --map path that none of a file's first records holds: that mapping does nothing there. */
  | 'map-unused';

export interface IngestIssue {
  kind: IngestIssueKind;
  file: string;
  /** Absent for whole-file problems. */
  line?: number;
  /** Human message, already free of control characters; never includes the offending content in full. */
  message: string;
  /** A line that is not JSON: the well-known text access log it looks like (src/ingest/text-logs.ts). */
  textLog?: string;
}

/** Per-file bookkeeping that the summary reports. */
export interface FileStats {
  path: string;
  /** 'ndjson' | 'json-array' | 'json-document' | envelope names such as 'cloudtrail-records', 'otlp-logs'. */
  container: string;
  gzip: boolean;
  bytes: number;
  records: number;
  malformed: number;
  /** Lines skipped for other reasons (too long, not JSON), counted by kind. */
  skipped: Partial<Record<IngestIssueKind, number>>;
  /** Bytes after gunzip (set for gzip input; `bytes` counts what was read from the source). */
  decompressedBytes?: number;
  /** Every issue reported for this source, counted by kind (includes malformed-json and invalid-utf8). */
  issues?: Partial<Record<IngestIssueKind, number>>;
}

export interface IngestLimits {
  /** Longest line (or JSON document) accepted, in bytes. */
  maxLineBytes: number;
  /** Cap on decompressed bytes per gzip file. */
  maxDecompressedBytes: number;
  /** Deepest JSON nesting accepted. */
  maxDepth: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxLineBytes: 16 * 1024 * 1024,
  maxDecompressedBytes: 64 * 1024 * 1024 * 1024,
  maxDepth: 256,
};

/** A file that could not be opened or read at all. */
export function isUnreadable(kind: string): boolean {
  return kind === 'not-found' || kind === 'permission-denied' || kind === 'unreadable' || kind === 'directory-loop';
}

/**
 * Input that could not be read, in whole or in part: exit code 3. A damaged or truncated .gz file
 * is read up to the damage, a file cut short while it was read up to the cut, a gzip file over
 * --max-decompressed up to the cap; what follows is lost, and a CI job must not pass as if it had
 * been read.
 */
export function losesInput(kind: string): boolean {
  return isUnreadable(kind) || kind === 'gzip-error' || kind === 'file-shrank' || kind === 'decompressed-too-large';
}
