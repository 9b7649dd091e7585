/**
 * The summary record's parts that do not depend on how the events were read: traffic tables with
 * the actors' alert counts and countries, one file's summary, and the record itself. Written for the
 * live runner (src/analyze/follow.ts) with the same rules as the batch run (src/analyze/run.ts), so
 * that `--follow` and a batch run over the same input summarise it alike.
 */
import type { GeoLookup } from '../enrich/types.js';
import type { FileStats, IngestIssue } from '../ingest/types.js';
import type { FileNormaliser } from '../normalise/index.js';
import type { StatsCollector, StatsResult } from '../stats/index.js';
import { SEVERITIES, severityRank, type Severity } from '../detect/types.js';
import { SCHEMA_VERSION, notAnalysed, type AlertRecord, type DetectorStatus, type FileSummary, type SummaryRecord } from '../report/records.js';
import { VERSION } from '../version.js';
import type { MapSuggester } from './map-suggestions.js';

/** Keys an alert's subject gives in the traffic tables' actor keys. */
export function subjectKeys(a: Pick<AlertRecord, 'subject'>): string[] {
  const keys: string[] = [];
  if (a.subject.user) keys.push(`user:${a.subject.user}`);
  if (a.subject.apiKey) keys.push(`key:${a.subject.apiKey}`);
  if (a.subject.ip) keys.push(`ip:${a.subject.ip}`);
  return keys;
}

/** The traffic tables, actors ranked with their alerts; countries located for actors without any. */
export function trafficTables(stats: StatsCollector, alerts: ReadonlyArray<Pick<AlertRecord, 'subject' | 'start'>>, tz: string, geo: GeoLookup): StatsResult {
  const alertsByActor = new Map<string, number>();
  for (const a of alerts) {
    for (const key of subjectKeys(a)) alertsByActor.set(key, (alertsByActor.get(key) ?? 0) + 1);
  }
  const traffic = stats.result(alertsByActor, tz, alerts.map((a) => Date.parse(a.start)));
  // Stats count the countries a log carries itself; for the rest, locate the actors' listed IPs.
  for (const a of traffic.actors) {
    if (a.countries.length > 0) continue;
    const found = new Set<string>();
    for (const ip of a.ips) {
      const c = geo(ip)?.country;
      if (c) found.add(c);
    }
    a.countries = [...found].sort();
  }
  return traffic;
}

export function fileSummary(path: string, stats: FileStats, normaliser: FileNormaliser, suggest?: MapSuggester): FileSummary {
  const det = normaliser.detection();
  const mapSuggestions = suggest?.(path, normaliser);
  return {
    path,
    format: det?.format ?? 'unknown',
    confidence: det?.confidence ?? 0,
    container: stats.container,
    gzip: stats.gzip,
    events: normaliser.events,
    malformed: stats.malformed,
    skipped: { ...stats.skipped, ...normaliser.skipped } as Record<string, number>,
    missingFields: normaliser.missingFields(),
    ...(mapSuggestions !== undefined ? { mapSuggestions } : {}),
    ...(normaliser.timesWithoutOffset > 0 ? { timesWithoutOffset: { events: normaliser.timesWithoutOffset, readIn: normaliser.inputTz } } : {}),
  };
}

export interface SummaryParts {
  partial: boolean;
  events: number;
  traffic: StatsResult;
  files: FileSummary[];
  /** The first issues met (the caller caps the list) and how many there were. */
  issues: IngestIssue[];
  issuesTotal: number;
  detectors: DetectorStatus[];
  /**
   * Every alert of the selected rules (--only, --skip), before --min-severity: the summary counts
   * them all ("before output filters"), so a report that shows fewer can say how many it hides.
   */
  alerts: AlertRecord[];
  entries: { flagged: number; written: number };
  baseline: SummaryRecord['baseline'];
  evictedActors: number;
  notes: string[];
}

export function buildSummary(p: SummaryParts): SummaryRecord {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byRule: Record<string, number> = {};
  for (const a of p.alerts) {
    bySeverity[a.severity]++;
    byRule[a.rule] = (byRule[a.rule] ?? 0) + 1;
  }
  const t = p.traffic;
  return {
    type: 'summary',
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'apilog', version: VERSION },
    partial: p.partial,
    events: p.events,
    timeSpan: t.timeSpan,
    files: p.files,
    issues: p.issues.map((i) => ({ kind: i.kind, file: i.file, ...(i.line ? { line: i.line } : {}), message: i.message })),
    issuesTotal: p.issuesTotal,
    detectors: p.detectors,
    alerts: { total: p.alerts.length, bySeverity, byRule },
    entries: p.entries,
    baseline: p.baseline,
    actors: t.actors,
    ...(t.otherActors !== undefined ? { otherActors: t.otherActors } : {}),
    topRoutes: t.topRoutes,
    ...(t.topFailedRoutes !== undefined ? { topFailedRoutes: t.topFailedRoutes } : {}),
    statuses: t.statuses,
    topIps: t.topIps,
    busiestWindows: t.busiestWindows,
    timeline: t.timeline,
    ...(t.timelineUnit !== undefined ? { timelineUnit: t.timelineUnit } : {}),
    ...(t.timeZone !== undefined ? { timeZone: t.timeZone } : {}),
    evictedActors: p.evictedActors,
    notes: p.notes,
  };
}

/**
 * The run's exit code (0, 1 for --fail-on, 3 for unreadable or unmappable input), adding to the
 * summary's notes when nothing was read. Input that was there but gave no event, a whole file or
 * all of it, is no clean result: it fails like unreadable input.
 */
export function finishRun(
  summary: SummaryRecord,
  /**
   * `gated`: the alerts --fail-on judges: every alert of the rules selected (--only, --skip),
   * whatever --min-severity hides from the report, so a display filter never opens the gate.
   */
  o: {
    gated: AlertRecord[];
    failOn?: Severity;
    /** --fail-on-empty: no event judged fails the gate (a log shipper that broke must not pass CI). */
    failOnEmpty?: boolean;
    unreadable: number;
    /** Records left out as repeats (not a time filter's doing). */
    repeated?: number;
  },
): number {
  const { events, files, notes } = summary;
  // Files count the events they mapped; the run, those within --from/--to/--since.
  const mapped = files.reduce((n, f) => n + f.events, 0) - (o.repeated ?? 0);
  if (mapped > events) {
    notes.push(
      `${mapped - events} of ${mapped} events fell outside the time filter (--from/--to/--since) and were left out` +
        (events === 0
          ? '; a time given without an offset is read in the --tz zone'
          : summary.detectors.length === 0
            ? '' // `apilog summary`: no detector judged anything, with or without them.
            : // A cut changes verdicts, not only the view: said, since a responder narrowing to "the
              // last day" may expect the same alerts, fewer.
              ": the detectors judged without them (an actor's earlier volume, places and hours count as no history); to keep that history, analyze the whole input and filter the alerts by time (e.g. jq 'select(.type==\"alert\" and .end >= \"…\")')"),
    );
  } else if (events === 0 && files.length > 0 && !files.some(notAnalysed)) {
    // Files with lines none of which mapped get their own note below.
    notes.push('no events were read: the input is empty');
  }
  let lost = o.unreadable > 0;
  const unmapped = files.filter(notAnalysed);
  if (events === 0 && unmapped.length > 0) {
    notes.push('no events could be mapped from the input: nothing was analysed (see `apilog formats detect <file>`)');
    lost = true;
  } else if (unmapped.length > 0) {
    const more = unmapped.length > 1 ? ` and ${unmapped.length - 1} more file${unmapped.length > 2 ? 's' : ''}` : '';
    notes.push(`no events could be mapped from ${unmapped[0]!.path}${more}: not analysed (see \`apilog formats detect <file>\`)`);
    lost = true;
  }
  // Lost input wins over --fail-on: the alerts are in the report either way.
  if (lost) return 3;
  if (o.failOnEmpty === true && events === 0) return 1;
  return o.failOn && o.gated.some((a) => severityRank(a.severity) >= severityRank(o.failOn!)) ? 1 : 0;
}
