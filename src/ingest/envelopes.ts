/**
 * Structural envelopes: wrappers that carry log records but are not log records themselves.
 * Ingest peels them so that normalise sees one access-log record per RawRecord.
 *
 *   CloudTrail / S3     {"Records":[ … ]}                                   -> each element
 *   CloudTrail lookup   {"Events":[{EventId,…,CloudTrailEvent:"{…}"}]}      -> each element
 *   Azure diagnostics   {"records":[ {…} ]}                                 -> each element
 *   CloudWatch          {"logEvents":[{id,timestamp,message}]} (subscription)
 *                       {"events":[{timestamp,message,logStreamName}]} (filter-log-events)
 *                                                                           -> JSON.parse(message), or the element
 *   OTLP/JSON           {"resourceLogs":[…]} / {"resourceSpans":[…]}       -> one flat object per logRecord / span
 *   EventBridge         {"detail-type":…,"source":…,"detail":{…}}           -> detail
 *
 * The same rules apply to a whole parsed value (an NDJSON line, a small document) and to the
 * streaming framer (src/ingest/document.ts), which asks `envelopeForKey` / `elementConfirms`.
 */

import type { Sink } from './sink.js';
import { flattenResourceLogs, flattenResourceSpans } from './otlp.js';
import { exceedsDepth } from './depth.js';

export type EnvelopeName =
  | 'cloudtrail-records'
  | 'azure-records'
  | 'cloudwatch-events'
  | 'otlp-logs'
  | 'otlp-spans'
  | 'eventbridge';

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Array-valued keys that make a top-level object an envelope, in the order a whole value is checked. */
const ENVELOPE_KEYS: ReadonlyArray<readonly [string, EnvelopeName]> = [
  ['resourceLogs', 'otlp-logs'],
  ['resourceSpans', 'otlp-spans'],
  ['Records', 'cloudtrail-records'],
  ['logEvents', 'cloudwatch-events'],
  ['records', 'azure-records'],
  ['events', 'cloudwatch-events'],
  ['Events', 'cloudtrail-records'],
];
const ENVELOPE_BY_KEY: ReadonlyMap<string, EnvelopeName> = new Map(ENVELOPE_KEYS);

/**
 * Keys distinctive enough that an array under them at the top of an object is an envelope without
 * looking at the elements. `records`, `events` and `Events` are common words, so their first
 * element decides.
 */
const STRONG_KEYS: ReadonlySet<string> = new Set(['resourceLogs', 'resourceSpans', 'Records', 'logEvents']);

/** Other top-level keys an envelope with an empty weak array may have. */
const WEAK_EMPTY_ALLOWED: Readonly<Record<string, ReadonlySet<string>>> = {
  records: new Set(['records']),
  events: new Set(['events', 'searchedLogStreams', 'nextToken', 'ResponseMetadata']),
  Events: new Set(['Events', 'NextToken']),
};

/** Top-level scalar keys whose values the streaming framer keeps for envelope context. */
export const ENVELOPE_META_KEYS: ReadonlySet<string> = new Set(['messageType', 'logGroup', 'logStream', 'owner']);

export function envelopeForKey(key: string): EnvelopeName | undefined {
  return ENVELOPE_BY_KEY.get(key);
}

export function isStrongKey(key: string): boolean {
  return STRONG_KEYS.has(key);
}

/** For a weak key (`records`, `events`): does this first element make the array an envelope? */
export function elementConfirms(key: string, first: unknown): boolean {
  if (STRONG_KEYS.has(key)) return true;
  if (key === 'records') return isObj(first);
  if (key === 'events') return isObj(first) && typeof first.message === 'string';
  // `aws cloudtrail lookup-events`: each event carries the CloudTrail record as a JSON string.
  if (key === 'Events') return isObj(first) && typeof first.CloudTrailEvent === 'string';
  return false;
}

/** Which key of a whole object makes it an envelope, if any. */
export function envelopeKeyOf(o: Obj): string | undefined {
  for (const [key] of ENVELOPE_KEYS) {
    const arr = o[key];
    if (!Array.isArray(arr)) continue;
    if (STRONG_KEYS.has(key)) return key;
    if (arr.length === 0) {
      const allowed = WEAK_EMPTY_ALLOWED[key];
      if (allowed !== undefined && Object.keys(o).every((k) => allowed.has(k))) return key;
      continue;
    }
    if (elementConfirms(key, arr[0])) return key;
  }
  return undefined;
}

function isEventBridge(o: Obj): boolean {
  return isObj(o.detail) && typeof o['detail-type'] === 'string' && typeof o.source === 'string';
}

/** Scalar string/number fields of an envelope, under the names given. */
function pickFields(o: Obj, names: ReadonlyArray<readonly [string, string]>, into?: Record<string, string | number>): Record<string, string | number> | undefined {
  let out = into;
  for (const [from, to] of names) {
    const v = o[from];
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) {
      out ??= {};
      out[to] = v;
    }
  }
  return out;
}

const EVENTBRIDGE_FIELDS = [
  ['time', 'time'],
  ['region', 'region'],
  ['account', 'account'],
  ['detail-type', 'detailType'],
  ['source', 'source'],
] as const;
const CW_EVENT_FIELDS = [
  ['timestamp', 'timestamp'],
  ['logStreamName', 'logStream'],
] as const;

/** Deepest envelope-in-envelope nesting followed (a CloudWatch message holding an EventBridge event, …). */
const MAX_NESTING = 3;

/**
 * Emit one parsed value: peel envelopes, expand a top-level array into its elements, otherwise emit
 * the value as it is.
 */
export function emitValue(sink: Sink, v: unknown, line: number, nesting = 0): void {
  if (Array.isArray(v)) {
    if (nesting > 0) {
      sink.emit(v, line);
      return;
    }
    for (const el of v) emitValue(sink, el, line, 1);
    return;
  }
  if (!isObj(v) || nesting > MAX_NESTING) {
    sink.emit(v, line);
    return;
  }
  // Cheap test first: most records are plain access-log objects.
  if (
    v.resourceLogs === undefined &&
    v.resourceSpans === undefined &&
    v.Records === undefined &&
    v.logEvents === undefined &&
    v.records === undefined &&
    v.events === undefined &&
    v.Events === undefined &&
    v.detail === undefined
  ) {
    sink.emit(v, line);
    return;
  }
  const key = envelopeKeyOf(v);
  if (key !== undefined) {
    const name = ENVELOPE_BY_KEY.get(key) as EnvelopeName;
    sink.setEnvelope(name);
    const meta: Obj = {};
    for (const k of ENVELOPE_META_KEYS) if (typeof v[k] === 'string') meta[k] = v[k];
    const env = new EnvelopeStream(sink, key, meta, nesting);
    for (const el of v[key] as unknown[]) env.element(el, line);
    return;
  }
  if (isEventBridge(v)) {
    sink.setEnvelope('eventbridge');
    emitEventBridge(sink, v, line, undefined, nesting);
    return;
  }
  sink.emit(v, line);
}

function emitEventBridge(sink: Sink, v: Obj, line: number, outer: Record<string, string | number> | undefined, _nesting: number): void {
  const fields = pickFields(v, EVENTBRIDGE_FIELDS, outer ? { ...outer } : undefined);
  sink.emit(v.detail, line, 'eventbridge', fields);
}

/**
 * Handles the elements of one envelope array, one at a time (the streaming framer calls `element`
 * as each element is parsed; a whole value calls it in a loop).
 */
export class EnvelopeStream {
  readonly name: EnvelopeName;
  private readonly skipAll: boolean;
  private readonly logGroup: string | undefined;
  private readonly logStream: string | undefined;

  constructor(
    private readonly sink: Sink,
    readonly key: string,
    meta: Obj,
    private readonly nesting = 0,
  ) {
    this.name = ENVELOPE_BY_KEY.get(key) as EnvelopeName;
    // CloudWatch subscription health checks carry no log data.
    this.skipAll = key === 'logEvents' && meta.messageType === 'CONTROL_MESSAGE';
    this.logGroup = typeof meta.logGroup === 'string' ? meta.logGroup : undefined;
    this.logStream = typeof meta.logStream === 'string' ? meta.logStream : undefined;
  }

  element(el: unknown, line: number): void {
    if (this.skipAll) return;
    switch (this.name) {
      case 'otlp-logs':
        flattenResourceLogs(el, (rec) => this.sink.emit(rec, line, 'otlp-logs'));
        return;
      case 'otlp-spans':
        flattenResourceSpans(el, (rec) => this.sink.emit(rec, line, 'otlp-spans'));
        return;
      case 'cloudwatch-events':
        this.cloudWatch(el, line);
        return;
      default:
        this.sink.emit(el, line, this.name);
    }
  }

  private cloudWatch(el: unknown, line: number): void {
    if (!isObj(el) || typeof el.message !== 'string') {
      this.sink.emit(el, line, this.name);
      return;
    }
    let fields = pickFields(el, CW_EVENT_FIELDS);
    if (this.logGroup !== undefined) (fields ??= {}).logGroup = this.logGroup;
    if (this.logStream !== undefined && fields?.logStream === undefined) (fields ??= {}).logStream = this.logStream;
    const parsed = parseMessage(el.message, this.sink.limits.maxDepth);
    if (parsed === undefined) {
      this.sink.emit(el, line, this.name, fields);
      return;
    }
    if (isObj(parsed) && this.nesting < MAX_NESTING) {
      if (isEventBridge(parsed)) {
        emitEventBridge(this.sink, parsed, line, fields, this.nesting + 1);
        return;
      }
      const key = envelopeKeyOf(parsed);
      if (key !== undefined) {
        emitValue(this.sink, parsed, line, this.nesting + 1);
        return;
      }
    }
    this.sink.emit(parsed, line, this.name, fields);
  }
}

/** A CloudWatch `message` that holds a JSON object (or array), parsed; undefined when it is text. */
function parseMessage(m: string, maxDepth: number): unknown {
  let i = 0;
  while (i < m.length && (m.charCodeAt(i) === 0x20 || m.charCodeAt(i) === 0x09 || m.charCodeAt(i) === 0x0a || m.charCodeAt(i) === 0x0d)) i++;
  const c = m.charCodeAt(i);
  if (c !== 0x7b && c !== 0x5b) return undefined;
  // Depth first: parsing millions of nested brackets only to drop them costs far more than the text.
  if (exceedsDepth(m, maxDepth)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(m);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  return v;
}
