import type { Severity } from '../detect/types.js';
import type { IngestLimits } from '../ingest/types.js';

export type OutputFormat = 'text' | 'json' | 'ndjson' | 'csv' | 'sarif';
export type EntriesMode = 'all' | 'flagged' | 'none';

/** Everything one `apilog analyze` run needs, already parsed and validated by the CLI. */
export interface AnalyzeOptions {
  inputs: string[];
  include: string[];
  exclude: string[];
  /** The report's file (-o): never read as an input, in a folder walked or named. */
  outputFile?: string;
  /** Force an input format id (else auto-detect per file). */
  logFormat?: string;
  /** canonical field -> source path. */
  map: Record<string, string>;
  /** IANA zone of timestamps that carry no UTC offset; absent = UTC. */
  inputTz?: string;
  limits: IngestLimits;
  strict: boolean;

  rulesPaths: string[];
  sigmaPaths: string[];
  geoipDb?: string;
  baselinePath?: string;

  /** Event-time filters, epoch ms. `sinceMs` is relative to the last event (or now with sinceNow). */
  from?: number;
  to?: number;
  sinceMs?: number;
  sinceNow: boolean;
  tz: string;

  minSeverity: Severity;
  only: string[];
  skip: string[];
  failOn?: Severity;
  /** Exit 1 when no event was judged (an empty or unmappable input, or a time filter that left none). */
  failOnEmpty?: boolean;
  entries: EntriesMode;
  /** Run detectors (false for `apilog summary`). */
  detect: boolean;
  /** Threads to share the analysis between (default 1); see src/analyze/lanes.ts. */
  threads?: number;
  /** --threads was given: use the threads even for a small input. */
  threadsExplicit?: boolean;
}

/** The user asked for something apilog cannot do as asked: exit 2 with this message. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** Input could not be read (or, with --strict, was malformed): exit 3. */
export class InputError extends Error {
  readonly exitCode = 3;
}

/** Whether --only/--skip let `rule` be shown: "sigma" selects every Sigma rule, otherwise exact ids. */
export function ruleSelected(rule: string, opts: Pick<AnalyzeOptions, 'only' | 'skip'>): boolean {
  const matches = (p: string): boolean => rule === p || (p === 'sigma' && rule.startsWith('sigma:'));
  if (opts.only.length > 0 && !opts.only.some(matches)) return false;
  return !opts.skip.some(matches);
}
