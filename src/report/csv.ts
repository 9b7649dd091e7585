/**
 * CSV (RFC 4180): comma-separated, CRLF line ends, fields quoted when they hold a comma or a
 * double quote (doubled inside). Log values are hostile: a cell that would start a spreadsheet
 * formula (`=`, `+`, `-`, `@`, also after leading whitespace, or starting with tab / CR) is
 * prefixed with `'`, and control / bidi characters are shown escaped (`\x1b`, `\n`, `\u202e`).
 */
import type { AlertRecord, EntryRecord } from './records.js';
import type { Report } from './options.js';
import { sanitize } from './sanitize.js';
import { lineRef } from '../ingest/types.js';
import { alertFingerprint } from './sarif.js';
import { alertOrigin } from './alert-origin.js';

export const ALERT_CSV_COLUMNS = [
  'id',
  'severity',
  'rule',
  'title',
  'start',
  'end',
  'duration_s',
  'user',
  'api_key',
  'ip',
  'user_agent',
  'session',
  'route',
  'field',
  'summary',
  'severity_reason',
  'metrics',
  'thresholds',
  'samples',
  'evidence',
  'references',
  'sigma_id',
  'fingerprint',
  // Last, so that the columns before them keep their places for scripts written before them.
  'related',
  'origin_ips',
  'origin_api_keys',
] as const;

export const ENTRY_CSV_COLUMNS = [
  'time',
  'severity',
  'user',
  'api_key',
  'ip',
  'user_agent',
  'session',
  'route',
  'roles',
  'method',
  'path',
  'template',
  'query',
  'status',
  'bytes_out',
  'latency_ms',
  'request_id',
  'flags',
  'alerts',
  'file',
  'line',
  'notable',
  'record',
] as const;

const FORMULA = /^(?:[\t\r]|\s*[=+\-@])/;

/**
 * Standard input, which the records name `-`, as SARIF names it: a cell starting with `-` is taken
 * for a formula and neutralised (`'-:17`), where `stdin:17` reads as what it is.
 */
function fileName(file: string): string {
  return file === '-' ? 'stdin' : file;
}

/** One CSV cell: formula-neutralised, control characters escaped, quoted when needed. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const raw = String(value);
  let s = sanitize(raw);
  if (FORMULA.test(raw) || FORMULA.test(s)) s = "'" + s;
  return /[",]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

/** `k=v; k=v` for metric / threshold maps. */
export function keyValues(map: Record<string, unknown> | undefined): string {
  if (!map) return '';
  return Object.entries(map)
    .map(([k, v]) => `${k}=${v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');
}

function alertRow(a: AlertRecord): unknown[] {
  const start = Date.parse(a.start);
  const end = Date.parse(a.end);
  const samples = a.evidence.samples ?? [];
  const origin = alertOrigin(a);
  return [
    a.id,
    a.severity,
    a.rule,
    a.title,
    a.start,
    a.end,
    Number.isFinite(end - start) ? Math.round((end - start) / 1000) : undefined,
    a.subject.user,
    a.subject.apiKey,
    a.subject.ip,
    a.subject.userAgent,
    a.subject.session,
    a.subject.route,
    a.subject.field,
    a.summary,
    a.severityReason,
    keyValues(a.evidence.metrics),
    keyValues(a.evidence.thresholds),
    samples.length,
    samples.map((s) => `${fileName(s.file)}:${lineRef(s.line, s.record)}`).join('; '),
    a.references.join('; '),
    a.sigma?.id,
    a.fingerprint ?? alertFingerprint(a),
    (a.related ?? []).map((r) => `${r.id} ${r.relation}`).join('; '),
    origin.ips.map(([ip, n]) => (origin.ipsFrom === 'requests' ? `${ip} ${n}` : `${ip} ${n}/${origin.samples}`)).join('; '),
    origin.keys.map(([key, n]) => `${key} ${n}/${origin.samples}`).join('; '),
  ];
}

function entryRow(e: EntryRecord): unknown[] {
  const r = e.request;
  const notable = Object.entries(e.answers)
    .filter(([, ans]) => ans?.notable)
    .map(([q, ans]) => `${q}: ${ans?.answer ?? ''}`)
    .join(' | ');
  return [
    e.time,
    e.severity,
    e.subject.user,
    e.subject.apiKey,
    e.subject.ip,
    // Entries carry the user agent of the request; the subject's is the fallback.
    r.userAgent ?? e.subject.userAgent,
    e.subject.session,
    e.subject.route,
    e.subject.roles?.join('; '),
    r.method,
    r.path,
    r.template,
    r.query,
    r.status,
    r.bytesOut,
    r.latencyMs,
    r.requestId,
    e.flags.join('; '),
    e.alerts.join('; '),
    fileName(e.source.file),
    e.source.line,
    notable,
    e.source.record,
  ];
}

/** The CSV of alerts (default) or entries, header first. */
export function* csvChunks(report: Report, of: 'alerts' | 'entries' = 'alerts'): Generator<string> {
  if (of === 'entries') {
    yield csvRow(ENTRY_CSV_COLUMNS);
    for (const e of report.entries) yield csvRow(entryRow(e));
  } else {
    yield csvRow(ALERT_CSV_COLUMNS);
    for (const a of report.alerts) yield csvRow(alertRow(a));
  }
}
