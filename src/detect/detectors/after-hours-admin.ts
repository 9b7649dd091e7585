/**
 * after-hours-admin: administrative actions (admin routes, an admin role, or writes on privileged
 * routes) outside business hours in the configured time zone. A new IP or location for the actor
 * escalates; an hour of the day in which the actor did admin work on several earlier days of the same
 * kind (working days, or days off) lowers.
 * One alert per actor per off-hours session.
 */
import type { EnrichedEvent } from '../../enrich/types.js';
import type { Detector, Severity } from '../types.js';
import { keyedState, liveIncidents } from '../state.js';
import { compileRouteList } from '../../rules/match.js';
import { allowlisted, hasRole, ruleMatchers, WRITE_METHODS } from '../util/rules.js';
import { actorName, bump, fmtDuration, Samples, subjectOfActor, topCounts } from '../util/evidence.js';
import { locate, placeName } from '../util/geo.js';
import { WorkingClock, type LocalTime } from '../util/clock.js';
import { weekdaysActiveAtHour } from '../../baseline/stats.js';

export type AfterHoursOptions = {
  /** Routes on which a write (POST/PUT/PATCH/DELETE) is an admin action even outside routes.admin. */
  privilegedRoutes: string[];
  /** Roles treated as administrators besides policy.adminRoles. */
  adminRoles: string[];
  /** Admin actions further apart than this start a new session, minutes. */
  sessionGapMinutes: number;
  /** A local hour of day in which the actor did admin work on this many earlier days of the same kind (working days, days off) is their usual time. */
  usualSlotDays: number;
  /** Earlier events needed before an IP or country can be called new for the actor. */
  minHistoryEvents: number;
};

interface Session {
  start: number;
  end: number;
  startLocal: LocalTime;
  actions: number;
  writes: number;
  methods: Map<string, number>;
  routes: Map<string, number>;
  statuses: Map<string, number>;
  ips: Map<string, number>;
  newIps: string[];
  newPlaces: string[];
  why: Set<string>;
  usual: boolean;
  /** Why the hour is the actor's habit (when `usual`), for the reason. */
  usualWhy: string;
  coldStart: boolean;
  /** The actor's requests in the input before the session (says how thin a cold start is). */
  earlierEvents: number;
  /** The actor is in the baseline file, which counted towards `usual` and the known IPs. */
  fromBaseline: boolean;
  samples: Samples;
}

/** Kept for every actor (bounded by maxActors), so kept small: most actors never do admin work. */
interface ActorState {
  events: number;
  /** IPs seen, at most MAX_IPS, and when each was first seen. */
  ips: string[];
  ipsSince: number[];
  /** Countries seen, at most MAX_IPS, and when each was first seen. */
  countries: string[];
  countriesSince: number[];
  /** Admin actors only: slot (local hour of day, +24 on days off) -> distinct local days with admin work then. */
  slotDays: Map<number, Set<number>> | null;
  session: Session | null;
}

const MAX_IPS = 50;
const RECENT_MS = 3_600_000;

/**
 * Whether `value` was new to the actor at this session: never seen, or first seen less than an
 * hour before the session began. An intruder's reconnaissance a minute before the admin changes
 * (GetCallerIdentity, ListUsers from the same address) does not make the address known.
 */
function newTo(values: readonly string[], since: readonly number[], value: string, sessionStart: number): boolean {
  const i = values.indexOf(value);
  return i < 0 || since[i]! > sessionStart - RECENT_MS;
}

export const afterHoursAdmin: Detector<AfterHoursOptions> = {
  meta: {
    id: 'after-hours-admin',
    title: 'Admin activity outside business hours',
    description: 'Administrative actions outside the configured working hours, escalated for a new IP or location.',
    severity: 'high',
    references: ['OWASP API5:2023 Broken Function Level Authorization', 'OWASP Logging Vocabulary authz_admin'],
    readsRecord: false,
    options: {
      privilegedRoutes: [
        '/**/roles/**',
        '/**/permissions/**',
        '/**/users/{id}/mfa/**',
        '/**/organizations/{id}/members/**',
        '/**/tenants/**',
        '/**/settings/security/**',
        '/**/sso/**',
        '/**/webhooks/**',
        '/**/service-accounts/**',
      ],
      adminRoles: [],
      sessionGapMinutes: 60,
      usualSlotDays: 3,
      minHistoryEvents: 20,
    },
    // Admin routes are recognised on the route template, so a template (API Gateway resourcePath, OTel
    // http.route) or a CloudTrail action serves as well as a concrete path.
    requires: { anyOf: ['path', 'route', 'action', 'roles'] },
    unavailableImpact: 'admin actions cannot be recognised',
    needsGeo: true,
    mergeGapMs: (o) => o.sessionGapMinutes * 60_000,
  },

  create(ctx) {
    const o = ctx.options;
    const m = ruleMatchers(ctx.rules);
    const privileged = compileRouteList(o.privilegedRoutes);
    const adminRoles = new Set([...m.adminRoles, ...o.adminRoles.map((r) => r.toLowerCase())]);
    const clock = new WorkingClock(ctx.rules.businessHours);
    const workWeekdays = new Set(ctx.rules.businessHours.days.filter((d) => d >= 1 && d <= 7)).size;
    const gapMs = o.sessionGapMinutes * 60_000;

    const actors = keyedState<ActorState>(ctx, {
      idleMs: 30 * 86_400_000,
      onRemove: (k, s) => {
        if (s.session) emit(k, s.session);
      },
    });

    // Live, a session is reported once the actor has been quiet for the session gap (see liveIncidents).
    const open = liveIncidents<ActorState>(ctx, gapMs, (k, s) => {
      if (s.session) emit(k, s.session);
      s.session = null;
    });

    /**
     * A request on an admin route that was refused (401, 403, access denied) is no admin work: a
     * non-admin's screen calling an admin widget, or someone trying (authorization-probing's
     * business). By an admin role it still counts: the admin was at work.
     */
    function adminAction(e: EnrichedEvent): string | null {
      const s = e.status;
      const refused = s === 401 || s === 403 || (s === undefined && (e.auth === 'failure' || e.auth === 'denied'));
      if (!refused && m.admin(e.template)) return 'admin route';
      const role = hasRole(e, adminRoles);
      if (role) return `role ${role}`;
      if (!refused && WRITE_METHODS.has(e.method ?? '') && privileged(e.template)) return 'write on a privileged route';
      return null;
    }

    function emit(actor: string, s: Session): void {
      let severity: Severity = s.writes > 0 ? 'high' : 'medium';
      const reasons: string[] = [s.writes > 0 ? `${s.writes} write${s.writes > 1 ? 's' : ''} with admin rights after hours` : 'admin reads after hours'];
      if (s.newPlaces.length > 0) {
        severity = 'critical';
        reasons.push(`from a location this actor was not seen at before (${s.newPlaces.join(', ')}): admin account used from an unknown location`);
      } else if (s.newIps.length > 0) {
        severity = 'high';
        reasons.push(`from an IP this actor had not used before (${s.newIps.join(', ')})`);
      } else if (s.usual) {
        severity = 'low';
        reasons.push(`lowered: this actor ${s.usualWhy}, from known IPs (on-call or a regular shift)`);
      }
      if (s.coldStart) {
        const earlier = s.earlierEvents === 0 ? 'no earlier activity of this actor in the input' : `only ${s.earlierEvents} earlier request${s.earlierEvents > 1 ? 's' : ''} of this actor in the input (fewer than ${o.minHistoryEvents})`;
        reasons.push(`${earlier} (baseline: none): whether the IP is new cannot be told`);
      }
      const routes = Object.keys(topCounts(s.routes, 3)).join(', ');
      const ips = [...s.ips.keys()];
      ctx.report({
        rule: 'after-hours-admin',
        severity,
        title: 'Admin activity outside business hours',
        subject: subjectOfActor(actor),
        start: s.start,
        end: s.end,
        summary: `${actorName(actor)} made ${s.actions} admin request${s.actions > 1 ? 's' : ''} (${s.writes} write${s.writes === 1 ? '' : 's'}; ${routes}) ${s.end > s.start ? `from ${clock.format(s.startLocal)} for ${fmtDuration(s.end - s.start)}` : `at ${clock.format(s.startLocal)}`}, outside business hours (${clock.describe()}), from ${ips.slice(0, 3).join(', ')}${s.newIps.length ? ' (new)' : ''}.`,
        severityReason: reasons.join('; '),
        evidence: {
          metrics: {
            actions: s.actions,
            writes: s.writes,
            localStart: clock.format(s.startLocal),
            // Without history (no baseline, too few earlier requests) neither can be told: null, not false.
            newIp: s.coldStart ? null : s.newIps.length > 0,
            newLocation: s.coldStart ? null : s.newPlaces.length > 0,
            usualHour: s.usual,
            baseline: s.fromBaseline ? 'file' : s.coldStart ? 'none' : 'input',
          },
          thresholds: { businessHours: clock.describe(), sessionGapMinutes: o.sessionGapMinutes },
          samples: s.samples.list(),
          why: [...s.why],
          methods: topCounts(s.methods, 5),
          routes: topCounts(s.routes, 10),
          statuses: topCounts(s.statuses, 10),
          ips: topCounts(s.ips, 5),
        },
      });
    }

    /**
     * Local hour of day, apart for working days and days off: an input spans days more often than
     * weeks, so habits are per hour rather than hour-of-week, but admin work at 14:00 on weekdays is no
     * habit of working Saturdays, nor weekend on-call one of weekday nights.
     */
    function slotOf(t: LocalTime): number {
      return Math.floor(t.minute / 60) + (clock.workingDay(t) ? 0 : 24);
    }

    /** `t` is needed (and only computed) for admin actions. */
    function learn(s: ActorState, e: EnrichedEvent, t: LocalTime | null, admin: boolean): void {
      s.events++;
      if (e.ip && s.ips.length < MAX_IPS && !s.ips.includes(e.ip)) {
        s.ips.push(e.ip);
        s.ipsSince.push(e.ts);
        const g = locate(ctx.geo, e);
        const country = g && !g.reserved ? g.country : undefined;
        if (country && s.countries.length < MAX_IPS && !s.countries.includes(country)) {
          s.countries.push(country);
          s.countriesSince.push(e.ts);
        }
      }
      if (!admin || t === null) return;
      // Hour-of-day habits are learned from admin actions only (bounded memory for everyone else).
      const slot = slotOf(t);
      s.slotDays ??= new Map();
      let d = s.slotDays.get(slot);
      if (!d) s.slotDays.set(slot, (d = new Set()));
      if (d.size < 30) d.add(t.day);
    }

    return {
      event(e) {
        actors.sweep(e.ts);
        open?.sweep(e.ts);
        const s = actors.find(e.actor, e.ts) ?? actors.add(e.actor, e.ts, { events: 0, ips: [], ipsSince: [], countries: [], countriesSince: [], slotDays: null, session: null });
        if (s.session && e.ts - s.session.end > gapMs) {
          emit(e.actor, s.session);
          s.session = null;
        }
        const why = adminAction(e);
        if (why === null) {
          // Most requests: no local time needed.
          learn(s, e, null, false);
          return;
        }
        const t = clock.local(e.ts);
        if (clock.isWorking(t) || allowlisted(m, e)) {
          learn(s, e, t, true);
          return;
        }
        const bl = ctx.baseline?.actors[e.actor];
        const known = s.events >= o.minHistoryEvents || bl !== undefined;
        let sess = s.session;
        if (!sess) {
          const dayOff = !clock.workingDay(t);
          const days = s.slotDays?.get(slotOf(t));
          // Earlier days of the same kind (working day, day off) with admin work at this hour in the
          // input, and, with a baseline file, the weekdays of that kind the actor was active at this
          // hour then (its hours of week are kept in UTC; each is judged at its local time).
          const sameKind = (ts: number): boolean => !clock.workingDay(clock.local(ts)) === dayOff;
          const blDays = bl?.hoursOfWeek !== undefined ? weekdaysActiveAtHour(bl.hoursOfWeek, e.ts, sameKind) : 0;
          const earlierDays = (days ? days.size - (days.has(t.day) ? 1 : 0) : 0) + blDays;
          // A week has only so many days off (2 with Mon-Fri): a baseline active at this hour on all
          // of them is as much as a weekly profile can show of a weekend habit.
          const kindDays = dayOff ? 7 - workWeekdays : workWeekdays;
          const kind = `${dayOff ? 'days off' : 'working days'} (business hours ${clock.describe()})`;
          const byDays = earlierDays >= o.usualSlotDays;
          const byWeek = !byDays && blDays > 0 && blDays >= Math.min(o.usualSlotDays, kindDays);
          const usualWhy = byDays
            ? `did admin work at this hour on ${o.usualSlotDays}+ earlier ${kind}`
            : `was active at this hour on every one of the ${blDays} ${kind} of the week in the baseline file`;
          sess = s.session = {
            start: e.ts,
            end: e.ts,
            startLocal: t,
            actions: 0,
            writes: 0,
            methods: new Map(),
            routes: new Map(),
            statuses: new Map(),
            ips: new Map(),
            newIps: [],
            newPlaces: [],
            why: new Set(),
            usual: byDays || byWeek,
            usualWhy,
            coldStart: !known,
            earlierEvents: s.events,
            fromBaseline: bl !== undefined,
            samples: new Samples(),
          };
        }
        open?.touch(e.actor, e.ts, () => s);
        if (e.ts > sess.end) sess.end = e.ts;
        if (e.ts < sess.start) sess.start = e.ts;
        sess.actions++;
        // Logging in (a POST) is no admin write: an admin's 07:58 login must not read as one.
        if (WRITE_METHODS.has(e.method ?? '') && !m.login(e.template)) sess.writes++;
        bump(sess.methods, e.method ?? '?');
        bump(sess.routes, `${e.method ?? ''} ${e.template}`, 1, 100);
        if (e.status !== undefined) bump(sess.statuses, String(e.status));
        sess.why.add(why);
        sess.samples.add(e);
        if (e.ip) {
          if (known && newTo(s.ips, s.ipsSince, e.ip, sess.start) && s.ips.length < MAX_IPS && !(bl && e.ip in bl.ips) && !sess.newIps.includes(e.ip) && sess.newIps.length < 5) {
            sess.newIps.push(e.ip);
            const g = locate(ctx.geo, e);
            if (g && !g.reserved && g.country && newTo(s.countries, s.countriesSince, g.country, sess.start) && !(bl && g.country in bl.countries)) sess.newPlaces.push(placeName(g));
          }
          bump(sess.ips, e.ip, 1, 20);
        }
        learn(s, e, t, true);
      },
    };
  },
};
