/**
 * django-structlog's request middleware (logger `django_structlog.middlewares.request`), rendered
 * as JSON by structlog. It logs each request twice: `request_started` as it comes in (no status)
 * and `request_finished` with the response's `code`; an unhandled exception logs `request_failed`
 * instead of `request_finished`. The flat alias table maps both records of a pair, so every request
 * was counted twice and `code` was not read as the status: hence this format. request_finished and
 * request_failed are the access records (request_failed without a `code`, as older versions wrote
 * it, is a 500: Django answers an unhandled exception so); request_started is set aside
 * (FormatModule.setAside), counted as skipped and never handed to the flat table.
 *
 * `request` is "METHOD /full/path?query" (django-structlog 2 and later) or the request object's repr,
 * "<WSGIRequest: GET '/p?q=1'>" (1.x). `ip` is the client as django-ipware chose it (forwarded
 * headers included, as the application is configured to trust them). `user_id` is the user's
 * primary key, absent for anonymous requests. Newer versions write `user_agent` on request_started
 * only: the counted record then takes it from the request_started with the same `request_id`
 * (remembered for the last 10,000 requests). `timestamp` often carries no UTC offset: read as UTC
 * unless --input-tz says otherwise, as for every format. The message key is `event` (`message`
 * when structlog's EventRenamer renamed it).
 */
import type { Rec } from '../get.js';
import { defineFormat, type MapContext } from '../format.js';
import { applierFor } from '../spec.js';
import { str } from '../values.js';

const LOGGER = 'django_structlog.middlewares.request';
/** "GET /p?q" as django-structlog 2+ writes it (get_full_path() always starts with "/"). */
const REQUEST_LINE = /^[A-Z]{3,10} \//;
/** django-structlog 1.x: the repr of the request object. */
const REPR = /^<[A-Za-z]*Request: ([A-Za-z]+) '([\s\S]*)'>$/;
const STARTED = 'request_started: django-structlog logs each request twice; the request_finished record is the one counted';
/** Request ids whose user agent is remembered until their request_finished comes. */
const MAX_PENDING = 10_000;
const setPath = applierFor('path', '');

function eventOf(r: Rec): unknown {
  return r.event ?? r.message;
}

function requestText(v: unknown): v is string {
  return typeof v === 'string' && (REQUEST_LINE.test(v) || REPR.test(v));
}

/** request id -> user agent of its request_started, oldest first. */
function pending(ctx: MapContext): Map<string, string> {
  if (!(ctx.state instanceof Map)) ctx.state = new Map<string, string>();
  return ctx.state as Map<string, string>;
}

export const djangoStructlog = defineFormat({
  id: 'django-structlog',
  title: 'django-structlog request middleware (JSON)',
  detectKeys:
    'event (or message) = request_started / request_finished / request_failed + request ("METHOD /path"); ' +
    'logger = django_structlog.middlewares.request raises confidence',
  sources: {
    ts: ['timestamp', 'time'],
    ip: ['ip'],
    user: ['user_id'],
    method: ['request|requestLine'],
    path: ['request|requestLine'],
    status: ['code'],
    userAgent: ['user_agent'],
    requestId: ['request_id', 'correlation_id'],
  },
  notes: {
    status: '500 for request_failed without a code',
    userAgent: 'the user_agent of the request_started with the same request_id',
  },
  detect(r) {
    const e = eventOf(r);
    if (e !== 'request_started' && e !== 'request_finished' && e !== 'request_failed') return 0;
    if (!requestText(r.request)) return 0;
    if (r.logger === LOGGER) return 1;
    return r.request_id !== undefined || r.ip !== undefined ? 0.9 : 0.7;
  },
  accepts(r) {
    const e = eventOf(r);
    return (e === 'request_finished' || e === 'request_failed') && requestText(r.request);
  },
  setAside(r, ctx) {
    if (eventOf(r) !== 'request_started' || !requestText(r.request)) return undefined;
    const id = str(r.request_id);
    const ua = str(r.user_agent);
    if (id !== undefined && ua !== undefined) {
      const p = pending(ctx);
      p.delete(id);
      if (p.size >= MAX_PENDING) p.delete(p.keys().next().value as string);
      p.set(id, ua);
    }
    return STARTED;
  },
  post(r, ev, ctx) {
    const m = REPR.exec(r.request as string);
    if (m !== null) {
      ev.method = (m[1] as string).toUpperCase();
      ev.path = undefined;
      ev.query = undefined;
      ev.host = undefined;
      setPath(ev, m[2]);
    }
    if (ev.status === undefined && eventOf(r) === 'request_failed') ev.status = 500;
    const id = str(r.request_id);
    if (id !== undefined && ctx.state instanceof Map) {
      const p = ctx.state as Map<string, string>;
      if (ev.userAgent === undefined) ev.userAgent = p.get(id);
      p.delete(id);
    }
  },
  explainPost(r, ev) {
    const out: { status?: string; userAgent?: string } = {};
    if (ev.status !== undefined && r.code === undefined) out.status = 'event';
    if (ev.userAgent !== undefined && str(r.user_agent) === undefined) out.userAgent = 'user_agent';
    return out;
  },
});
