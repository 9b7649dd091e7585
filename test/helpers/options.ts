import type { AnalyzeOptions } from '../../src/analyze/options.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/types.js';

/** AnalyzeOptions as the CLI gives them with no flags, for the inputs given, with `extra` on top. */
export function analyzeOptions(inputs: string[], extra: Partial<AnalyzeOptions> = {}): AnalyzeOptions {
  return {
    inputs,
    include: [],
    exclude: [],
    map: {},
    limits: DEFAULT_INGEST_LIMITS,
    strict: false,
    rulesPaths: [],
    sigmaPaths: [],
    sinceNow: false,
    tz: 'UTC',
    minSeverity: 'info',
    only: [],
    skip: [],
    entries: 'flagged',
    detect: true,
    ...extra,
  };
}
