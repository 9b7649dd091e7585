/**
 * authorization-probing: one actor refused on many different operations in a short time.
 *
 * A stolen or low-privilege credential is tried against what it might be allowed to do: admin
 * routes, other tenants' functions, every cloud API it can name (OWASP API5 broken function-level
 * authorisation; in CloudTrail, the AccessDenied bursts of permission enumeration). The requests
 * authenticate, so credential-stuffing does not see them; the routes exist, so they are not 404s.
 *
 * - A refusal: a status in `deniedStatuses` (403), or, in logs of actions without HTTP statuses
 *   (CloudTrail), an access-denied error, of an authenticated caller (a user or an API key: an
 *   anonymous scanner refused by a WAF is endpoint-probing's). Not a 401: an expired token is
 *   refused everywhere at once, and authentication failures are credential-stuffing's business.
 *   Not on a login route.
 * - A burst: at least `distinctDenied` distinct operations (method + route template, or the action)
 *   refused within `windowMinutes`. Operations, not requests: a client retrying one forbidden call
 *   stays quiet; ids on one route count once (that is bola-enumeration's business).
 * - What it then managed: a success, while the incident is open, on an admin route, on an
 *   operation that hands out secrets (`secretOperations`), or a write to a route it was refused on,
 *   by an actor without an admin role (`policy.adminRoles`). That raises the alert to high.
 * - A permission change looks the same for every user of a feature: when most of the refused
 *   operations were refused to `sharedActors` other actors within a day of it (SHARED_MS), the
 *   alert is lowered to low, unless something privileged succeeded. A batch run judges that a day
 *   after the incident, so the first users a change refused are judged as the last.
 *
 * One incident per actor; a quiet gap of `incidentGapMinutes` without refusals ends it.
 */
import type { EnrichedEvent } from '../../enrich/types.js';
import type { Alert, Detector, EvidenceSample, Severity } from '../types.js';
import { keyedState } from '../state.js';
import { actorName, bump, fmtDuration, Samples, sampleOf, subjectOfActor, topCounts, type SampleSource } from '../util/evidence.js';
import { allowlisted, hasRole, ruleMatchers, WRITE_METHODS } from '../util/rules.js';
import { compileRouteList, routePatternSource } from '../../rules/match.js';
import { shouldCompact } from '../util/queue.js';

export type AuthorizationProbingOptions = {
  /** Sliding window for distinct refused operations, minutes. */
  windowMinutes: number;
  /** Distinct operations refused within the window that make a burst. */
  distinctDenied: number;
  /** HTTP statuses that mean "authenticated, but not allowed". */
  deniedStatuses: number[];
  /** A quiet gap without refusals longer than this ends the incident, minutes. */
  incidentGapMinutes: number;
  /** Route patterns (rules/routes.yaml syntax) of operations that hand out secrets or keys. */
  secretOperations: string[];
  /** Other actors refused the same operations before the burst reads as a permission change. */
  sharedActors: number;
  /** Samples kept per incident. */
  maxSamples: number;
};

/**
 * Operations that return secrets, keys or decrypted data. The AWS ones are CloudTrail actions
 * (eventSource:eventName, the route template of such events): MITRE ATT&CK T1552.005 and T1555.006.
 */
const SECRET_OPERATIONS = [
  '/**/secrets/**', '/**/api-keys/**', '/**/apikeys/**', '/**/credentials/**', '/**/service-accounts/{id}/keys/**',
  're:^secretsmanager\\.amazonaws\\.com:(Batch)?GetSecretValue$',
  're:^ssm\\.amazonaws\\.com:GetParameter(s|sByPath)?$',
  're:^apigateway\\.amazonaws\\.com:GetApiKeys?$',
  're:^kms\\.amazonaws\\.com:Decrypt$',
  're:^ec2\\.amazonaws\\.com:GetPasswordData$',
  're:^iam\\.amazonaws\\.com:CreateAccessKey$',
  're:^sts\\.amazonaws\\.com:GetFederationToken$',
];

interface Success {
  operation: string;
  status?: number;
  why: 'admin' | 'secret' | 'write';
}

interface Incident {
  start: number;
  end: number;
  denied: number;
  /** Distinct refused operations. */
  operations: Map<string, number>;
  /** Refusals per folder or service. */
  families: Map<string, number>;
  /** Route templates (or actions) refused: a write that succeeds on one of them is privileged. */
  routes: Set<string>;
  peak: number;
  successes: Success[];
  keep: EvidenceSample[];
  samples: Samples;
  statuses: Map<string, number>;
  userAgents: Map<string, number>;
  ips: Map<string, number>;
}

/** A refusal in an actor's window: enough to count it and to sample it once a burst opens. */
interface Refusal extends SampleSource {
  op: string;
  route: string;
  userAgent: string | undefined;
}

interface ActorState {
  /** Refusals in the window, oldest first (from `head`). */
  q: Refusal[];
  head: number;
  counts: Map<string, number>;
  incident: Incident | null;
  /** Privileged successes since the actor's last refusals, before any burst (the last few). */
  recent: Array<{ ts: number; op: string; route: string; why: Success['why']; status: number | undefined; sample: EvidenceSample }>;
}

const MAX_QUEUE = 5_000;
const MAX_RECENT = 5;
/** Closed incidents waiting for their judgement (see SHARED_MS). */
const MAX_PENDING = 2_000;
const MAX_OPERATIONS = 500;
const HOUR = 3_600_000;
/**
 * Refusals of other actors count as "shared" within this time of an incident, before or after it:
 * a permission change refuses its users as they come online over the day, an attacker who tries
 * the same calls days later is not one of them. A batch run therefore judges an incident once
 * event time is this far past its end (or at the end of the input).
 */
const SHARED_MS = 24 * HOUR;

/** A success: a 2xx, or for logs of actions without statuses, an outcome the source calls a success. */
const ok = (e: EnrichedEvent): boolean => {
  const s = e.status;
  return s !== undefined ? s >= 200 && s < 300 : e.auth === 'success';
};

/**
 * Which actors each operation was refused to, and when last: enough to tell a refusal many share
 * from one's own. Operations are kept in the order of their last refusal and expire after
 * `keepMs` of event time, so memory follows the refusal rate, not the input.
 */
class RefusalLedger {
  private readonly ops = new Map<string, { last: number; actors: Map<string, number> }>();
  constructor(
    private readonly keepMs: number,
    private readonly maxOps = 20_000,
    private readonly maxActors = 32,
  ) {}

  note(op: string, actor: string, ts: number): void {
    let x = this.ops.get(op);
    if (x === undefined) x = { last: ts, actors: new Map() };
    else this.ops.delete(op); // re-inserted below: the map stays in order of last refusal
    if (x.actors.has(actor) || x.actors.size < this.maxActors) x.actors.set(actor, ts);
    if (ts > x.last) x.last = ts;
    this.ops.set(op, x);
    for (const [k, v] of this.ops) {
      if (this.ops.size <= this.maxOps && v.last >= ts - this.keepMs) break;
      this.ops.delete(k);
    }
  }

  /** Actors other than `actor` refused `op` last within [from, to]. */
  others(op: string, actor: string, from: number, to: number): number {
    const x = this.ops.get(op);
    if (x === undefined) return 0;
    let n = 0;
    for (const [a, t] of x.actors) if (a !== actor && t >= from && t <= to) n++;
    return n;
  }
}

/** The operation: the action, or the method and route template. */
function operationOf(e: EnrichedEvent): string {
  if (e.action !== undefined) return e.action;
  return e.method === undefined ? e.template : `${e.method} ${e.template}`;
}

/** Folder of an operation's route ("GET /api/v1/admin/users/{id}" -> "/api/v1/admin/users"), or an action's service. */
function familyOf(op: string): string {
  const sp = op.indexOf(' ');
  const t = sp >= 0 ? op.slice(sp + 1) : op;
  if (t.charCodeAt(0) !== 47) {
    const i = t.indexOf(':');
    return i > 0 ? t.slice(0, i) : t;
  }
  let end = t.length;
  while (end > 1 && t.charCodeAt(end - 1) === 47) end--;
  const i = t.lastIndexOf('/', end - 1);
  return i <= 0 ? '/' : t.slice(0, i).toLowerCase();
}

function newIncident(ts: number): Incident {
  return {
    start: ts,
    end: ts,
    denied: 0,
    operations: new Map(),
    families: new Map(),
    routes: new Set(),
    peak: 0,
    successes: [],
    keep: [],
    samples: new Samples(5, 5),
    statuses: new Map(),
    userAgents: new Map(),
    ips: new Map(),
  };
}

export const authorizationProbing: Detector<AuthorizationProbingOptions> = {
  meta: {
    id: 'authorization-probing',
    title: 'Authorization probing',
    description:
      'One actor refused (403, access denied) on many different operations in a short time: a credential feeling out what it may do (admin functions, other cloud services), and what it then managed.',
    severity: 'medium',
    references: [
      'OWASP API5:2023 Broken Function Level Authorization',
      'MITRE ATT&CK T1069 Permission Groups Discovery',
      'MITRE ATT&CK T1580 Cloud Infrastructure Discovery',
      'CWE-285',
    ],
    readsRecord: false,
    options: {
      windowMinutes: 10,
      distinctDenied: 10,
      deniedStatuses: [403],
      incidentGapMinutes: 30,
      secretOperations: SECRET_OPERATIONS,
      sharedActors: 3,
      maxSamples: 10,
    },
    requires: { anyOf: ['user', 'apiKey'] },
    unavailableImpact: 'refusals of authenticated callers cannot be told from anonymous ones (endpoint-probing judges those)',
    mergeGapMs: (o) => o.incidentGapMinutes * 60_000,
    checkOption(key, value) {
      if (key !== 'secretOperations') return null;
      const list = value as string[];
      for (let i = 0; i < list.length; i++) {
        try {
          routePatternSource(list[i]!);
        } catch (err) {
          return { index: i, problem: (err as Error).message };
        }
      }
      return null;
    },
  },

  create(ctx) {
    const o = ctx.options;
    const windowMs = o.windowMinutes * 60_000;
    const denied = new Set(o.deniedStatuses);
    const m = ruleMatchers(ctx.rules);
    let isSecretOp: (t: string) => boolean;
    try {
      isSecretOp = compileRouteList(o.secretOperations);
    } catch (err) {
      ctx.unavailable(`bad secretOperations pattern: ${(err as Error).message}`);
      return {};
    }
    const ledger = new RefusalLedger(3 * SHARED_MS);

    // A batch run judges an incident once the refusals of others around it are all read (SHARED_MS
    // past its end); live, when it closes, on what has been read.
    const closed: Array<{ actor: string; inc: Incident }> = [];
    const judge = (c: { actor: string; inc: Incident }): void => ctx.report(incidentAlert(c.actor, c.inc));
    const emit = (actor: string, st: ActorState): void => {
      const inc = st.incident;
      if (!inc) return;
      if (ctx.live === true) judge({ actor, inc });
      else {
        closed.push({ actor, inc });
        if (closed.length > MAX_PENDING) judge(closed.shift()!);
      }
    };
    const judgeClosed = (now: number): void => {
      while (closed.length > 0 && closed[0]!.inc.end + SHARED_MS < now) judge(closed.shift()!);
    };
    const table = keyedState<ActorState>(ctx, { idleMs: o.incidentGapMinutes * 60_000, onRemove: (actor, st) => emit(actor, st) });
    const newState = (): ActorState => ({ q: [], head: 0, counts: new Map(), incident: null, recent: [] });

    /** A refusal of an authenticated caller: an anonymous client refused is endpoint-probing's. */
    const isRefusal = (e: EnrichedEvent): boolean => {
      const s = e.status;
      const refused = s !== undefined ? denied.has(s) : e.auth === 'denied';
      return refused && (e.user !== undefined || e.apiKey !== undefined) && !m.login(e.template);
    };

    const touchIncident = (inc: Incident, ts: number): void => {
      if (ts < inc.start) inc.start = ts;
      if (ts > inc.end) inc.end = ts;
    };
    const countAgent = (inc: Incident, ua: string | undefined): void => {
      if (ua !== undefined) bump(inc.userAgents, ua.length > 120 ? `${ua.slice(0, 117)}...` : ua, 1, 100);
    };

    const countRefusal = (inc: Incident, r: Refusal): void => {
      inc.denied++;
      if (inc.operations.has(r.op) || inc.operations.size < MAX_OPERATIONS) bump(inc.operations, r.op);
      bump(inc.families, familyOf(r.op), 1, 500);
      if (inc.routes.size < MAX_OPERATIONS) inc.routes.add(r.route);
      countAgent(inc, r.userAgent);
      bump(inc.statuses, r.status === undefined ? 'access denied' : String(r.status));
      if (r.ip !== undefined) bump(inc.ips, r.ip, 1, 100);
      inc.samples.add(r, `refused: ${r.op}`);
    };

    function incidentAlert(actor: string, i: Incident): Alert {
      const who = actorName(actor);
      const ops = [...i.operations.keys()];
      const shared = ops.filter((op) => ledger.others(op, actor, i.start - SHARED_MS, i.end + SHARED_MS) >= o.sharedActors).length;
      const widespread = ops.length > 0 && shared / ops.length >= 0.8;
      let severity: Severity;
      let reason: string;
      if (i.successes.length > 0) {
        // A success outweighs shared refusals: an attacker tries what the user interface calls too.
        severity = 'high';
        const s = i.successes[0]!;
        const what = s.why === 'admin' ? 'an admin operation' : s.why === 'secret' ? 'an operation that hands out secrets' : 'a write to a route it had been refused on';
        reason = `among the refusals it succeeded at ${what}, without an admin role: ${i.successes.slice(0, 3).map((x) => x.operation).join(', ')}`;
        if (widespread) reason += ` (most of the refused operations were refused to other actors as well)`;
      } else if (widespread) {
        severity = 'low';
        reason = `${shared} of the ${ops.length} refused operations were refused to at least ${o.sharedActors} other actors as well: more likely a permission change or a client calling what its users may not, than probing`;
      } else {
        severity = 'medium';
        reason = `${ops.length} different operations refused within ${o.windowMinutes} min; nothing privileged succeeded`;
      }
      const span = i.end > i.start ? ` over ${fmtDuration(i.end - i.start)}` : '';
      const parts = [`refused ${i.denied} time${i.denied === 1 ? '' : 's'} on ${ops.length} different operations (peak ${i.peak} in ${o.windowMinutes} min)`];
      if (i.successes.length > 0) parts.push(`then succeeded at ${i.successes.slice(0, 3).map((s) => s.operation).join(', ')}`);
      const evidence: Alert['evidence'] = {
        metrics: {
          distinctDenied: ops.length,
          denied: i.denied,
          peakDistinctInWindow: i.peak,
          windowMinutes: o.windowMinutes,
          privilegedSuccesses: i.successes.length,
          sharedOperations: shared,
        },
        thresholds: { distinctDenied: o.distinctDenied, windowMinutes: o.windowMinutes, sharedActors: o.sharedActors },
        samples: i.samples.list(i.keep, o.maxSamples),
        operations: topCounts(i.operations, 10),
        families: topCounts(i.families, 5),
        statuses: topCounts(i.statuses, 5),
        userAgents: topCounts(i.userAgents, 3),
      };
      if (i.successes.length > 0) evidence.successes = i.successes.slice(0, 10);
      if (i.ips.size > 1) evidence.ips = topCounts(i.ips, 5);
      return {
        rule: 'authorization-probing',
        severity,
        title: i.successes.length > 0
          ? `Authorization probing that reached ${i.successes[0]!.operation} (${who})`
          : `Authorization probing: ${ops.length} operations refused (${who})`,
        subject: subjectOfActor(actor),
        start: i.start,
        end: i.end,
        summary: `${who}: ${parts.join('; ')}${span}.`,
        severityReason: reason,
        evidence,
      };
    }

    /**
     * Why a success would matter after refusals; a write only matters on a route the actor was
     * refused on (checked by the caller). An admin role's admin work is its job, not a way in.
     */
    const privilegedKind = (e: EnrichedEvent): Success['why'] | null => {
      const t = e.template;
      const kind = isSecretOp(t) ? 'secret' : m.admin(t) ? 'admin' : e.method !== undefined && WRITE_METHODS.has(e.method) ? 'write' : null;
      return kind !== null && hasRole(e, m.adminRoles) !== null ? null : kind;
    };

    /** The first success per operation is listed, and sampled (three at most). */
    const addSuccess = (inc: Incident, op: string, why: Success['why'], status: number | undefined, sample: EvidenceSample): void => {
      if (inc.successes.length >= 50 || inc.successes.some((s) => s.operation === op)) return;
      const s: Success = { operation: op, why };
      if (status !== undefined) s.status = status;
      inc.successes.push(s);
      if (inc.keep.length < 3) inc.keep.push({ ...sample, note: `succeeded at ${op} during the refusals` });
    };

    /** Whether the actor's window holds a refusal on `route`. */
    const refusedRoute = (st: ActorState, route: string): boolean => {
      for (let k = st.q.length - 1; k >= st.head; k--) if (st.q[k]!.route === route) return true;
      return false;
    };

    const dropOldest = (st: ActorState): void => {
      const old = st.q[st.head++]!;
      const n = st.counts.get(old.op)! - 1;
      if (n === 0) st.counts.delete(old.op);
      else st.counts.set(old.op, n);
    };

    return {
      event(e) {
        table.sweep(e.ts);
        if (closed.length > 0) judgeClosed(e.ts);
        if (!isRefusal(e)) {
          // Only a privileged success by an actor refused lately matters: most events stop here.
          if (table.size === 0 || !ok(e)) return;
          const st = table.get(e.actor);
          if (st === undefined) return;
          const why = privilegedKind(e);
          if (why === null || m.login(e.template) || allowlisted(m, e)) return;
          const inc = st.incident;
          const op = operationOf(e);
          if (inc === null) {
            // Before a burst opens: remembered (once per operation; a write only on a refused
            // route), and judged if one opens within the window.
            if ((why === 'write' && !refusedRoute(st, e.template)) || st.recent.some((x) => x.op === op)) return;
            if (st.recent.length >= MAX_RECENT) st.recent.shift();
            st.recent.push({ ts: e.ts, op, route: e.template, why, status: e.status, sample: sampleOf(e) });
            return;
          }
          if (why === 'write' && !inc.routes.has(e.template)) return;
          // Not a refusal: the incident still ends incidentGapMinutes after the last one.
          touchIncident(inc, e.ts);
          countAgent(inc, e.userAgent);
          if (e.ip !== undefined) bump(inc.ips, e.ip, 1, 100);
          addSuccess(inc, op, why, e.status, sampleOf(e));
          return;
        }
        if (allowlisted(m, e)) return;
        const op = operationOf(e);
        ledger.note(op, e.actor, e.ts);

        const st = table.touch(e.actor, e.ts, newState);
        while (st.head < st.q.length && st.q[st.head]!.ts < e.ts - windowMs) dropOldest(st);
        // A client retrying one call thousands of times must not fill the window: the oldest go.
        while (st.q.length - st.head >= MAX_QUEUE) dropOldest(st);
        if (shouldCompact(st.head, st.q.length)) {
          st.q = st.q.slice(st.head);
          st.head = 0;
        }
        const r: Refusal = { ts: e.ts, source: e.source, method: e.method, path: e.path, status: e.status, ip: e.ip, requestId: e.requestId, apiKey: e.apiKey, op, route: e.template, userAgent: e.userAgent };
        st.q.push(r);
        st.counts.set(op, (st.counts.get(op) ?? 0) + 1);
        let inc = st.incident;
        if (inc) {
          touchIncident(inc, e.ts);
          countRefusal(inc, r);
        } else if (st.counts.size >= o.distinctDenied) {
          // The burst starts with the window's first refusal: count (and sample) the whole window.
          inc = st.incident = newIncident(st.q[st.head]!.ts);
          touchIncident(inc, e.ts);
          for (let k = st.head; k < st.q.length; k++) countRefusal(inc, st.q[k]!);
          for (const x of st.recent) {
            if (x.ts < inc.start || (x.why === 'write' && !inc.routes.has(x.route))) continue;
            addSuccess(inc, x.op, x.why, x.status, x.sample);
          }
          st.recent = [];
        }
        if (inc && st.counts.size > inc.peak) inc.peak = st.counts.size;
      },
      end() {
        table.flush();
        for (const c of closed) judge(c);
        closed.length = 0;
      },
    };
  },
};
