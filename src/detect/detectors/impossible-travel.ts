/**
 * impossible-travel: successful activity by one user from two places too far apart for the time
 * between them. Distance is great-circle minus both GeoIP accuracy radii; speed uses a floor on the
 * time gap. Reserved/private IPs, country-only locations, nearby and (by default) same-country pairs
 * are not judged. Admin or export activity at the new place (within escalateMinutes) makes it
 * critical; the old place's is the account's established use, most likely its owner's.
 */
import type { EnrichedEvent, GeoInfo } from '../../enrich/types.js';
import type { Detector, EvidenceSample, Severity } from '../types.js';
import { keyedState } from '../state.js';
import { allowlisted, hasRole, ruleMatchers, WRITE_METHODS } from '../util/rules.js';
import { fmtDuration, round, sampleOf } from '../util/evidence.js';
import { haversineKm, locate, placeName } from '../util/geo.js';
import { isServicePrincipal } from '../../enrich/principal.js';

export type TravelOptions = {
  /** Speed above which travel is impossible, km/h. */
  maxSpeedKmh: number;
  /** Effective distance (after accuracy radii) below which nothing is judged, km. */
  minDistanceKm: number;
  /** Accuracy radius assumed when the database gives none, km. */
  defaultRadiusKm: number;
  /** Pairs inside one country are judged only beyond this effective distance, km (0 = always). */
  sameCountryMinKm: number;
  /** Floor on the time between the two places, minutes (simultaneous use is not infinitely fast). */
  minGapMinutes: number;
  /** Admin or export activity on the new leg within this many minutes makes the alert critical. */
  escalateMinutes: number;
};

interface Place {
  ip: string;
  geo: GeoInfo;
  lat: number;
  lon: number;
  radius: number;
  /** Time of the latest request from here; with the fields below, that request's sample (see sampleOfPlace). */
  last: number;
  source: EnrichedEvent['source'];
  requestId: string | undefined;
  apiKey: string | undefined;
  method: string | undefined;
  path: string | undefined;
  status: number | undefined;
  privileged: string | null;
  /** The user agent of the latest request from here. */
  ua: string | undefined;
}

/**
 * The sample of the latest request from a place. Built only when an incident needs it: the place's
 * fields are updated on every request instead (no object per request).
 */
function sampleOfPlace(p: Place, note: string): EvidenceSample {
  return sampleOf({ ts: p.last, source: p.source, requestId: p.requestId, method: p.method, path: p.path, status: p.status, ip: p.ip, apiKey: p.apiKey }, note);
}

interface Incident {
  from: Place;
  to: Place;
  /** The first request from `to` (its `last` moves on while the user stays there). */
  arrived: number;
  distanceKm: number;
  effectiveKm: number;
  gapMs: number;
  speedKmh: number;
  until: number;
  end: number;
  privileged: string | null;
  samples: EvidenceSample[];
  /** Moves back and forth between the two places after the first (absorbed into this incident). */
  alternations: number;
  /** Every request at either place while the incident was open came with one user agent. */
  oneClient: boolean;
  /** The user is a service account (by its name or a role): a machine, not a traveller. */
  service: boolean;
}

interface UserState {
  cur: Place | null;
  incident: Incident | null;
}

export const impossibleTravel: Detector<TravelOptions> = {
  meta: {
    id: 'impossible-travel',
    title: 'Impossible travel',
    description: 'One user active from two places whose distance over the time between them needs an impossible speed.',
    severity: 'high',
    references: ['OWASP Logging Vocabulary authn_impossible_travel', 'OWASP API2:2023 Broken Authentication'],
    readsRecord: false,
    options: {
      maxSpeedKmh: 1000,
      minDistanceKm: 500,
      defaultRadiusKm: 100,
      sameCountryMinKm: 1500,
      minGapMinutes: 1,
      escalateMinutes: 60,
    },
    requires: { allOf: ['user'], anyOf: ['ip', 'country'] },
    unavailableImpact: 'travel per user cannot be judged',
    needsGeo: true,
    mergeGapMs: (o) => o.escalateMinutes * 60_000,
  },

  create(ctx) {
    const o = ctx.options;
    const m = ruleMatchers(ctx.rules);
    const adminRoles = m.adminRoles;
    let countryOnly = 0;
    const users = keyedState<UserState>(ctx, {
      // After a day, any two places on Earth are reachable at the speed limit.
      idleMs: 24 * 3_600_000,
      onRemove: (k, s) => {
        if (s.incident) emit(k, s.incident);
      },
    });

    function privilegedUse(e: EnrichedEvent): string | null {
      if (m.admin(e.template)) return `admin route ${e.template}`;
      const role = hasRole(e, adminRoles);
      if (role && WRITE_METHODS.has(e.method ?? '')) return `${e.method} as role ${role}`;
      if (m.export(e.template)) return `export route ${e.template}`;
      return null;
    }

    function emit(user: string, inc: Incident): void {
      // Back and forth many times, one client, one country: a phone between home wifi and its carrier,
      // whose addresses GeoIP places apart, or a VPN switched on and off; not a journey. Two parties
      // sharing the account with the same client would look alike, so it stays an alert.
      const flipping = inc.alternations >= 2 && inc.oneClient && inc.from.geo.country !== undefined && inc.from.geo.country === inc.to.geo.country;
      const severity: Severity = inc.privileged ? 'critical' : flipping || inc.service ? 'medium' : 'high';
      const reason = inc.privileged
        ? `travel at ${Math.round(inc.speedKmh)} km/h combined with ${inc.privileged}: a likely account takeover in use`
        : inc.service
          ? `a service account, not a person: used from places ${Math.round(inc.effectiveKm)} km apart within ${fmtDuration(inc.gapMs)}, which is most often one deployment in several regions (a monitor, a CI fleet); a stolen key used from elsewhere looks alike, so check that both places are yours`
          : flipping
          ? `the account went back and forth ${inc.alternations + 1} times between the two places within one country, with one client (the same user agent): more likely one device whose networks geolocate apart (a mobile carrier, a VPN) than travel; two people sharing the account with the same client would look alike`
          : `${Math.round(inc.effectiveKm)} km (after accuracy radii) in ${fmtDuration(inc.gapMs)} needs ${Math.round(inc.speedKmh)} km/h: stolen credentials or session reuse`;
      // The departure is the last request from the old place, the arrival the first from the new.
      const leg = (p: Place, time: number): Record<string, unknown> => ({
        time: new Date(time).toISOString(),
        ip: p.ip,
        city: p.geo.city ?? null,
        region: p.geo.region ?? null,
        country: p.geo.country ?? null,
        lat: p.lat,
        lon: p.lon,
        accuracyRadiusKm: p.radius,
      });
      ctx.report({
        rule: 'impossible-travel',
        severity,
        title: 'Impossible travel',
        subject: { user },
        start: inc.from.last,
        end: inc.end,
        summary: `user ${user} was active from ${placeName(inc.from.geo)} (${inc.from.ip}) and ${fmtDuration(inc.gapMs)} later from ${placeName(inc.to.geo)} (${inc.to.ip}), ${Math.round(inc.distanceKm)} km apart: ${Math.round(inc.speedKmh)} km/h needed.`,
        severityReason: reason,
        evidence: {
          metrics: {
            distanceKm: round(inc.distanceKm, 0),
            effectiveDistanceKm: round(inc.effectiveKm, 0),
            gapMinutes: round(inc.gapMs / 60_000, 1),
            speedKmh: round(inc.speedKmh, 0),
            concurrent: inc.gapMs < o.minGapMinutes * 60_000,
            alternations: inc.alternations,
          },
          thresholds: { maxSpeedKmh: o.maxSpeedKmh, minDistanceKm: o.minDistanceKm, sameCountryMinKm: o.sameCountryMinKm },
          samples: inc.samples,
          legs: [leg(inc.from, inc.from.last), leg(inc.to, inc.arrived)],
        },
      });
    }

    /** Within the minimum distance of `p`, accuracy radii subtracted: the same place for travel. */
    function near(a: Place, p: Place): boolean {
      return haversineKm(a.lat, a.lon, p.lat, p.lon) - a.radius - p.radius < o.minDistanceKm;
    }

    return {
      event(e) {
        users.sweep(e.ts);
        if (!e.user || !e.ip) return;
        const s = e.status;
        if (s !== undefined ? s >= 400 : e.auth !== 'success') return;
        if (e.auth === 'failure' || e.auth === 'denied') return;
        const st = users.get(e.user);
        if (st?.incident) {
          if (e.ts > st.incident.until) {
            emit(e.user, st.incident);
            st.incident = null;
          } else if (e.ip === st.incident.to.ip) {
            if (e.ts > st.incident.end) st.incident.end = e.ts;
            const p = privilegedUse(e);
            if (p && !st.incident.privileged) {
              st.incident.privileged = p;
              st.incident.samples.push(sampleOf(e, p));
            }
          }
        }
        if (allowlisted(m, e)) return;
        const cur = st?.cur;
        if (cur && cur.ip === e.ip) {
          cur.last = e.ts;
          cur.source = e.source;
          cur.requestId = e.requestId;
          cur.apiKey = e.apiKey;
          cur.method = e.method;
          cur.path = e.path;
          cur.status = e.status;
          cur.privileged ??= privilegedUse(e);
          if (st!.incident !== null && cur.ua !== e.userAgent) st!.incident.oneClient = false;
          cur.ua = e.userAgent;
          return;
        }
        const g = locate(ctx.geo, e);
        if (!g || g.reserved) return;
        if (g.lat === undefined || g.lon === undefined) {
          countryOnly++;
          return;
        }
        const place: Place = {
          ip: e.ip,
          geo: g,
          lat: g.lat,
          lon: g.lon,
          radius: g.radiusKm ?? o.defaultRadiusKm,
          last: e.ts,
          source: e.source,
          requestId: e.requestId,
          apiKey: e.apiKey,
          method: e.method,
          path: e.path,
          status: e.status,
          privileged: privilegedUse(e),
          ua: e.userAgent,
        };
        const state = users.find(e.user, e.ts) ?? users.add(e.user, e.ts, { cur: null, incident: null });
        const prev = state.cur;
        state.cur = place;
        if (!prev) return;
        const open = state.incident;
        if (open !== null && ((near(prev, open.from) && near(place, open.to)) || (near(prev, open.to) && near(place, open.from)))) {
          // From one of the incident's two places to the other: the same incident goes on, one
          // alternation more. (A new address in the same city is no move between them.)
          open.alternations++;
          // Admin work on arriving at the new place again counts as at the first arrival (the old
          // place's is the owner's established use, as for a single move).
          if (place.privileged !== null && open.privileged === null && near(place, open.to)) {
            open.privileged = place.privileged;
            open.samples.push(sampleOf(e, place.privileged));
          }
          if (prev.ua !== place.ua || open.from.ua !== place.ua) open.oneClient = false;
          open.end = e.ts;
          open.until = e.ts + o.escalateMinutes * 60_000;
          return;
        }
        const d = haversineKm(prev.lat, prev.lon, place.lat, place.lon);
        const eff = Math.max(0, d - prev.radius - place.radius);
        if (eff < o.minDistanceKm) return; // the same area: the new IP is simply the current place
        if (prev.geo.country && prev.geo.country === g.country && eff < o.sameCountryMinKm) return;
        const gap = Math.max(0, e.ts - prev.last);
        const hours = Math.max(gap, o.minGapMinutes * 60_000) / 3_600_000;
        const speed = eff / hours;
        if (speed <= o.maxSpeedKmh) return;
        if (state.incident) {
          emit(e.user, state.incident);
          state.incident = null;
        }
        const samples = [sampleOfPlace(prev, `last seen at ${placeName(prev.geo)}`), sampleOf(e, `first seen at ${placeName(g)}`)];
        state.incident = {
          from: prev,
          to: place,
          arrived: e.ts,
          distanceKm: d,
          effectiveKm: eff,
          gapMs: gap,
          speedKmh: speed,
          until: e.ts + o.escalateMinutes * 60_000,
          end: e.ts,
          privileged: place.privileged,
          samples,
          alternations: 0,
          oneClient: prev.ua === place.ua,
          service: isServicePrincipal(e.user, e.roles),
        };
      },
      end() {
        if (countryOnly > 0) ctx.note(`${countryOnly} events located only to a country: not judged for travel`);
      },
    };
  },
};
