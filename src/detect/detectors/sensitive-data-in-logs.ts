/**
 * sensitive-data-in-logs: secrets and personal data written into the logs themselves (CWE-532).
 *
 * Every string (and integer) of the raw record is scanned (src/hygiene/scanner.ts). Findings are
 * aggregated per (field path, kind) over the whole input: one alert each, with the count, the first
 * and last occurrence, masked examples and what to log instead. Evidence never holds a secret: masks
 * only (src/hygiene/mask.ts). Under --follow each (field, kind) is also reported when first seen.
 */
import type { EnrichedEvent } from '../../enrich/types.js';
import { lineRef } from '../../ingest/types.js';
import type { Alert, Detector, EvidenceSample } from '../types.js';
import { HygieneScanner, type Finding } from '../../hygiene/scanner.js';
import { KIND_INFO, SECRET_KINDS, type SecretKind } from '../../hygiene/kinds.js';
import { redactString } from '../../hygiene/redact.js';

export type SensitiveDataOptions = {
  /** Deepest nesting of the raw record that is scanned. */
  maxDepth: number;
  /** String characters scanned per record (KiB); the rest of a huge record is skipped and noted. */
  maxKiBPerRecord: number;
  /** Kinds not to report (e.g. ["session-cookie"]). */
  ignoreKinds: string[];
  /** Field paths not to report (exact, e.g. ["headers.x-request-signature"]). */
  ignoreFields: string[];
  /** Distinct (field, kind) pairs tracked; beyond this, new pairs are counted in a note only. */
  maxFindings: number;
};

interface Agg {
  field: string;
  kind: SecretKind;
  count: number;
  first: EvidenceSample;
  /** The latest occurrence (its mask is computed at the end: masks hash, so only when needed). */
  lastEvent: EnrichedEvent | null;
  lastFinding: Finding | null;
  firstTs: number;
  lastTs: number;
  masked: string[];
  params: Set<string>;
  detail: Record<string, string | number> | undefined;
  records: number;
  lastRecord: number;
}

/**
 * One occurrence, with the request it was in (path and client IP: who sent or caused it, without
 * opening the file).
 */
function sample(e: Pick<EnrichedEvent, 'ts' | 'source' | 'requestId' | 'method' | 'status' | 'path' | 'ip'>, note: string): EvidenceSample {
  const s: EvidenceSample = { time: e.ts, file: e.source.file, line: e.source.line, note };
  if (e.source.record !== undefined) s.record = e.source.record;
  if (e.requestId !== undefined) s.requestId = e.requestId;
  if (e.method !== undefined) s.method = e.method;
  // The secret may sit in the path itself (";jsessionid=…"): the evidence holds masks only.
  if (e.path !== undefined) s.path = redactString(e.path, 'path').value;
  if (e.status !== undefined) s.status = e.status;
  if (e.ip !== undefined) s.ip = e.ip;
  return s;
}

export const sensitiveDataInLogs: Detector<SensitiveDataOptions> = {
  meta: {
    id: 'sensitive-data-in-logs',
    title: 'Secrets and personal data in logs',
    description:
      'Tokens, keys, passwords, session cookies, card data and government ids written into the log records (masked in the report).',
    severity: 'high',
    references: [
      'CWE-532 Insertion of Sensitive Information into Log File',
      'CWE-598 Use of GET Request Method With Sensitive Query Strings',
      'OWASP Logging Cheat Sheet: Data to exclude',
      'PCI DSS v4.0 3.3.1, 3.4.1, 3.5.1',
    ],
    readsRecord: true,
    options: { maxDepth: 16, maxKiBPerRecord: 256, ignoreKinds: [], ignoreFields: [], maxFindings: 1000 },
    // Findings span the whole input; merging is by (field, kind), which the subject already separates.
    mergeGapMs: () => Number.MAX_SAFE_INTEGER,
  },

  create(ctx) {
    const o = ctx.options;
    const ignoreKinds = new Set(o.ignoreKinds);
    for (const k of ignoreKinds) {
      if (!(SECRET_KINDS as readonly string[]).includes(k)) ctx.note(`ignoreKinds names "${k}", which is not a kind (known: ${SECRET_KINDS.join(', ')})`);
    }
    const ignoreFields = new Set(o.ignoreFields);
    const scanner = new HygieneScanner({ maxDepth: o.maxDepth, maxBytes: o.maxKiBPerRecord * 1024 });
    const aggs = new Map<string, Agg>();
    let dropped = 0;
    let truncated = 0;
    let recordNo = 0;
    let current: EnrichedEvent | null = null;
    let last: Agg | null = null;

    const onFinding = (f: Finding): void => {
      const e = current!;
      if (ignoreKinds.has(f.kind) || ignoreFields.has(f.field)) return;
      if (f.kind === 'aws-access-key' && namesAccessKeyId(f.field)) return;
      if (f.field === CLOUDTRAIL_API_KEY_ID) return;
      // Most records repeat the same few findings (a session-id field in every record): remember the last.
      let a = last !== null && last.field === f.field && last.kind === f.kind ? last : undefined;
      const key = a ? '' : `${f.field}\u0000${f.kind}`;
      if (!a) a = aggs.get(key);
      if (!a) {
        if (aggs.size >= o.maxFindings) {
          dropped++;
          return;
        }
        const s = sample(e, f.masked);
        a = {
          field: f.field,
          kind: f.kind,
          count: 0,
          first: s,
          lastEvent: null,
          lastFinding: null,
          firstTs: e.ts,
          lastTs: e.ts,
          masked: [],
          params: new Set(),
          detail: f.detail,
          records: 0,
          lastRecord: -1,
        };
        aggs.set(key, a);
      }
      last = a;
      a.count++;
      if (a.lastRecord !== recordNo) {
        a.records++;
        a.lastRecord = recordNo;
      }
      if (e.ts < a.firstTs) {
        a.firstTs = e.ts;
        a.first = sample(e, f.masked);
      }
      if (e.ts >= a.lastTs && a.count > 1) {
        a.lastTs = e.ts;
        a.lastEvent = e;
        a.lastFinding = f;
      }
      if (a.masked.length < 3 && a.count <= 50 && !a.masked.includes(f.masked)) a.masked.push(f.masked);
      if (f.param !== undefined && a.params.size < 10) a.params.add(f.param);
      // Live, a secret reaching the logs is alerted when it is first seen, not at Ctrl-C; the
      // aggregate at the end is handed out again under the same id (merged: same rule and subject).
      if (ctx.live && a.count === 1) ctx.report(toAlert(a));
    };

    return {
      event(e) {
        if (e.raw === undefined || e.raw === null) return;
        current = e;
        recordNo++;
        scanner.scanRecord(e.raw, onFinding);
        if (scanner.truncated) truncated++;
        current = null;
      },
      end() {
        if (truncated > 0) {
          ctx.note(`${truncated} records were larger or deeper than the scan limits (maxKiBPerRecord ${o.maxKiBPerRecord}, maxDepth ${o.maxDepth}); their remainder was not scanned`);
        }
        if (dropped > 0) ctx.note(`${dropped} findings in further (field, kind) pairs beyond maxFindings ${o.maxFindings} were not reported`);
        const list = [...aggs.values()].sort((a, b) => a.firstTs - b.firstTs || (a.field < b.field ? -1 : 1));
        for (const a of list) ctx.report(toAlert(a));
      },
    };
  },
};

/**
 * A field named for an access key id (CloudTrail's `userIdentity.accessKeyId`, S3's
 * `AWSAccessKeyId`) holding one: the key's identifier, which AWS logs by design and which grants
 * nothing without its secret key (that one is found wherever it appears). Every CloudTrail record
 * had raised a high alert. An `AKIA…` value anywhere else (a user id, a query, a header) still is.
 */
function namesAccessKeyId(field: string): boolean {
  const dot = field.lastIndexOf('.');
  const name = field.slice(dot + 1).replace(/[^a-z]/gi, '').toLowerCase();
  return name.endsWith('accesskeyid');
}

/**
 * CloudTrail's record of an API Gateway key call (GetApiKey, UpdateApiKey, DeleteApiKey) names the
 * key by its id in `requestParameters.apiKey`; CloudTrail never logs the key's value. It had been
 * alerted as an API key by its field name.
 */
const CLOUDTRAIL_API_KEY_ID = 'requestParameters.apiKey';

function toAlert(a: Agg): Alert {
  const info = KIND_INFO[a.kind];
  const where = a.params.size > 0 ? `${a.field} (${[...a.params].join(', ')})` : a.field || '(record)';
  const at = (s: EvidenceSample): string => `${s.file}:${lineRef(s.line, s.record)}`;
  const last = a.lastEvent && a.lastFinding ? sample(a.lastEvent, a.lastFinding.masked) : null;
  const samples = last && (last.file !== a.first.file || last.line !== a.first.line || last.record !== a.first.record) ? [a.first, last] : [a.first];
  const evidence: Alert['evidence'] = {
    metrics: { occurrences: a.count, records: a.records, field: a.field || '(record)', kind: a.kind },
    thresholds: { occurrences: 1 },
    samples,
    firstSeen: at(a.first),
    lastSeen: at(samples[samples.length - 1]!),
    masked: a.masked,
    guidance: info.guidance,
    category: info.category,
  };
  if (a.params.size > 0) evidence.parameters = [...a.params];
  if (a.detail) evidence.detail = a.detail;
  const alert: Alert = {
    rule: 'sensitive-data-in-logs',
    severity: info.severity,
    title: `${info.title} in logs: ${where}`,
    // The subject is where the data sits: one alert per (field, kind).
    subject: { field: `${a.field || '(record)'} [${a.kind}]` },
    start: a.firstTs,
    end: a.lastTs,
    summary: `${info.title} found ${a.count} time${a.count === 1 ? '' : 's'} in ${a.records} record${a.records === 1 ? '' : 's'}, field ${where}; first at ${at(a.first)}${a.count > 1 ? `, last at ${at(samples[samples.length - 1]!)}` : ''}. Instead: ${info.guidance}.`,
    severityReason:
      a.kind === 'session-id'
        ? 'a raw value in a session-id field: low; it may be an opaque reference, but if it is the session cookie anyone reading the log can replay the session'
        : info.category === 'personal'
        ? 'government identifier (personal data): medium; it identifies a person but grants no access by itself'
        : info.category === 'payment'
          ? 'payment card data must never be stored in logs (PCI DSS 3.3.1/3.5.1): high'
          : 'a readable credential, token or key lets anyone with log access act as its owner: high',
    evidence,
    references: info.references,
  };
  return alert;
}
