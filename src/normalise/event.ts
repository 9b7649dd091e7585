import type { SourceRef } from '../ingest/types.js';

/**
 * `failure`: authentication failed (bad password, invalid or expired credentials). `denied`: the
 * caller was authenticated but not allowed (CloudTrail's AccessDenied); only logs without HTTP
 * statuses need it, since a 403 says so itself.
 */
export type AuthOutcome = 'success' | 'failure' | 'denied' | 'unknown';

/**
 * The canonical event: every supported log format is mapped onto this shape.
 * Optional fields are undefined (never null or "-") when the source does not carry them. Every
 * key is present on every event (see blankEvent): test a field with `=== undefined`, never with
 * `in` or by listing the event's keys.
 */
export interface ApiEvent {
  /** Epoch milliseconds, UTC. */
  ts: number;
  /** Client IP, port stripped, IPv6 in its usual textual form. */
  ip?: string;
  /** Principal: user id, username, subject, ARN or consumer. */
  user?: string;
  roles?: readonly string[];
  /** API key *identifier* (never the secret itself). */
  apiKey?: string;
  sessionId?: string;
  /** Upper-case HTTP method. */
  method?: string;
  /** Concrete path, without the query string. */
  path?: string;
  /** Route template when the source gives one (API Gateway resourcePath, OTel http.route). */
  route?: string;
  /** Raw query string without the leading "?". */
  query?: string;
  host?: string;
  status?: number;
  bytesOut?: number;
  bytesIn?: number;
  latencyMs?: number;
  userAgent?: string;
  requestId?: string;
  auth?: AuthOutcome;
  /** Non-HTTP action, e.g. CloudTrail "s3.amazonaws.com:GetObject". */
  action?: string;
  /** ISO 3166 alpha-2, upper case, when the source already geolocates (Cloudflare). */
  country?: string;
  /** Id of the format this record was mapped with. */
  format: string;
  source: SourceRef;
  /** The record as read, for scanners that look at every field (hygiene, signatures). Never retained by window detectors. */
  raw: unknown;
}

/** Canonical field names, for coverage reports and `--map`. */
export const CANONICAL_FIELDS = [
  'ts', 'ip', 'user', 'roles', 'apiKey', 'sessionId', 'method', 'path', 'route', 'query', 'host',
  'status', 'bytesOut', 'bytesIn', 'latencyMs', 'userAgent', 'requestId', 'auth', 'action', 'country',
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/**
 * A new event to fill in, with every field present from the start (undefined until a mapping sets
 * it). Events are made by the million: built from `{}` field by field, each went through a chain of
 * hidden classes and regrew its property store as fields arrived, and events lacking different
 * fields got different shapes, so every consumer's reads of `e.user`, `e.status`... saw several.
 * Made here, every event has one shape with its fields inside the object (a literal keeps the plain
 * Object prototype). An absent field is undefined, so code must not read events by their keys
 * (see ApiEvent). The last three are set by enrichment (enrich/index.ts), declared here so that
 * setting them keeps the shape.
 */
export function blankEvent(): Partial<ApiEvent> {
  return {
    ts: undefined,
    ip: undefined,
    user: undefined,
    roles: undefined,
    apiKey: undefined,
    sessionId: undefined,
    method: undefined,
    path: undefined,
    route: undefined,
    query: undefined,
    host: undefined,
    status: undefined,
    bytesOut: undefined,
    bytesIn: undefined,
    latencyMs: undefined,
    userAgent: undefined,
    requestId: undefined,
    auth: undefined,
    action: undefined,
    country: undefined,
    format: undefined,
    source: undefined,
    raw: undefined,
    template: undefined,
    objectIds: undefined,
    actor: undefined,
  } as Partial<ApiEvent>;
}

/** Keys an event may carry besides the canonical fields: its origin, and the enrichment slots. */
export const EVENT_BOOKKEEPING_KEYS = ['format', 'source', 'raw', 'template', 'objectIds', 'actor'] as const;
