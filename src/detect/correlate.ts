/**
 * Correlation: alerts that are one incident. Each detector judges alone; this stage, run once on the
 * merged alerts of a whole run (before ids are assigned, so it is the same with any --threads), links
 * a later-stage alert on an account to an earlier sign that the account was taken over, and raises
 * the later alert's severity: a bulk download by an account minutes after it was broken into is the
 * payoff of the attack, not "this actor's normal work".
 *
 * Takeover signals (what the detectors themselves call a likely takeover, with the account named):
 *   credential-stuffing  a login succeeded from the attacking source after the failures (critical);
 *                        the accounts and the time of the first success are in evidence.takeover
 *   impossible-travel    the account was used from a place it could not have reached; the takeover
 *                        is dated at the arrival (legs[1]); critical with privileged use, else high
 *   after-hours-admin    an admin session after hours from a location the actor was not seen at
 *                        before (metrics.newLocation; critical); dated at the session's start
 * Later stage (what an attacker does with the account): data-exfiltration, bola-enumeration,
 * scraping, authorization-probing, after-hours-admin, about the same user.
 *
 * A later-stage alert is linked when it starts within the window after the takeover, or when it
 * started earlier (a sliding window counts from its first request, which may be the owner's) but was
 * still running at the takeover and its evidence names the takeover's source IP (the attacker's own
 * login as the account is usually among its requests). It is raised to at least high, to critical
 * when the takeover signal is critical, never lowered; its severityReason names the takeover, and
 * `related` points at the signal's alert. Links are not transitive: an alert raised here is no
 * takeover signal for others. The window is `takeoverWindowHours` in rules/defaults.yaml, passed in
 * as `windowHours`.
 */
import { severityRank, type Alert, type AlertLink, type Severity } from './types.js';
import { compareAlerts, subjectKey } from './merge.js';
import { fmtDuration } from './util/evidence.js';
import { DEFAULT_TAKEOVER_WINDOW_HOURS } from '../rules/types.js';
import { createZoneOffset } from '../util/zone-offset.js';


/** The rules whose alerts can say an account was taken over (see takeoverSignals). */
export const TAKEOVER_RULES: readonly string[] = ['credential-stuffing', 'impossible-travel', 'after-hours-admin'];

/** The rules whose alerts are what an attacker does with a taken account. */
export const LATER_STAGE_RULES: ReadonlySet<string> = new Set([
  'data-exfiltration',
  'bola-enumeration',
  'scraping',
  'authorization-probing',
  'after-hours-admin',
]);

export interface CorrelateOptions {
  /** The rules' takeoverWindowHours (default DEFAULT_TAKEOVER_WINDOW_HOURS). */
  windowHours?: number;
  /** IANA zone the report shows times in (--tz), for the times a reason names; default UTC. */
  tz?: string;
}

/** One account likely taken over, as an alert says. */
export interface Takeover {
  alert: Alert;
  account: string;
  /** When the account was most likely taken over (epoch ms). */
  at: number;
  /** Where from, when the alert says. */
  ips: string[];
  /** In words, for a reason: "the likely takeover of 1077 by credential stuffing from 5.228.1.10 (login succeeded 2025-03-12 03:19 UTC)". */
  described: string;
}

const VARIANT_WORDS: Record<string, string> = {
  stuffing: 'credential stuffing',
  'password-spraying': 'password spraying',
  'brute-force': 'brute force',
  distributed: 'a distributed credential attack',
};

/** Formats the minute an instant falls in, named with its zone. */
type Stamp = (t: number) => string;

/**
 * "2025-03-12 03:19 UTC", or "2025-03-12 04:19 Europe/Berlin" under --tz: a reason is a plain
 * string the reporter does not rewrite, so it is written in the zone the report's other times are.
 */
export function minuteStamp(tz = 'UTC'): Stamp {
  const offset = createZoneOffset(tz);
  const zone = tz === 'Etc/UTC' ? 'UTC' : tz;
  return (t) => `${new Date(t + offset(t) * 60_000).toISOString().slice(0, 16).replace('T', ' ')} ${zone}`;
}

function stuffingTakeovers(a: Alert, stamp: Stamp): Takeover[] {
  const t = a.evidence.takeover as { accounts?: unknown; basis?: unknown } | undefined;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.accounts)) return [];
  const variant = a.evidence.metrics.variant;
  const how = (typeof variant === 'string' ? VARIANT_WORDS[variant] : undefined) ?? 'a credential attack';
  const out: Takeover[] = [];
  for (const x of t.accounts as Array<{ account?: unknown; at?: unknown; ip?: unknown }>) {
    if (typeof x?.account !== 'string' || x.account === '' || typeof x.at !== 'number' || !Number.isFinite(x.at)) continue;
    // Each account at its own first use: a run that breaks into two accounts hours apart takes
    // each over at its own time, from the address that used it.
    const ips = typeof x.ip === 'string' ? [x.ip] : a.subject.ip !== undefined ? [a.subject.ip] : [];
    const from = ips.length > 0 ? ` from ${ips.join(', ')}` : '';
    const when = t.basis === 'acted-as' ? `a login succeeded, then the IP acted as the account ${stamp(x.at)}` : `login succeeded ${stamp(x.at)}`;
    out.push({ alert: a, account: x.account, at: x.at, ips, described: `the likely takeover of ${x.account} by ${how}${from} (${when})` });
  }
  return out;
}

function travelTakeover(a: Alert, stamp: Stamp): Takeover[] {
  const user = a.subject.user;
  // Below high, the detector judged it more likely one device moving between networks: no takeover sign.
  if (user === undefined || severityRank(a.severity) < severityRank('high')) return [];
  const arrival = (Array.isArray(a.evidence.legs) ? a.evidence.legs[1] : undefined) as { time?: unknown; ip?: unknown; city?: unknown; country?: unknown } | undefined;
  const parsed = typeof arrival?.time === 'string' ? Date.parse(arrival.time) : NaN;
  const at = Number.isFinite(parsed) ? parsed : a.start;
  const ip = typeof arrival?.ip === 'string' ? arrival.ip : undefined;
  const place = [arrival?.city, arrival?.country].filter((x): x is string => typeof x === 'string' && x !== '').join(', ');
  const where = place && ip ? `${place} (${ip})` : place || ip || 'another place';
  const likely = a.severity === 'critical' ? 'likely' : 'possible';
  return [{ alert: a, account: user, at, ips: ip ? [ip] : [], described: `the ${likely} takeover of ${user} shown by impossible travel to ${where} at ${stamp(at)}` }];
}

function afterHoursTakeover(a: Alert, stamp: Stamp): Takeover[] {
  const user = a.subject.user;
  if (user === undefined || a.evidence.metrics.newLocation !== true) return [];
  // Which of the session's IPs was the new one is said in words only: no IP to match on.
  return [{ alert: a, account: user, at: a.start, ips: [], described: `the likely takeover of ${user} shown by admin use from a new location after hours at ${stamp(a.start)}` }];
}

/** Every takeover the alerts name, in the alerts' order. */
export function takeoverSignals(alerts: readonly Alert[], tz?: string): Takeover[] {
  const stamp = minuteStamp(tz);
  const out: Takeover[] = [];
  for (const a of alerts) {
    if (a.rule === 'credential-stuffing') out.push(...stuffingTakeovers(a, stamp));
    else if (a.rule === 'impossible-travel') out.push(...travelTakeover(a, stamp));
    else if (a.rule === 'after-hours-admin') out.push(...afterHoursTakeover(a, stamp));
  }
  return out;
}

/** How many of an alert's requests came from the takeover's IPs, when its evidence counts requests per IP. */
function requestsFrom(a: Alert, ips: string[]): { from: number; of: number } | undefined {
  const perIp = a.evidence.ips;
  const of = a.evidence.metrics.requests;
  if (typeof perIp !== 'object' || perIp === null || Array.isArray(perIp) || typeof of !== 'number' || of <= 0) return undefined;
  let from = 0;
  for (const ip of ips) {
    const n = (perIp as Record<string, unknown>)[ip];
    if (typeof n === 'number') from += n;
  }
  return { from, of };
}

/** The IPs an alert's evidence names: its subject, its `ips` breakdown, its samples. */
function ipsOf(a: Alert): Set<string> {
  const out = new Set<string>();
  if (a.subject.ip !== undefined) out.add(a.subject.ip);
  const ips = a.evidence.ips;
  if (typeof ips === 'object' && ips !== null && !Array.isArray(ips)) for (const k of Object.keys(ips)) out.add(k);
  for (const s of a.evidence.samples) if (s.ip !== undefined) out.add(s.ip);
  return out;
}

/**
 * One account however a log spells it: a login form's "Alice@x.com " and the session's
 * "alice@x.com" are the same user. (A login name and a numeric user id never match.)
 */
export function accountKey(user: string): string {
  return user.trim().toLowerCase();
}

/** What names an alert before ids are given (rule, subject, start): the key of an AlertLink. */
export function linkKey(x: Pick<AlertLink, 'rule' | 'subject' | 'start'>): string {
  return `${x.rule}\u0001${subjectKey(x.subject)}\u0001${x.start}`;
}

/** Whether `later` continues takeover `t` (see the module comment). */
function follows(later: Alert, t: Takeover, windowMs: number): boolean {
  if (later === t.alert || accountKey(later.subject.user ?? '') !== accountKey(t.account)) return false;
  if (later.start >= t.at) return later.start <= t.at + windowMs;
  if (later.end < t.at || t.ips.length === 0) return false;
  // Under way before the takeover: the owner's activity, unless the takeover's source did a real
  // part of it. One login request from it, absorbed by the owner's sliding window, is not that.
  const share = requestsFrom(later, t.ips);
  if (share !== undefined) return share.from >= 2 && share.from >= share.of * MIN_TAKEOVER_SHARE;
  const seen = ipsOf(later);
  return t.ips.some((ip) => seen.has(ip));
}

/** Share of an alert's requests, under way before a takeover, that must come from the takeover's IPs. */
const MIN_TAKEOVER_SHARE = 0.1;

/** Whether the later alert's evidence shows none of the takeover's IPs: its activity may be the owner's. */
function elsewhere(later: Alert, t: Takeover): boolean {
  if (t.ips.length === 0) return false;
  const seen = ipsOf(later);
  return !t.ips.some((ip) => seen.has(ip));
}

/**
 * The alerts with each later-stage alert that follows a takeover linked and raised. Alerts not
 * concerned are returned as they are (the same objects), in the same order. Deterministic: it depends
 * on the alerts only, not on their order.
 */
export function correlate(alerts: readonly Alert[], opts: CorrelateOptions = {}): Alert[] {
  const windowMs = (opts.windowHours ?? DEFAULT_TAKEOVER_WINDOW_HOURS) * 3_600_000;
  const byAccount = new Map<string, Takeover[]>();
  for (const t of takeoverSignals(alerts, opts.tz)) {
    let list = byAccount.get(accountKey(t.account));
    if (!list) byAccount.set(accountKey(t.account), (list = []));
    list.push(t);
  }
  if (byAccount.size === 0) return [...alerts];
  return alerts.map((a) => {
    const user = a.subject.user;
    if (user === undefined || !LATER_STAGE_RULES.has(a.rule) || a.related !== undefined) return a;
    const linked = (byAccount.get(accountKey(user)) ?? []).filter((t) => follows(a, t, windowMs));
    if (linked.length === 0) return a;
    // The signal named: one whose source the alert shows (else any), the most severe, then the
    // earliest. From none of the takeover's IPs, the activity may be the owner's own (their usual
    // address, hours after): worth a look after a takeover (high), not proven the attacker's
    // (critical). A sign that names no IP (after-hours admin work) cannot be told apart: it counts
    // as shown.
    linked.sort(
      (x, y) =>
        Number(elsewhere(a, x)) - Number(elsewhere(a, y)) ||
        severityRank(y.alert.severity) - severityRank(x.alert.severity) ||
        x.at - y.at ||
        compareAlerts(x.alert, y.alert),
    );
    const named = linked[0]!;
    const away = elsewhere(a, named);
    const target: Severity = named.alert.severity === 'critical' && !away ? 'critical' : 'high';
    const raised = severityRank(a.severity) < severityRank(target);
    const gap =
      a.start < named.at ? 'while this was under way' : a.start - named.at < 1000 ? 'as this began' : `${fmtDuration(a.start - named.at)} before this began`;
    const source = away ? `; this came from other IPs than the takeover's (${named.ips.join(', ')}): it may be the owner's own work` : '';
    const more = linked.length > 1 ? ` (and ${linked.length - 1} more takeover sign${linked.length > 2 ? 's' : ''} on this account)` : '';
    const reason = `follows ${named.described}, ${gap}${more}${source}${raised ? `: escalated from ${a.severity}` : ''}; ${a.severityReason}`;
    const seen = new Set<Alert>();
    const related: AlertLink[] = [];
    for (const t of [...linked].sort((x, y) => compareAlerts(x.alert, y.alert))) {
      if (seen.has(t.alert)) continue;
      seen.add(t.alert);
      related.push({ rule: t.alert.rule, subject: t.alert.subject, start: t.alert.start, relation: 'follows-takeover' });
    }
    return { ...a, severity: raised ? target : a.severity, severityReason: reason, related };
  });
}
