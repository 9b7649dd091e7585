/**
 * Output contract: every record apilog writes in json/ndjson/csv/sarif is one of these.
 * Times are ISO 8601 UTC strings. The JSON Schemas in schema/ describe the same shapes.
 */
import type { AlertRelation, Evidence, Severity, Subject } from '../detect/types.js';

export const SCHEMA_VERSION = '1.5.0';

export interface AlertRecord {
  type: 'alert';
  /** Stable within a run: "A1", "A2"... in report order. */
  id: string;
  rule: string;
  severity: Severity;
  title: string;
  subject: Subject;
  start: string;
  end: string;
  summary: string;
  severityReason: string;
  evidence: Evidence;
  references: string[];
  sigma?: { id: string; title: string; tags?: string[] };
  /**
   * Other alerts of the same run this one is linked to, by id, and how: `follows-takeover` when this
   * alert's activity began soon after the linked alert's likely takeover of the same account (see
   * detect/correlate.ts). Absent when there is none.
   */
  related?: Array<{ id: string; relation: AlertRelation }>;
  /**
   * Where the requests came from when the subject does not say (report/alert-origin.ts): the
   * addresses the evidence counted (`requests`) or the samples name (`samples`, of `samples`), and
   * the API keys (masked) the samples were made with. Set on the records a run hands out, when
   * there is something to add to the subject.
   */
  origin?: {
    ips?: Array<{ ip: string; requests?: number; samples?: number }>;
    apiKeys?: Array<{ apiKey: string; samples: number }>;
    samples: number;
  };
  /**
   * The same incident in another run, whatever its id: sha256 of the rule, the subject as shown and
   * the start (SARIF's partialFingerprints `apilogAlert/v1`). Set on the records a run hands out.
   */
  fingerprint?: string;
}

/** Answers to the ten questions for one entry; each answer is a short sentence plus facts. */
export interface ChecklistAnswer {
  answer: string;
  notable: boolean;
  facts?: Record<string, unknown>;
}

export interface EntryRecord {
  type: 'entry';
  time: string;
  subject: Subject & { roles?: readonly string[] };
  request: {
    method?: string;
    path?: string;
    template?: string;
    query?: string;
    status?: number;
    bytesOut?: number;
    latencyMs?: number;
    requestId?: string;
    userAgent?: string;
  };
  flags: string[];
  answers: Partial<Record<ChecklistQuestion, ChecklistAnswer>>;
  severity: Severity;
  /** Ids of the alerts this entry belongs to. */
  alerts: string[];
  /** `record`: the entry's place on its line, from the second on (a CloudTrail file as S3 stores it is one line). */
  source: { file: string; line: number; record?: number };
}

export const CHECKLIST_QUESTIONS = [
  'who', 'when', 'where', 'what', 'howOften', 'modifications', 'status', 'pattern', 'permissions', 'fit',
] as const;
export type ChecklistQuestion = (typeof CHECKLIST_QUESTIONS)[number];

export interface FileSummary {
  path: string;
  format: string;
  /** 0..1: share of sampled records that matched the chosen format. */
  confidence: number;
  container: string;
  gzip: boolean;
  events: number;
  malformed: number;
  skipped: Record<string, number>;
  /** Canonical fields this file never carried. */
  missingFields: string[];
  /**
   * Missing fields that a key of the file's records probably holds (as `apilog formats detect` says),
   * with the key's path: `--map field=path` maps it. Absent when none does.
   */
  mapSuggestions?: Array<{ field: string; path: string }>;
  /** Present when some timestamps carried no UTC offset: how many, and the zone they were read in (--input-tz, else UTC). */
  timesWithoutOffset?: { events: number; readIn: string };
}

/**
 * A file with lines of which none mapped: it was not analysed, which is lost input (exit 3) alone or
 * among others, so that a service whose log format changed does not pass CI because its neighbours
 * still map. An empty file is no loss.
 */
export function notAnalysed(f: FileSummary): boolean {
  return f.events === 0 && (f.malformed > 0 || Object.values(f.skipped).some((n) => n > 0));
}

export interface DetectorStatus {
  id: string;
  status: 'ran' | 'unavailable' | 'disabled';
  reason?: string;
  alerts: number;
  notes?: string[];
}

export interface ActorSummary {
  actor: string;
  user?: string;
  apiKey?: string;
  ip?: string;
  firstSeen: string;
  lastSeen: string;
  requests: number;
  successes: number;
  failures: number;
  countries: string[];
  ips: string[];
  userAgents: string[];
  alerts: number;
  /**
   * Distinct values beyond the ones listed in `ips` / `userAgents` / `countries` ("+N more").
   * `atLeast` is true when tracking stopped at its cap, so `count` is a lower bound.
   */
  more?: { ips?: DistinctOverflow; userAgents?: DistinctOverflow; countries?: DistinctOverflow };
}

export interface DistinctOverflow {
  count: number;
  atLeast: boolean;
}

export interface CountRow {
  key: string;
  count: number;
}

export interface TimelineBucket {
  start: string;
  events: number;
  alerts: number;
}

export interface SummaryRecord {
  type: 'summary';
  schemaVersion: string;
  tool: { name: 'apilog'; version: string };
  /** True when the run was interrupted and this report covers only what was read. */
  partial: boolean;
  events: number;
  timeSpan: { start: string; end: string } | null;
  files: FileSummary[];
  /** The first issues met (malformed lines, unreadable files), and how many in all. */
  issues: Array<{ kind: string; file: string; line?: number; message: string }>;
  issuesTotal: number;
  detectors: DetectorStatus[];
  alerts: { total: number; bySeverity: Record<Severity, number>; byRule: Record<string, number> };
  entries: { flagged: number; written: number };
  baseline: { origin: 'file' | 'input' | 'none'; path?: string };
  actors: ActorSummary[];
  topRoutes: CountRow[];
  /** The route templates with the most failed requests (4xx/5xx or a failed authentication), most first (since 1.5.0). */
  topFailedRoutes?: CountRow[];
  statuses: CountRow[];
  topIps: CountRow[];
  /** Busiest fixed 5-minute windows (UTC-aligned), most events first. `end` is exclusive. */
  busiestWindows: Array<{ start: string; events: number; end?: string }>;
  timeline: TimelineBucket[];
  /** Width of each timeline bucket: hours, or days when the span is longer than three days. */
  timelineUnit?: 'hour' | 'day';
  /** IANA time zone the timeline buckets are aligned to (local hours / midnights). */
  timeZone?: string;
  /** Traffic of the actors not listed in `actors` (beyond the list length or dropped at the tracking cap). */
  otherActors?: { actors: number; requests: number; successes: number; failures: number };
  /** How long the run took, when the orchestrator measured it. */
  run?: { elapsedMs: number; eventsPerSecond?: number; peakRssBytes?: number };
  /** Actors whose state was dropped at the tracking cap. */
  evictedActors: number;
  notes: string[];
}

export type OutputRecord = AlertRecord | EntryRecord | SummaryRecord;
