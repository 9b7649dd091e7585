/** Where the readers put records and issues for one source, with the per-file bookkeeping. */

import type { FileStats, IngestIssue, IngestIssueKind, IngestLimits, RawRecord } from './types.js';

/** Issue kinds that make ingest drop input (counted in FileStats.skipped). */
const SKIP_KINDS: ReadonlySet<IngestIssueKind> = new Set<IngestIssueKind>([
  'line-too-long',
  'not-json',
  'too-deep',
  'decompressed-too-large',
  'gzip-error',
  'unreadable',
  'not-found',
  'permission-denied',
  'directory-loop',
]);

export class Sink {
  out: RawRecord[] = [];
  /** Number of the first line read (1, or more when following a file from its end). */
  firstLine = 1;
  private envelopeSeen = false;
  private baseSet = false;
  /** The line of the last record emitted, and how many came from it (for SourceRef.record). */
  private lastLine = -1;
  private onLine = 0;

  constructor(
    readonly file: string,
    readonly limits: IngestLimits,
    readonly stats: FileStats,
    private readonly onIssue: (i: IngestIssue) => void,
  ) {}

  emit(value: unknown, line: number, envelope?: string, fields?: Record<string, string | number>): void {
    const r: RawRecord = { value, source: { file: this.file, line } };
    if (line === this.lastLine) r.source.record = ++this.onLine;
    else {
      this.lastLine = line;
      this.onLine = 1;
    }
    if (envelope !== undefined) r.envelope = envelope;
    if (fields !== undefined) r.envelopeFields = fields;
    this.out.push(r);
    this.stats.records++;
  }

  issue(kind: IngestIssueKind, line: number | undefined, message: string, textLog?: string): void {
    const s = this.stats;
    if (kind === 'malformed-json') s.malformed++;
    else if (SKIP_KINDS.has(kind)) s.skipped[kind] = (s.skipped[kind] ?? 0) + 1;
    const counts = (s.issues ??= {});
    counts[kind] = (counts[kind] ?? 0) + 1;
    const i: IngestIssue = line === undefined ? { kind, file: this.file, message } : { kind, file: this.file, line, message };
    if (textLog !== undefined) i.textLog = textLog;
    this.onIssue(i);
  }

  /** The container found first wins ('ndjson', 'json-array', 'json-document'); envelopes override it once. */
  setContainer(name: string): void {
    if (this.baseSet || this.envelopeSeen) return;
    this.baseSet = true;
    this.stats.container = name;
  }

  setEnvelope(name: string): void {
    if (this.envelopeSeen) return;
    this.envelopeSeen = true;
    this.stats.container = name;
  }

  take(): RawRecord[] {
    const o = this.out;
    this.out = [];
    return o;
  }
}
