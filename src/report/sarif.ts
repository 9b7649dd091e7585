/**
 * SARIF 2.1.0: one run; tool.driver lists the rules that produced alerts; one result per alert.
 * Levels: critical/high -> error, medium -> warning, low/info -> note. Locations are the evidence
 * samples (file and line). partialFingerprints give a stable identity for de-duplication across
 * runs: rule + subject + window start.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Severity } from '../detect/types.js';
import { notAnalysed, type AlertRecord } from './records.js';
import type { Report } from './options.js';
import { safeJson } from './sanitize.js';
import { wellFormed } from '../util/text.js';
import { losesInput } from '../ingest/types.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Name of the partial fingerprint apilog sets (versioned so a change of recipe is visible). */
export const SARIF_FINGERPRINT = 'apilogAlert/v1';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export function sarifLevel(s: Severity): SarifLevel {
  switch (s) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    default:
      return 'note';
  }
}

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** `security-severity` per apilog severity, in the middle of GitHub's bands (info: none). */
const SECURITY_SEVERITY: Record<Severity, string> = { info: '0.0', low: '3.0', medium: '5.5', high: '8.0', critical: '9.5' };

/** "bola-enumeration" -> "BolaEnumeration" (SARIF rule names are meant to be identifiers). */
export function ruleName(id: string): string {
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .filter((x) => x)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return name || 'Rule';
}

/** An artifact URI for a log path: relative paths as relative URI references, absolute ones as file: URLs. */
export function artifactUri(file: string): string {
  if (file === '-') return 'stdin';
  if (path.isAbsolute(file)) return pathToFileURL(file).href;
  return file
    .split(/[\\/]/)
    .map((seg) => encodeURIComponent(wellFormed(seg)))
    .join('/');
}

/** Stable identity of an alert across runs: rule, subject (sorted keys), window start. */
export function alertFingerprint(a: AlertRecord): string {
  const subject = Object.entries(a.subject)
    .filter(([, v]) => v !== undefined)
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\u0000');
  return createHash('sha256').update(`${a.rule}\u0001${subject}\u0001${a.start}`).digest('hex');
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  helpUri?: string;
  properties?: Record<string, unknown>;
}

export function buildSarif(report: Report): Record<string, unknown> {
  const s = report.summary;
  const rules: SarifRule[] = [];
  const index = new Map<string, number>();
  const worst = new Map<string, Severity>();
  for (const a of report.alerts) {
    const prev = worst.get(a.rule);
    if (!prev || RANK[a.severity] > RANK[prev]) worst.set(a.rule, a.severity);
  }
  for (const a of report.alerts) {
    if (index.has(a.rule)) continue;
    index.set(a.rule, rules.length);
    const rule: SarifRule = {
      id: a.rule,
      name: ruleName(a.rule),
      shortDescription: { text: a.sigma?.title ?? a.title },
      defaultConfiguration: { level: sarifLevel(worst.get(a.rule) ?? a.severity) },
    };
    const help = a.references.find((r) => /^https?:\/\//i.test(r));
    if (help) rule.helpUri = help;
    // GitHub code scanning ranks security results by the rule's `security-severity` (a CVSS-like
    // score: 9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low) and lists them as such only with a
    // `security` tag; the score is that of the worst alert of the rule in this run.
    const props: Record<string, unknown> = { tags: ['security', ...(a.sigma?.tags ?? [])], 'security-severity': SECURITY_SEVERITY[worst.get(a.rule) ?? a.severity] };
    if (a.references.length > 0) props.references = a.references;
    if (a.sigma) props.sigma = a.sigma;
    rule.properties = props;
    rules.push(rule);
  }

  const results = report.alerts.map((a) => {
    const locations = (a.evidence.samples ?? [])
      .filter((sm) => typeof sm.file === 'string' && sm.file !== '')
      .map((sm) => {
        const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: artifactUri(sm.file) } };
        if (Number.isInteger(sm.line) && sm.line >= 1) physicalLocation.region = { startLine: sm.line };
        return { physicalLocation };
      });
    const result: Record<string, unknown> = {
      ruleId: a.rule,
      ruleIndex: index.get(a.rule) ?? 0,
      level: sarifLevel(a.severity),
      message: { text: a.summary || a.title },
      partialFingerprints: { [SARIF_FINGERPRINT]: a.fingerprint ?? alertFingerprint(a) },
      properties: {
        alertId: a.id,
        severity: a.severity,
        title: a.title,
        subject: a.subject,
        start: a.start,
        end: a.end,
        severityReason: a.severityReason,
        metrics: a.evidence.metrics,
        thresholds: a.evidence.thresholds,
        // The alerts this one is linked to, by alertId: a dashboard can chain them.
        ...(a.related !== undefined && a.related.length > 0 ? { related: a.related } : {}),
      },
    };
    if (locations.length > 0) result.locations = locations;
    return result;
  });

  const notifications = s.detectors
    .filter((d) => d.status === 'unavailable')
    .map((d) => ({
      level: 'warning',
      message: { text: `${d.id} could not run${d.reason ? `: ${d.reason}` : ''}` },
      descriptor: { id: d.id },
    }));
  // Input problems, so that a dashboard sees what the exit code says: input lost in whole or in
  // part (exit 3) is an error and the run not successful; skipped lines are warnings.
  const unmapped = s.files.filter(notAnalysed);
  const lost = unmapped.length > 0 || s.issues.some((i) => losesInput(i.kind));
  const execution = s.issues.map((i) => {
    const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: artifactUri(i.file) } };
    if (i.line !== undefined && Number.isInteger(i.line) && i.line >= 1) physicalLocation.region = { startLine: i.line };
    return {
      level: losesInput(i.kind) ? 'error' : 'warning',
      message: { text: `${i.kind}: ${i.message}` },
      locations: [{ physicalLocation }],
    };
  });
  if (s.issuesTotal > s.issues.length) {
    execution.push({
      level: 'note',
      message: { text: `${s.issuesTotal - s.issues.length} more input issues (the report's summary counts them)` },
      locations: [],
    });
  }
  // A file none of whose lines mapped: its lines are warnings, the file's loss (exit 3) an error, first.
  execution.unshift(
    ...unmapped.map((f) => ({
      level: 'error',
      message: { text: `not-analysed: no events could be mapped from ${f.path} (\`apilog formats detect\` shows why)` },
      locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(f.path) } } }],
    })),
  );
  const invocation: Record<string, unknown> = { executionSuccessful: !s.partial && !lost };
  if (notifications.length > 0) invocation.toolConfigurationNotifications = notifications;
  if (execution.length > 0) invocation.toolExecutionNotifications = execution;

  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'apilog',
            version: s.tool.version,
            semanticVersion: /^\d+\.\d+\.\d+/.test(s.tool.version) ? s.tool.version : undefined,
            rules,
          },
        },
        invocations: [invocation],
        results,
        properties: {
          schemaVersion: s.schemaVersion,
          partial: s.partial,
          events: s.events,
          timeSpan: s.timeSpan,
        },
      },
    ],
  };
}

export function* sarifChunks(report: Report): Generator<string> {
  yield safeJson(buildSarif(report), 2) + '\n';
}
