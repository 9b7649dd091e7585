/**
 * Writes the ten answers for one entry from an Observation: a short factual sentence or two per
 * question, the facts behind it, and whether the answer is notable. Only run for entries that are
 * kept (notable) or explained, never for every event.
 */
import type { AlertRecord, ChecklistAnswer, EntryRecord } from '../report/records.js';
import type { ActorBaseline, Baseline } from '../baseline/types.js';
import { own } from '../baseline/stats.js';
import { describeDays, formatInZone, formatUtc, type BusinessHoursCheck } from './clock.js';
import { statusText } from './classify.js';
import { maskIdentifier, maskQuery } from './mask.js';
import type { Flag, NewCountry, Observation } from './tracker.js';
import { fmtDuration } from '../detect/util/evidence.js';

export interface AnswerContext {
  /** Zone the responder reads times in. */
  tz: string;
  business: BusinessHoursCheck;
  adminRoles: string[];
}

/** What question 10 needs later (at finish), without keeping the event. */
export interface FitFacts {
  actor: string;
  ts: number;
  slot: number;
  ip: string | undefined;
  country: string | undefined;
  routeKey: string;
  hourCount: number;
  hourBytes: number;
  requestsInInput: number;
  firstInInput: number;
  ipsBefore: number;
  countriesBefore: string[];
  hoursInInput: number[];
  flags: Flag[];
  /** A country new for the actor shortly before this entry (see Observation.newCountrySince). */
  newCountrySince: NewCountry | undefined;
  named: boolean;
  /** The tracker's judgement of the hour against a baseline file (undefined without one). */
  usualHour: boolean | undefined;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

let regionNames: Intl.DisplayNames | null | undefined;
const countryNames = new Map<string, string>();

/** Cloudflare's country code for a request from a Tor exit node (no ISO 3166 region). */
const TOR = 'T1';

export function countryName(code: string): string {
  if (code === TOR) return 'Tor (T1)';
  let n = countryNames.get(code);
  if (n === undefined) {
    n = lookupCountryName(code);
    if (countryNames.size >= 1000) countryNames.clear();
    countryNames.set(code, n);
  }
  return n;
}

function lookupCountryName(code: string): string {
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
    } catch {
      regionNames = null;
    }
  }
  let name: string | undefined;
  try {
    name = regionNames?.of(code);
  } catch {
    name = undefined;
  }
  return name !== undefined && name !== code ? `${name} (${code})` : code;
}

/** Computed with 1024, so labelled with binary units (docs/output.md, Sizes). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

function ordinal(n: number): string {
  const m100 = n % 100;
  const suffix = m100 >= 11 && m100 <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(items: string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function slotLabel(slot: number): string {
  const d = Math.floor(slot / 24);
  const h = slot % 24;
  return `${DAY_NAMES[d]} ${pad2(h)}:00–${pad2((h + 1) % 24)}:00 UTC`;
}

/** Hours of day as ranges: [9,10,11,14] -> "09:00–12:00, 14:00–15:00". */
export function hourRanges(hours: number[]): string {
  const sorted = [...new Set(hours)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(`${pad2(sorted[i] as number)}:00–${pad2(((sorted[j] as number) + 1) % 24)}:00`);
    i = j + 1;
  }
  return parts.join(', ');
}

const usualCache = new WeakMap<number[], string>();

/** "Mon–Fri, 09:00–17:00 UTC" from hours-of-week counts (memoised per baseline array). */
export function usualHours(how: number[]): string {
  let s = usualCache.get(how);
  if (s === undefined) {
    s = describeUsualHours(how);
    usualCache.set(how, s);
  }
  return s;
}

function describeUsualHours(how: number[]): string {
  const days: number[] = [];
  const hours: number[] = [];
  for (let s = 0; s < 168; s++) {
    if ((how[s] ?? 0) > 0) {
      const d = Math.floor(s / 24) + 1;
      if (!days.includes(d)) days.push(d);
      if (!hours.includes(s % 24)) hours.push(s % 24);
    }
  }
  if (days.length === 0) return 'no recorded activity';
  return `${describeDays(days)}, ${hourRanges(hours)} UTC`;
}

function hourWindow(ts: number): string {
  const h = new Date(ts).getUTCHours();
  return `${pad2(h)}:00–${pad2((h + 1) % 24)}:00 UTC`;
}

function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

// ---------------------------------------------------------------- the answers

function answerWho(o: Observation, baseline: Baseline | undefined): ChecklistAnswer {
  const e = o.e;
  const parts: string[] = [];
  const roles = e.roles !== undefined && e.roles.length > 0 ? e.roles : undefined;
  const roleText = roles === undefined ? 'no role in the log' : `${roles.length === 1 ? 'role' : 'roles'} ${roles.join(', ')}`;
  const key = e.apiKey !== undefined ? maskIdentifier(e.apiKey, 'apiKey') : undefined;
  const session = e.sessionId !== undefined ? maskIdentifier(e.sessionId, 'session') : undefined;
  const extras = [roleText];
  if (key !== undefined && e.user !== undefined) extras.push(`API key ${key}`);
  if (session !== undefined) extras.push(`session ${session}`);
  if (e.user !== undefined) {
    parts.push(`${o.kind === 'service' ? 'Service account' : 'User'} ${e.user} (${extras.join('; ')}).`);
  } else if (key !== undefined) {
    parts.push(`No user identity: API key ${key} (${extras.join('; ')}).`);
  } else {
    parts.push(`Anonymous: no user or API key in the log; only the client address${e.ip !== undefined ? ` ${e.ip}` : ''} identifies the caller${session !== undefined ? ` (session ${session})` : ''}.`);
  }
  if (key !== undefined && o.keysBefore.length > 0) {
    const before = o.keysBefore.map((k) => maskIdentifier(k, 'apiKey'));
    parts.push(`A new API key for this actor: their earlier requests in this input used ${before.slice(0, 3).join(', ')}${before.length > 3 ? ` and ${before.length - 3} more` : ''}.`);
  }
  const ua = e.userAgent;
  const kindText =
    o.kind === 'crawler'
      ? `a crawler or scanner by its user agent "${ua ?? ''}"`
      : o.kind === 'service'
        ? e.user !== undefined
          ? 'a service account (by its naming or role)'
          : 'a machine client (API key without a user)'
        : o.kind === 'human'
          ? `a human user${o.client === 'script' ? `, though the client is a script ("${ua ?? ''}")` : o.client === 'browser' ? ' (browser user agent)' : ua === undefined ? ' (no user agent logged)' : ''}`
          : 'unknown';
  parts.push(`Kind: ${kindText}.`);
  let known: boolean | undefined;
  if (o.mode === 'file' && baseline !== undefined) {
    known = o.known === true;
    if (known && o.base !== undefined) {
      parts.push(`Known actor: in the baseline with ${plural(o.base.requests ?? 0, 'request')} over ${plural(o.base.activeDays, 'active day')}.`);
    } else {
      const dropped = baseline.dropped?.actors ?? 0;
      parts.push(`Unknown actor: not in the baseline (${Object.keys(baseline.actors).length} actors, ${new Date(baseline.period.start).toISOString().slice(0, 10)} to ${new Date(baseline.period.end).toISOString().slice(0, 10)})${dropped > 0 ? `; note the baseline left out ${dropped} actors at its cap` : ''}.`);
    }
  } else if (o.mode === 'input') {
    parts.push('Known or unknown cannot be judged: the only baseline is this input itself.');
  } else {
    parts.push('Known or unknown cannot be judged: no baseline file.');
  }
  const facts: Record<string, unknown> = { actor: e.actor, kind: o.kind };
  if (e.user !== undefined) facts.user = e.user;
  if (roles !== undefined) facts.roles = roles;
  if (key !== undefined) facts.apiKey = key;
  if (session !== undefined) facts.session = session;
  if (ua !== undefined) facts.userAgent = ua;
  if (known !== undefined) facts.known = known;
  if (o.keysBefore.length > 0) facts.newApiKey = true;
  return { answer: parts.join(' '), notable: o.flags.includes('unknown-actor') || o.kind === 'crawler', facts };
}

function answerWhen(o: Observation, ctx: AnswerContext): ChecklistAnswer {
  const ts = o.e.ts;
  const bhZone = ctx.business.clock.zone;
  const parts: string[] = [];
  let first = `${formatUtc(ts)}`;
  if (ctx.tz !== 'UTC') first += `, ${formatInZone(ts, ctx.tz)} in ${ctx.tz}`;
  if (bhZone !== ctx.tz && bhZone !== 'UTC') first += `, ${formatInZone(ts, bhZone)} in ${bhZone}`;
  parts.push(`${first}.`);
  parts.push(
    o.offHours
      ? `Off-hours for the organisation: outside business hours (${ctx.business.describe()}).`
      : `Within business hours (${ctx.business.describe()}).`,
  );
  if (o.usualHour === true && o.base !== undefined && o.usualBy === 'hour-of-day') {
    parts.push(
      `Usual for this actor: the baseline has no activity of theirs on ${DAY_NAMES[Math.floor(o.slot / 24)]} (a day off, or a day it did not cover), and they were active at this hour (±1 h, UTC) on other days; they are usually active ${usualHours(o.base.hoursOfWeek)}.`,
    );
  } else if (o.usualHour === true && o.base !== undefined) {
    parts.push(`Usual for this actor: the baseline has activity at ${slotLabel(o.slot)} (±1 h); they are usually active ${usualHours(o.base.hoursOfWeek)}.`);
  } else if (o.usualHour === false && o.base !== undefined) {
    parts.push(`Unusual for this actor: no activity at ${slotLabel(o.slot)} (±1 h) in the baseline; they are usually active ${usualHours(o.base.hoursOfWeek)}.`);
  } else {
    parts.push(`This actor's usual hours are unknown (${o.mode === 'none' ? 'no baseline file' : o.mode === 'input' ? 'see question 10' : 'not in the baseline'}); in this input they were active at ${hourRanges(o.hoursInInput)} UTC.`);
  }
  const facts: Record<string, unknown> = {
    utc: new Date(ts).toISOString(),
    local: formatInZone(ts, ctx.tz),
    zone: ctx.tz,
    offHours: o.offHours,
    businessHours: ctx.business.describe(),
    hourOfWeek: o.slot,
  };
  if (o.usualHour !== undefined) facts.usualForActor = o.usualHour;
  return { answer: parts.join(' '), notable: o.flags.includes('off-hours') || o.flags.includes('unusual-hour'), facts };
}

function answerWhere(o: Observation): ChecklistAnswer {
  const e = o.e;
  const facts: Record<string, unknown> = {};
  if (e.ip === undefined) {
    return {
      answer: `The log carries no client IP${o.country === TOR ? '; the source reports a Tor exit node (T1)' : o.country !== undefined ? `; the source reports the country ${countryName(o.country)}` : ''}.`,
      notable: o.newCountry || o.country === TOR,
      facts: o.country !== undefined ? { country: o.country } : {},
    };
  }
  facts.ip = e.ip;
  const parts: string[] = [];
  const reserved = o.reserved;
  if (reserved !== undefined) {
    facts.reserved = reserved;
    parts.push(`From ${e.ip}, an address in a ${reserved} range: such addresses have no geographic location, so no country or city can be given${o.country !== undefined && o.country !== TOR ? ` (the source itself reports ${countryName(o.country)})` : ''}.`);
  } else if (o.geo !== null && o.geo !== undefined && (o.geo.country !== undefined || o.geo.city !== undefined)) {
    const g = o.geo;
    const place = [g.city, g.region, g.country !== undefined ? countryName(g.country) : undefined].filter((x) => x !== undefined).join(', ');
    parts.push(`From ${e.ip}: ${place}${g.radiusKm !== undefined ? ` (accuracy radius ${g.radiusKm} km)` : ''}.`);
    if (g.city !== undefined) facts.city = g.city;
    if (g.region !== undefined) facts.region = g.region;
    if (g.radiusKm !== undefined) facts.radiusKm = g.radiusKm;
  } else if (o.country !== undefined && o.country !== TOR) {
    parts.push(`From ${e.ip}, in ${countryName(o.country)} (as the source reports).`);
  } else {
    parts.push(`From ${e.ip}; no location is known for it (no GeoIP data for this address).`);
  }
  // GeoIP (if any) placed the exit node: the client is elsewhere, which a responder must know.
  const tor = o.country === TOR;
  if (tor) parts.push('The source marks the request as coming through a Tor exit node (T1): where the client is cannot be known.');
  if (o.country !== undefined) facts.country = o.country;
  const baselineCountries = o.mode === 'file' && o.base !== undefined ? Object.keys(o.base.countries) : undefined;
  if (o.newCountry) {
    parts.push(
      baselineCountries !== undefined
        ? `A new location for this actor: ${countryName(o.country ?? '?')} is not among the countries of their baseline (${list(baselineCountries)}).`
        : `A new location for this actor: earlier in this input they came from ${list(o.countriesBefore)} only.`,
    );
  } else if (o.newCountrySince !== undefined) {
    parts.push(`${sinceNewCountry(o.newCountrySince, o.e.ts, baselineCountries)}.`);
  } else if (baselineCountries !== undefined && o.country !== undefined && own(o.base?.countries, o.country) !== undefined) {
    parts.push(`${o.country} is a usual country for this actor.`);
  }
  if (o.newIp) {
    parts.push(
      o.mode === 'file' && o.base !== undefined
        ? `A new IP for this actor: ${Object.keys(o.base.ips).length === 1 ? 'their baseline has one other address' : `not among the ${Object.keys(o.base.ips).length} addresses of their baseline`}.`
        : `A new IP for this actor: earlier in this input they used ${plural(o.ipsBefore.length, 'other address', 'other addresses')} (${list(o.ipsBefore, 3)}).`,
    );
  }
  facts.newLocation = o.newCountry;
  if (o.newCountrySince !== undefined) facts.newLocationSince = new Date(o.newCountrySince.at).toISOString();
  facts.newIp = o.newIp;
  return { answer: parts.join(' '), notable: o.newCountry || o.newCountrySince !== undefined || tor || (o.newIp && o.mode === 'file'), facts };
}

/** "A location new for this actor since 02:14:03 UTC (5 s earlier): before that, IE only". */
function sinceNewCountry(n: NewCountry, ts: number, baselineCountries: string[] | undefined): string {
  const ago = ts - n.at < 1000 ? 'the same second' : `${fmtDuration(ts - n.at)} earlier`;
  const before = baselineCountries !== undefined ? `their baseline has ${list(baselineCountries)}` : `before that they came from ${list(n.before)} only`;
  return `A location new for this actor since ${formatUtc(n.at)} (${ago}): ${before}`;
}

function answerWhat(o: Observation): ChecklistAnswer {
  const e = o.e;
  const r = o.route;
  const parts: string[] = [];
  const target = e.path ?? e.action ?? e.template;
  const query = e.query !== undefined && e.query !== '' ? maskQuery(e.query) : undefined;
  parts.push(`${e.method ?? '(no method)'} ${target}${query !== undefined ? `?${query}` : ''}${e.template !== target ? ` (route ${e.template})` : ''}.`);
  const kinds = r.kinds.filter((k) => k !== 'admin' && k !== 'export');
  const extra: string[] = [];
  if (r.admin) extra.push('an administrative route');
  if (r.export) extra.push('an export route');
  if (r.login) extra.push('a login route');
  if (r.health) extra.push('a health check');
  if (kinds.length > 0) {
    const why = r.kindPatterns.filter((_, i) => r.kinds[i] !== 'admin' && r.kinds[i] !== 'export');
    parts.push(`Data kind: ${kinds.join(', ')} (classification ${why.join(', ')})${r.sensitive && kinds.every((k) => k === 'business' || k === 'public') ? ', listed as sensitive' : ''}.`);
  }
  else if (r.sensitive) parts.push('Data kind: sensitive (routes.sensitive).');
  else parts.push('Data kind: not classified by the rules.');
  if (extra.length > 0) parts.push(`It is ${extra.join(' and ')}.`);
  const ids = e.objectIds.map((x) => x.value);
  let scope: string;
  let scopeKind: 'bulk' | 'create' | 'single' | 'list' | 'none';
  if (o.bulk) {
    scopeKind = 'bulk';
    scope = `Bulk: ${e.bytesOut !== undefined && e.bytesOut >= 0 && !r.export ? `a ${formatBytes(e.bytesOut)} response` : r.export ? 'an export route' : 'a large response'}`;
    if (r.export && e.bytesOut !== undefined) scope += ` returning ${formatBytes(e.bytesOut)}`;
    scope += '.';
  } else if (r.modification === 'create') {
    scopeKind = 'create';
    scope = 'One new record (a creation on the collection).';
  } else if (ids.length > 0) {
    scopeKind = 'single';
    scope = `A single record: ${plural(ids.length, 'object id')} ${list(ids, 3)}.`;
  } else if (r.single) {
    scopeKind = 'single';
    scope = 'A single record (the route addresses one object).';
  } else if (e.method === 'GET' || e.method === 'HEAD') {
    scopeKind = 'list';
    scope = 'A list read: a collection or endpoint without an object id, which may return many records.';
  } else {
    scopeKind = 'none';
    scope = 'No object id in the request.';
  }
  if (e.bytesOut !== undefined && !o.bulk) scope += ` Response size ${formatBytes(e.bytesOut)}.`;
  parts.push(scope);
  const facts: Record<string, unknown> = { template: e.template, kinds: r.kinds, scope: scopeKind, bulk: o.bulk, admin: r.admin, export: r.export, sensitive: r.sensitive };
  if (e.method !== undefined) facts.method = e.method;
  if (e.path !== undefined) facts.path = e.path;
  if (query !== undefined) facts.query = query;
  if (e.action !== undefined) facts.action = e.action;
  if (ids.length > 0) facts.objectIds = ids.slice(0, 10);
  if (e.bytesOut !== undefined) facts.bytesOut = e.bytesOut;
  return { answer: parts.join(' '), notable: o.bulk || (r.sensitive && o.flags.some((f) => f === 'bulk' || f === 'admin-route-by-non-admin')), facts };
}

function answerHowOften(o: Observation): ChecklistAnswer {
  const parts: string[] = [];
  const rc = o.recent;
  const win = seconds(rc.windowMs);
  if (rc.count <= 1) {
    parts.push(`1 request: no other request from this actor in the preceding ${win} s.`);
  } else {
    parts.push(`${rc.saturated ? 'At least ' : ''}${rc.count} requests in ${seconds(rc.spanMs)} s from this actor (this one and ${rc.count - 1} before it within ${win} s).`);
  }
  if (o.flags.includes('burst') || o.inBurst) parts.push('That is a burst (the burst threshold was reached).');
  parts.push(`It is their ${ordinal(o.hourCount)} request in the hour ${hourWindow(o.e.ts)}.`);
  const base = o.base;
  if (base !== undefined) {
    parts.push(`Their norm: median ${base.requestsPerHour.median}, p99 ${base.requestsPerHour.p99} requests per active hour${o.mode === 'input' ? ' (learned from this input)' : ''}.`);
    if (o.flags.includes('volume-above-baseline')) parts.push(`Above their usual volume: more than ${Math.round(o.volumeThreshold)} requests this hour.`);
  } else {
    parts.push(`No baseline file for their usual rate; they made ${plural(o.requestsInInput, 'request')} so far in this input.`);
  }
  const facts: Record<string, unknown> = {
    recentRequests: rc.count,
    recentSpanSeconds: rc.count <= 1 ? 0 : seconds(rc.spanMs),
    windowSeconds: win,
    requestsThisHour: o.hourCount,
    burst: o.inBurst,
  };
  if (base !== undefined) {
    facts.usualPerHour = base.requestsPerHour;
    if (Number.isFinite(o.volumeThreshold)) facts.volumeThreshold = Math.round(o.volumeThreshold);
  }
  return { answer: parts.join(' '), notable: o.flags.includes('burst') || o.flags.includes('volume-above-baseline'), facts };
}

function answerModifications(o: Observation): ChecklistAnswer {
  const e = o.e;
  const m = o.route.modification;
  const target = `${e.template}${o.route.kinds.length > 0 ? ` (${o.route.kinds.join(', ')} data)` : ''}`;
  const ok = o.status === 'success' || o.status === 'redirect';
  const unknownStatus = o.status === 'unknown';
  if (m === null) {
    const how = o.route.login
      ? `a ${e.method ?? 'request'} to a login route signs in, it changes no data`
      : e.method !== undefined
        ? `a ${e.method} is a read`
        : e.action !== undefined
          ? `the action ${e.action} does not name a change`
          : 'the log carries no method';
    return { answer: `No modification: ${how}.`, notable: false, facts: { modification: 'none' } };
  }
  const noun = m === 'create' ? 'creation' : m === 'update' ? 'update' : 'deletion';
  const verb = e.method ?? e.action ?? '';
  let answer: string;
  const an = noun === 'update' ? 'an' : 'a';
  if (ok) answer = `Yes: ${an} ${noun} (${verb}) on ${target}, which succeeded (${e.status ?? 'success'}).`;
  else if (unknownStatus) answer = `${an === 'an' ? 'An' : 'A'} ${noun} (${verb}) on ${target}; whether it took effect is unknown (no status).`;
  else answer = `An attempted ${noun} (${verb}) on ${target}, not applied: status ${e.status ?? 'failure'}.`;
  if (o.route.admin && ok) answer += ' It changed something on an administrative route.';
  return { answer, notable: m === 'delete' && ok, facts: { modification: noun, applied: ok ? true : unknownStatus ? null : false, target: e.template } };
}

function answerStatus(o: Observation, failureStreak: number): ChecklistAnswer {
  const e = o.e;
  const parts: string[] = [];
  const code = e.status;
  const text = code !== undefined ? `${code}${statusText(code) !== '' ? ` ${statusText(code)}` : ''}` : 'no status';
  const cls: Record<string, string> = {
    success: 'success',
    redirect: 'a redirect',
    'auth-failure': code === 403 || (code === undefined && e.auth === 'denied') ? 'authorization denied (forbidden)' : 'an authentication failure',
    'client-error': 'a client error',
    'server-error': 'a server error',
    unknown: 'unknown outcome',
  };
  parts.push(`${text}: ${cls[o.status]}${e.latencyMs !== undefined ? `, served in ${Math.round(e.latencyMs)} ms` : ''}.`);
  if (o.failStreak > 0 && (o.status === 'auth-failure' || o.status === 'client-error')) {
    parts.push(`${o.failStreak === 1 ? 'The first failure in a row' : `The ${ordinal(o.failStreak)} failure in a row`} from this actor${o.failStreak >= failureStreak ? ' (a failure streak)' : ''}.`);
  } else if (o.status === 'success' || o.status === 'redirect') {
    parts.push('No failures in a row before it.');
  }
  const facts: Record<string, unknown> = { class: o.status, failuresInARow: o.failStreak };
  if (code !== undefined) facts.status = code;
  if (e.latencyMs !== undefined) facts.latencyMs = e.latencyMs;
  if (e.auth !== undefined) facts.auth = e.auth;
  return { answer: parts.join(' '), notable: o.status === 'auth-failure' || o.flags.includes('failure-streak'), facts };
}

function answerPermissions(o: Observation, adminRoles: string[]): ChecklistAnswer {
  const p = o.perm;
  const parts: string[] = [];
  const roles = p.roles;
  if (p.needed.length === 0) {
    parts.push(`No permission in the policy covers ${o.e.method ?? ''} ${o.e.template}`.replace('  ', ' ') + '.');
  } else {
    parts.push(`This request needs ${p.needed.map((n) => `${n.permission} (policy: ${n.spec})`).join(' or ')}.`);
  }
  if (roles === undefined) {
    parts.push('The log carries no role, so whether the actor holds it cannot be judged.');
  } else if (p.needed.length > 0) {
    if (p.held.length > 0) {
      parts.push(`Role ${roles.join(', ')} holds ${p.held.join(', ')}: allowed by the policy.`);
    } else if (!p.denied) {
      parts.push(`Role ${roles.join(', ')} is not in the policy (rules/policy.yaml), so whether it may do this cannot be judged; add the role there to have it checked.`);
    } else {
      parts.push(`Role ${roles.join(', ')} holds none of them: the policy would deny it${o.status === 'success' || o.status === 'redirect' ? ', yet the request succeeded' : ` (status ${o.e.status ?? 'unknown'})`}.`);
    }
  } else {
    parts.push(`Actor role: ${roles.join(', ')}.`);
  }
  if (o.route.admin) {
    if (o.adminByNonAdmin) parts.push(`An administrative route used by a non-admin role (admin roles: ${adminRoles.join(', ')}).`);
    else if (roles !== undefined && adminRoles.length > 0) parts.push('An administrative route, used by an admin role.');
    else parts.push('An administrative route.');
  }
  const facts: Record<string, unknown> = { needed: p.needed.map((n) => n.permission), held: p.held, denied: p.denied, adminRoute: o.route.admin };
  if (roles !== undefined) facts.roles = roles;
  if (o.adminByNonAdmin) facts.adminByNonAdmin = true;
  return { answer: parts.join(' '), notable: p.denied || o.adminByNonAdmin, facts };
}

/** Question 8, from the alerts the entry belongs to. */
export function answerPattern(alerts: readonly AlertRecord[], flags: readonly string[]): ChecklistAnswer {
  if (alerts.length === 0) {
    const own = flags.filter((f) => f !== 'in-alert');
    return {
      answer: `No detector alert covers this entry${own.length > 0 ? ` (its own flags: ${own.join(', ')})` : ''}.`,
      notable: false,
      facts: { alerts: [] },
    };
  }
  const parts = alerts.map((a) => {
    // A linked alert says what it follows: the takeover is part of this entry's story.
    const follows = (a.related ?? []).filter((r) => r.relation === 'follows-takeover').map((r) => r.id);
    const link = follows.length > 0 ? ` (follows the account takeover in ${follows.join(', ')})` : '';
    return `${a.id} ${a.rule} (${a.severity})${link}: ${a.summary.replace(/\.+$/, '')}`;
  });
  return {
    answer: `Part of ${plural(alerts.length, 'alert')}: ${parts.join('; ')}.`,
    notable: true,
    facts: { alerts: alerts.map((a) => ({ id: a.id, rule: a.rule, severity: a.severity })) },
  };
}

function pct(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const v = (100 * part) / whole;
  return v > 0 && v < 1 ? '<1%' : `${Math.round(v)}%`;
}

function fitWithin(f: FitFacts): ChecklistAnswer {
  const parts: string[] = ['No baseline: judged on this input alone.'];
  parts.push(`In this input the actor made ${plural(f.requestsInInput, 'request')} up to and including this one, from ${formatUtc(f.firstInInput)}, active at ${hourRanges(f.hoursInInput)} UTC.`);
  const dev: string[] = [];
  if (f.flags.includes('new-location')) dev.push(`a country (${f.country ?? '?'}) not seen earlier in the input (${list(f.countriesBefore)})`);
  if (f.newCountrySince !== undefined) dev.push(`a country (${f.country ?? '?'}) first seen for them ${fmtDuration(f.ts - f.newCountrySince.at)} earlier (before: ${list(f.newCountrySince.before)})`);
  if (f.flags.includes('new-ip')) dev.push(`an IP not seen earlier in the input (after ${plural(f.ipsBefore, 'other')})`);
  if (f.flags.includes('burst')) dev.push('a burst of requests');
  if (f.flags.includes('failure-streak')) dev.push('a failure streak');
  parts.push(dev.length > 0 ? `Within this input it departs from their earlier activity: ${dev.join('; ')}.` : 'Nothing in this input contradicts their earlier activity here.');
  return { answer: parts.join(' '), notable: dev.length > 0, facts: { baseline: 'none', requestsInInput: f.requestsInInput, deviations: dev.length } };
}

export interface VolumeRule {
  volumeFactor: number;
  volumeP99Factor: number;
  volumeMin: number;
}

function fitAgainst(f: FitFacts, b: Baseline, a: ActorBaseline | undefined, v: VolumeRule): ChecklistAnswer {
  const fromInput = b.origin === 'input';
  const period = `${new Date(b.period.start).toISOString().slice(0, 10)} to ${new Date(b.period.end).toISOString().slice(0, 10)}`;
  const intro = fromInput
    ? `Against a baseline learned from this input itself (${period}; it includes this entry, so it shows how rare this is within the input rather than novelty).`
    : `Against the baseline file (${period}).`;
  if (a === undefined) {
    return {
      answer: `${intro} The actor is not in it: ${fromInput ? 'it was dropped at the baseline cap' : 'never seen before'}.`,
      notable: !fromInput && f.named,
      facts: { baseline: b.origin, known: false },
    };
  }
  const total = a.requests ?? a.hoursOfWeek.reduce((x, y) => x + y, 0);
  const dev: string[] = [];
  const fit: string[] = [];
  const slotCount = (a.hoursOfWeek[f.slot] ?? 0);
  const near = slotCount + (a.hoursOfWeek[(f.slot + 167) % 168] ?? 0) + (a.hoursOfWeek[(f.slot + 1) % 168] ?? 0);
  if (fromInput) {
    const share = slotCount / Math.max(1, total);
    const line = `${pct(slotCount, total)} of their requests fall in ${slotLabel(f.slot)}`;
    if (share < 0.01 && total >= 50) dev.push(line);
    else fit.push(line);
  } else if (near === 0 && f.usualHour === true) fit.push(`no activity on ${DAY_NAMES[Math.floor(f.slot / 24)]} in the baseline, but at this hour on other days`);
  else if (near === 0) dev.push(`no activity at ${slotLabel(f.slot)} ±1 h (usually ${usualHours(a.hoursOfWeek)})`);
  else fit.push(`active at ${slotLabel(f.slot)} before (${plural(slotCount, 'request')})`);

  if (f.country !== undefined && Object.keys(a.countries).length > 0) {
    const c = own(a.countries, f.country) ?? 0;
    if (fromInput && f.newCountrySince !== undefined) {
      dev.push(`${pct(c, total)} of their requests come from ${f.country}, first seen ${fmtDuration(f.ts - f.newCountrySince.at)} earlier in the input (before: ${list(f.newCountrySince.before)})`);
    } else if (fromInput && f.flags.includes('new-location')) {
      dev.push(`${pct(c, total)} of their requests come from ${f.country}, first seen on this entry (before: ${list(f.countriesBefore)})`);
    } else if (fromInput) (c / Math.max(1, total) < 0.01 && total >= 50 ? dev : fit).push(`${pct(c, total)} of their requests come from ${f.country}`);
    else if (c === 0 && a.truncated?.countries !== true) dev.push(`country ${f.country} never seen (usual: ${list(Object.keys(a.countries))})`);
    else fit.push(`country ${f.country} seen ${plural(c, 'time')}`);
  }
  if (f.ip !== undefined && !fromInput) {
    const c = own(a.ips, f.ip) ?? 0;
    if (c === 0 && a.truncated?.ips !== true) dev.push(`IP ${f.ip} never seen (${plural(Object.keys(a.ips).length, 'known address', 'known addresses')})`);
    else if (c > 0) fit.push(`IP seen ${plural(c, 'time')}`);
  }
  const rc = own(a.routes, f.routeKey) ?? 0;
  if (fromInput) (rc <= 1 && total >= 50 ? dev : fit).push(`${f.routeKey} called ${plural(rc, 'time')} in the input`);
  else if (rc === 0 && a.truncated?.routes !== true) dev.push(`route ${f.routeKey} never called before`);
  else fit.push(`route called ${plural(rc, 'time')} before`);

  const rph = a.requestsPerHour;
  const threshold = Math.max(v.volumeMin, rph.median * v.volumeFactor, fromInput ? 0 : rph.p99 * v.volumeP99Factor);
  const vol = `${plural(f.hourCount, 'request')} this hour so far vs median ${rph.median}, p99 ${rph.p99}`;
  (f.hourCount > threshold || f.flags.includes('volume-above-baseline') ? dev : fit).push(vol);
  const bph = a.bytesPerHour;
  if (f.hourBytes > 0 && bph.median > 0) {
    const scale = bph.mad > 0 ? 1.4826 * bph.mad : bph.median;
    const z = (f.hourBytes - bph.median) / scale;
    const line = `${formatBytes(f.hourBytes)} returned this hour vs median ${formatBytes(bph.median)} (robust z ${z.toFixed(1)})`;
    // A baseline learned from this input holds this very hour: its p99 is no bar (as for requests).
    (z > 10 && (fromInput || f.hourBytes > bph.p99) ? dev : fit).push(line);
  }
  const head = dev.length > 0 ? `Deviates on ${dev.length} ${dev.length === 1 ? 'point' : 'points'}: ${dev.join('; ')}.` : 'Fits their usual behaviour.';
  const tail = fit.length > 0 ? ` In line: ${fit.join('; ')}.` : '';
  return {
    answer: `${intro} ${head}${tail}`,
    notable: dev.length > 0,
    facts: { baseline: b.origin, known: true, deviations: dev.length, period: { start: new Date(b.period.start).toISOString(), end: new Date(b.period.end).toISOString() } },
  };
}

/** Question 10: against the baseline (file or input-learned), or the file alone. */
export function answerFit(f: FitFacts, b: Baseline | undefined, v: VolumeRule): ChecklistAnswer {
  if (b === undefined) return fitWithin(f);
  return fitAgainst(f, b, own(b.actors, f.actor), v);
}

export function fitFacts(o: Observation): FitFacts {
  return {
    actor: o.e.actor,
    ts: o.e.ts,
    slot: o.slot,
    ip: o.e.ip,
    country: o.country,
    routeKey: o.routeKey,
    hourCount: o.hourCount,
    hourBytes: o.hourBytes,
    requestsInInput: o.requestsInInput,
    firstInInput: o.firstInInput,
    ipsBefore: o.ipsBefore.length,
    countriesBefore: o.countriesBefore,
    hoursInInput: o.hoursInInput,
    flags: o.flags,
    newCountrySince: o.newCountrySince,
    named: o.e.user !== undefined || o.e.apiKey !== undefined,
    usualHour: o.usualHour,
  };
}

/**
 * The record with answers 1-7 and 9; `pattern` and `fit` are filled in by finish/explain.
 * `alerts` empty, severity from the flags.
 */
export function buildRecord(o: Observation, ctx: AnswerContext, baseline: Baseline | undefined, failureStreak: number): EntryRecord {
  const e = o.e;
  const subject: EntryRecord['subject'] = {};
  if (e.user !== undefined) subject.user = e.user;
  if (e.apiKey !== undefined) subject.apiKey = maskIdentifier(e.apiKey, 'apiKey');
  if (e.ip !== undefined) subject.ip = e.ip;
  if (e.sessionId !== undefined) subject.session = maskIdentifier(e.sessionId, 'session');
  if (e.roles !== undefined && e.roles.length > 0) subject.roles = e.roles;
  const request: EntryRecord['request'] = { template: e.template };
  if (e.method !== undefined) request.method = e.method;
  if (e.path !== undefined) request.path = e.path;
  if (e.query !== undefined && e.query !== '') request.query = maskQuery(e.query);
  if (e.status !== undefined) request.status = e.status;
  if (e.bytesOut !== undefined) request.bytesOut = e.bytesOut;
  if (e.latencyMs !== undefined) request.latencyMs = e.latencyMs;
  if (e.requestId !== undefined) request.requestId = e.requestId;
  if (e.userAgent !== undefined) request.userAgent = e.userAgent;
  return {
    type: 'entry',
    time: new Date(e.ts).toISOString(),
    subject,
    request,
    flags: [...o.flags],
    answers: {
      who: answerWho(o, baseline),
      when: answerWhen(o, ctx),
      where: answerWhere(o),
      what: answerWhat(o),
      howOften: answerHowOften(o),
      modifications: answerModifications(o),
      status: answerStatus(o, failureStreak),
      permissions: answerPermissions(o, ctx.adminRoles),
    },
    severity: o.severity,
    alerts: [],
    source: e.source.record === undefined ? { file: e.source.file, line: e.source.line } : { file: e.source.file, line: e.source.line, record: e.source.record },
  };
}
