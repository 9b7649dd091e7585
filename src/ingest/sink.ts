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

/** Problem lines held with their messages (a gzip source's, until records or the end vouch for them). */
const MAX_HELD = 10_000;
/** Past MAX_HELD, lines held by kind and line number only (a damaged member decodes to many more). */
const MAX_HELD_COMPACT = 1_000_000;
/** Records in a row after held problem lines that show those were lines of their own, not damage. */
const VOUCHING_RUN = 50;
/** What a damaged gzip stream decodes to: lines that do not parse, or not as JSON (not a line read with bad bytes replaced). */
const DAMAGE_KINDS: readonly IngestIssueKind[] = ['malformed-json', 'not-json', 'line-too-long', 'too-deep'];
/** What a line held past MAX_HELD is said to be when released (its own text was not kept). */
const COMPACT_MESSAGE: Readonly<Record<string, string>> = {
  'malformed-json': 'malformed JSON (one of many lines held while a gzip file was checked; its text was not kept)',
  'not-json': 'not JSON (one of many lines held while a gzip file was checked; its text was not kept)',
  'line-too-long': 'line too long (one of many lines held while a gzip file was checked)',
  'too-deep': 'JSON nested too deep (one of many lines held while a gzip file was checked)',
};

interface HeldIssue {
  kind: IngestIssueKind;
  line: number | undefined;
  message: string;
}

export class Sink {
  out: RawRecord[] = [];
  /**
   * A gzip source's problem lines since its last run of VOUCHING_RUN records: held, since a damaged
   * stream decodes to garbage (with copies of earlier lines among it) before zlib notices, a failed
   * check coming at the end of a member; those lines are the damage, not lines of their own. A run
   * of records after them, or a clean end, releases them as they were; a gzip error folds them into
   * its own message (`foldHeld`).
   */
  private held: HeldIssue[] | null = null;
  /** Past MAX_HELD: each further held line's kind (its index in DAMAGE_KINDS) and line number. */
  private heldKinds: number[] = [];
  private heldLines: number[] = [];
  private recordsSinceHeld = 0;
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
    if (this.held !== null && this.held.length > 0 && ++this.recordsSinceHeld >= VOUCHING_RUN) this.releaseHeld();
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
    // (A line recognised as a text access log is no garbage: its advice is passed on as it comes.)
    const damage = this.held !== null && textLog === undefined ? DAMAGE_KINDS.indexOf(kind) : -1;
    if (damage >= 0) {
      if (this.heldKinds.length >= MAX_HELD_COMPACT) this.releaseHeld();
      const held = this.held!;
      if (held.length < MAX_HELD) held.push({ kind, line, message });
      else {
        this.heldKinds.push(damage);
        this.heldLines.push(line ?? 0);
      }
      this.recordsSinceHeld = 0;
      return;
    }
    this.report(kind, line, message, textLog);
  }

  /** From here on, problem lines are held until records or the end vouch for them (see `held`): a gzip source. */
  holdProblemLines(): void {
    this.held ??= [];
  }

  /** The held problem lines, reported as they were. */
  releaseHeld(): void {
    const held = this.held;
    if (held === null || held.length === 0) return;
    const kinds = this.heldKinds;
    const lines = this.heldLines;
    this.held = [];
    this.heldKinds = [];
    this.heldLines = [];
    for (const h of held) this.report(h.kind, h.line, h.message);
    for (let i = 0; i < kinds.length; i++) {
      const kind = DAMAGE_KINDS[kinds[i]!]!;
      this.report(kind, lines[i] || undefined, COMPACT_MESSAGE[kind]!);
    }
  }

  /** The held problem lines, taken as the damage a gzip error follows: how many, and the first one's line. */
  foldHeld(): { count: number; firstLine: number | undefined } {
    const held = this.held ?? [];
    const count = held.length + this.heldKinds.length;
    this.held = [];
    this.heldKinds = [];
    this.heldLines = [];
    return { count, firstLine: held[0]?.line };
  }

  private report(kind: IngestIssueKind, line: number | undefined, message: string, textLog?: string): void {
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
