/**
 * endpoint-probing: one actor feeling out the API surface.
 *
 * - 404 storm: at least `distinctNotFound` distinct routes (route templates, so ids that do not
 *   exist on a real route count once: that is enumeration, bola-enumeration's business) answered
 *   404/410 within a sliding `windowMinutes` window (forced browsing, directory brute force, fuzzing).
 * - Sensitive paths: requests for files and consoles that should never be reachable (`/.env`,
 *   `/.git/`, backups, `*.bak`, `/actuator/env`, `/wp-admin`, `/server-status`, `/phpmyadmin`...).
 *   They are matched on the route template (so verdicts are cached per route).
 * - Probe turned success: during a storm, a 2xx on a route whose folder (route family) had at least
 *   `familyMinNotFound` distinct missing routes from the same actor; or a sensitive path answered 2xx.
 *
 * One incident per actor (a quiet gap of `incidentGapMinutes` without 404s or sensitive probes ends it).
 * Severity: a secret-bearing file answered 2xx -> critical; a storm that found something (2xx in a
 * probed family, or an admin console answered 2xx) -> high; a storm, 3+ distinct sensitive probes or
 * a reachable admin console -> medium; one or two refused sensitive probes -> low. When several
 * different sensitive files are answered 2xx with the same byte count, the server is probably
 * answering everything (a soft 404): the verdict is lowered to medium and says so.
 */
import type { EnrichedEvent } from '../../enrich/types.js';
import type { Alert, Detector, EvidenceSample, Severity } from '../types.js';
import { keyedState } from '../state.js';
import { actorName, bump, fmtDuration, Samples, sampleOf, subjectOfActor, topCounts } from '../util/evidence.js';
import { allowlisted, ruleMatchers } from '../util/rules.js';
import { compileRouteList } from '../../rules/match.js';
import { shouldCompact } from '../util/queue.js';

export type EndpointProbingOptions = {
  /** Sliding window for distinct not-found paths, minutes. */
  windowMinutes: number;
  /** Distinct not-found routes (templates) in the window that make a 404 storm. */
  distinctNotFound: number;
  /** Statuses that mean "no such route". */
  notFoundStatuses: number[];
  /** A quiet gap (no not-found, no sensitive probe) longer than this ends the incident, minutes. */
  incidentGapMinutes: number;
  /** Distinct not-found routes in one folder before a 2xx there counts as a probe that found something. */
  familyMinNotFound: number;
  /** Route patterns of files that leak secrets when served (route syntax of rules/routes.yaml). */
  secretPaths: string[];
  /** Route patterns of admin and diagnostic consoles. */
  adminPaths: string[];
  /** Samples kept per incident. */
  maxSamples: number;
};

const SECRET_PATHS = [
  '/**/.env', '/**/.env.*', '/**/.git', '/**/.git/**', '/**/.svn/**', '/**/.hg/**', '/**/.aws/**', '/**/.ssh/**',
  '/**/.docker/**', '/**/.npmrc', '/**/.htpasswd', '/**/.ds_store', '/**/.idea/**', '/**/.vscode/**', '/**/wp-config.php*',
  '/**/web.config', '/**/phpinfo.php', '/**/id_rsa', '/**/id_rsa.pub', '/**/*.pem', '/**/*.bak', '/**/*.old', '/**/*.orig',
  '/**/*.swp', '/**/*.save', '/**/*.sql', '/**/*.sql.gz', '/**/*~', '/**/*backup*.zip', '/**/*backup*.tar', '/**/*backup*.tar.gz',
  '/**/*backup*.tgz', '/**/*backup*.rar', '/**/*backup*.7z', '/**/*dump*.zip', '/**/*dump*.tar.gz', '/**/*dump*.gz',
];

const ADMIN_PATHS = [
  '/**/wp-admin', '/**/wp-admin/**', '/**/wp-login.php', '/**/xmlrpc.php', '/**/phpmyadmin', '/**/phpmyadmin/**', '/**/pma/**',
  '/**/adminer.php', '/**/server-status', '/**/server-info', '/**/actuator', '/**/actuator/env', '/**/actuator/env/**',
  '/**/actuator/heapdump', '/**/actuator/configprops', '/**/actuator/mappings', '/**/actuator/loggers', '/**/actuator/jolokia/**',
  '/**/actuator/threaddump', '/**/actuator/httptrace', '/**/actuator/trace', '/**/actuator/beans', '/**/actuator/shutdown',
  '/**/actuator/gateway/**', '/**/jmx-console/**', '/**/manager/html', '/**/solr/admin/**', '/**/debug/pprof/**',
  '/**/cgi-bin/**', '/**/_profiler/**',
];

const SECRET = 1;
const ADMIN = 2;

interface SensitiveHit {
  kind: typeof SECRET | typeof ADMIN;
  count: number;
  statuses: Map<string, number>;
  ok: number;
  bytes: number | undefined;
}

interface Incident {
  start: number;
  end: number;
  notFound: number;
  distinct: Set<string>;
  /** Distinct not-found paths per folder. */
  families: Map<string, number>;
  storm: boolean;
  stormStart: number;
  peak: number;
  sensitive: Map<string, SensitiveHit>;
  successes: Array<{ path: string; status: number; kind: 'secret' | 'admin' | 'probe' }>;
  keep: EvidenceSample[];
  samples: Samples;
  statuses: Map<string, number>;
  userAgents: Map<string, number>;
  ips: Map<string, number>;
}

interface ActorState {
  actor: string;
  /** Not-found requests in the window, oldest first (from `head`). */
  q: Array<{ ts: number; path: string }>;
  head: number;
  counts: Map<string, number>;
  incident: Incident | null;
}

const MAX_QUEUE = 20_000;
const MAX_DISTINCT = 10_000;

function family(path: string): string {
  let p = path.toLowerCase();
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

const ok = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;

function newIncident(ts: number): Incident {
  return {
    start: ts,
    end: ts,
    notFound: 0,
    distinct: new Set(),
    families: new Map(),
    storm: false,
    stormStart: ts,
    peak: 0,
    sensitive: new Map(),
    successes: [],
    keep: [],
    samples: new Samples(5, 5),
    statuses: new Map(),
    userAgents: new Map(),
    ips: new Map(),
  };
}

function incidentAlert(actor: string, i: Incident, o: EndpointProbingOptions): Alert | null {
  if (!i.storm && i.sensitive.size === 0) return null;
  const who = actorName(actor);
  const secretOk = [...i.sensitive].filter(([, h]) => h.kind === SECRET && h.ok > 0);
  const adminOk = [...i.sensitive].filter(([, h]) => h.kind === ADMIN && h.ok > 0);
  const probeOk = i.successes.filter((s) => s.kind === 'probe');
  // Several different sensitive files answered 2xx with one size: a catch-all (soft 404) page.
  const okSizes = new Map<string, number>();
  for (const [, h] of [...secretOk, ...adminOk]) if (h.bytes !== undefined) bump(okSizes, String(h.bytes));
  const catchAll = [...okSizes.values()].some((n) => n >= 3);

  let severity: Severity;
  let reason: string;
  if (secretOk.length > 0 && !catchAll) {
    severity = 'critical';
    reason = `a secret-bearing file was served (2xx): ${secretOk.map(([p]) => p).slice(0, 3).join(', ')}`;
  } else if (i.storm && (probeOk.length > 0 || adminOk.length > 0) && !catchAll) {
    severity = 'high';
    reason = `the probing found something: ${[...probeOk.map((s) => `${s.path} -> ${s.status}`), ...adminOk.map(([p]) => `${p} (console)`)].slice(0, 3).join(', ')}`;
  } else if (catchAll) {
    severity = 'medium';
    reason = 'several different sensitive files were answered 2xx with the same size: probably a catch-all page (soft 404), check one by hand';
  } else if (adminOk.length > 0) {
    severity = 'medium';
    reason = `an admin or diagnostic console answered 2xx to this actor: ${adminOk.map(([p]) => p).slice(0, 3).join(', ')}`;
  } else if (i.storm) {
    severity = 'medium';
    reason = `scanning: ${i.distinct.size} distinct missing routes, nothing found`;
  } else if (i.sensitive.size >= 3) {
    severity = 'medium';
    reason = `${i.sensitive.size} distinct sensitive paths probed, none served`;
  } else {
    severity = 'low';
    reason = `${i.sensitive.size} sensitive path${i.sensitive.size === 1 ? '' : 's'} probed, none served`;
  }

  const parts: string[] = [];
  if (i.storm) parts.push(`${i.distinct.size} distinct missing routes (${i.notFound} not-found answers, peak ${i.peak} in ${o.windowMinutes} min)`);
  if (i.sensitive.size > 0) parts.push(`${i.sensitive.size} sensitive path${i.sensitive.size === 1 ? '' : 's'} probed`);
  if (i.successes.length > 0) parts.push(`${i.successes.length} answered 2xx (${i.successes.slice(0, 3).map((s) => `${s.path} -> ${s.status}`).join(', ')})`);
  const sensitive: Record<string, unknown> = {};
  for (const [p, h] of [...i.sensitive].slice(0, 20)) {
    sensitive[p] = { kind: h.kind === SECRET ? 'secret' : 'admin', requests: h.count, statuses: Object.fromEntries(h.statuses) };
  }
  const span = i.end > i.start ? ` over ${fmtDuration(i.end - i.start)}` : '';
  const evidence: Alert['evidence'] = {
    metrics: {
      distinctNotFound: i.distinct.size,
      notFound: i.notFound,
      peakDistinctInWindow: i.peak,
      windowMinutes: o.windowMinutes,
      sensitivePaths: i.sensitive.size,
      answered2xx: i.successes.length,
    },
    thresholds: { distinctNotFound: o.distinctNotFound, windowMinutes: o.windowMinutes, familyMinNotFound: o.familyMinNotFound },
    samples: i.samples.list(i.keep, o.maxSamples),
    statuses: topCounts(i.statuses, 8),
    topFamilies: topCounts(i.families, 5),
    userAgents: topCounts(i.userAgents, 3),
  };
  if (i.sensitive.size > 0) evidence.sensitive = sensitive;
  if (i.successes.length > 0) evidence.successes = i.successes.slice(0, 10);
  if (catchAll) evidence.softNotFound = true;
  if (i.ips.size > 1) evidence.ips = topCounts(i.ips, 5);
  const title = i.successes.length > 0
    ? `Endpoint probing that found ${i.successes[0]!.path} (${who})`
    : i.storm
      ? `Endpoint probing: ${i.distinct.size} missing routes (${who})`
      : `Sensitive path probing (${who})`;
  return {
    rule: 'endpoint-probing',
    severity,
    title,
    subject: subjectOfActor(actor),
    start: i.start,
    end: i.end,
    summary: `${who}: ${parts.join('; ')}${span}.`,
    severityReason: reason,
    evidence,
  };
}

export const endpointProbing: Detector<EndpointProbingOptions> = {
  meta: {
    id: 'endpoint-probing',
    title: 'Endpoint probing',
    description:
      'One actor requesting many non-existent routes (404 storm), sensitive files and consoles (/.env, /.git/, backups, /actuator, /wp-admin...), and probes that turn into a success.',
    severity: 'medium',
    references: ['OWASP OAT-014 Vulnerability Scanning', 'OWASP OAT-018 Footprinting', 'CWE-538', 'MITRE ATT&CK T1595.003'],
    readsRecord: false,
    options: {
      windowMinutes: 5,
      distinctNotFound: 20,
      notFoundStatuses: [404, 410],
      incidentGapMinutes: 30,
      familyMinNotFound: 3,
      secretPaths: SECRET_PATHS,
      adminPaths: ADMIN_PATHS,
      maxSamples: 10,
    },
    requires: { allOf: ['path'] },
    unavailableImpact: 'probing cannot be judged without request paths',
    mergeGapMs: (o) => o.incidentGapMinutes * 60_000,
  },

  create(ctx) {
    const o = ctx.options;
    const windowMs = o.windowMinutes * 60_000;
    const notFound = new Set(o.notFoundStatuses);
    const m = ruleMatchers(ctx.rules);
    let isSecret: (t: string) => boolean;
    let isAdmin: (t: string) => boolean;
    try {
      isSecret = compileRouteList(o.secretPaths);
      isAdmin = compileRouteList(o.adminPaths);
    } catch (err) {
      ctx.unavailable(`bad secretPaths/adminPaths pattern: ${(err as Error).message}`);
      return {};
    }
    // Sensitivity per route template (cached: templates repeat).
    const verdicts = new Map<string, number>();
    const sensitivity = (key: string): number => {
      let v = verdicts.get(key);
      if (v === undefined) {
        v = isSecret(key) ? SECRET : isAdmin(key) ? ADMIN : 0;
        if (verdicts.size >= 50_000) verdicts.clear();
        verdicts.set(key, v);
      }
      return v;
    };

    const table = keyedState<ActorState>(ctx, {
      idleMs: o.incidentGapMinutes * 60_000,
      onRemove: (_k, st) => {
        if (st.incident) {
          const a = incidentAlert(st.actor, st.incident, o);
          if (a) ctx.report(a);
        }
      },
    });
    const newState = (actor: string): ActorState => ({ actor, q: [], head: 0, counts: new Map(), incident: null });

    const touchIncident = (st: ActorState, e: EnrichedEvent): Incident => {
      const inc = (st.incident ??= newIncident(e.ts));
      if (e.ts < inc.start) inc.start = e.ts;
      if (e.ts > inc.end) inc.end = e.ts;
      bump(inc.statuses, e.status === undefined ? 'none' : String(e.status));
      if (e.userAgent !== undefined) bump(inc.userAgents, e.userAgent.length > 120 ? `${e.userAgent.slice(0, 117)}...` : e.userAgent, 1, 100);
      if (e.ip !== undefined) bump(inc.ips, e.ip, 1, 100);
      return inc;
    };

    const recordNotFound = (inc: Incident, path: string): void => {
      inc.notFound++;
      const p = path.toLowerCase();
      if (!inc.distinct.has(p) && inc.distinct.size < MAX_DISTINCT) {
        inc.distinct.add(p);
        bump(inc.families, family(p), 1, 2000);
      }
    };

    return {
      event(e) {
        // Expire idle incidents (the table itself does a full pass only now and then).
        table.sweep(e.ts);
        const path = e.path;
        if (path === undefined) return;
        const status = e.status;
        const isNotFound = status !== undefined && notFound.has(status);
        const sens = sensitivity(e.template);
        if (!isNotFound && sens === 0) {
          // Only a success can matter now: a 2xx inside an actor's storm, in a probed family.
          if (!ok(status)) return;
          const st = table.get(e.actor);
          const inc = st?.incident;
          if (!inc || !inc.storm || path === '/') return;
          const fam = family(e.template);
          if ((inc.families.get(fam) ?? 0) < o.familyMinNotFound) return;
          if (allowlisted(m, e)) return;
          touchIncident(st!, e);
          if (inc.successes.length < 50) inc.successes.push({ path, status: status!, kind: 'probe' });
          if (inc.keep.length < 3) inc.keep.push(sampleOf(e, `answered ${status} after ${inc.families.get(fam)} missing routes under ${fam}`));
          return;
        }
        if (allowlisted(m, e)) return;
        const st = table.touch(e.actor, e.ts, newState);

        if (isNotFound) {
          // Slide the window and count distinct not-found paths in it.
          const q = st.q;
          while (st.head < q.length && q[st.head]!.ts < e.ts - windowMs) {
            const old = q[st.head++]!;
            const n = st.counts.get(old.path)! - 1;
            if (n === 0) st.counts.delete(old.path);
            else st.counts.set(old.path, n);
          }
          if (shouldCompact(st.head, q.length)) {
            st.q = q.slice(st.head);
            st.head = 0;
          }
          const route = e.template;
          if (st.q.length - st.head < MAX_QUEUE) {
            st.q.push({ ts: e.ts, path: route });
            st.counts.set(route, (st.counts.get(route) ?? 0) + 1);
          }
          const distinct = st.counts.size;
          let inc = st.incident;
          if (inc) {
            touchIncident(st, e);
            recordNotFound(inc, route);
          }
          if (distinct >= o.distinctNotFound) {
            if (!inc || !inc.storm) {
              // The storm starts with the window's first not-found request: count the whole window.
              const first = st.q[st.head]!;
              inc = touchIncident(st, e);
              if (first.ts < inc.start) inc.start = first.ts;
              inc.storm = true;
              inc.stormStart = first.ts;
              inc.notFound = 0;
              inc.distinct.clear();
              inc.families.clear();
              for (let k = st.head; k < st.q.length; k++) recordNotFound(inc, st.q[k]!.path);
            }
          }
          // The peak of the window's distinct missing routes, for any incident (one opened by
          // sensitive paths too), so it never reads 0 beside the missing routes it counted.
          if (st.incident && distinct > st.incident.peak) st.incident.peak = distinct;
          if (st.incident) st.incident.samples.add(e, sens ? `sensitive path, ${status}` : `not found`);
        }

        if (sens !== 0) {
          const fresh = st.incident === null;
          const inc = touchIncident(st, e);
          if (fresh && isNotFound) {
            // Opened by this probe, after the not-found bookkeeping above: count it as the rest are.
            recordNotFound(inc, e.template);
            if (st.counts.size > inc.peak) inc.peak = st.counts.size;
            inc.samples.add(e, `sensitive path, ${status}`);
          }
          const key = e.template;
          let h = inc.sensitive.get(key);
          if (!h) {
            if (inc.sensitive.size >= 200) return;
            inc.sensitive.set(key, (h = { kind: sens as typeof SECRET | typeof ADMIN, count: 0, statuses: new Map(), ok: 0, bytes: undefined }));
          }
          h.count++;
          bump(h.statuses, status === undefined ? 'none' : String(status));
          if (ok(status) && e.bytesOut !== 0) {
            h.ok++;
            h.bytes = e.bytesOut;
            if (inc.successes.length < 50) inc.successes.push({ path, status: status!, kind: sens === SECRET ? 'secret' : 'admin' });
            if (inc.keep.length < 3) inc.keep.push(sampleOf(e, `${sens === SECRET ? 'secret-bearing file' : 'admin console'} served (${status})`));
          } else if (!isNotFound) {
            inc.samples.add(e, `sensitive path, ${status ?? 'no status'}`);
          }
        }
      },
    };
  },
};
