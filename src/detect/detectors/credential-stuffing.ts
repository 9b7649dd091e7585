/**
 * credential-stuffing (OWASP API2:2023, OAT-008/OAT-007): failed authentication per source IP, per
 * account and across the tenant, classified by the distribution of attempts per (IP, account):
 *   stuffing           one IP, many accounts, one or two tries each
 *   password-spraying  one IP, several accounts, a few tries each, paced
 *   brute-force        one IP hammering one account (or accounts the log does not name)
 *   distributed        many IPs against one account, or many IPs against many accounts
 * A later success from the attacking IP, or on a targeted account, escalates. Shared egress (office NAT)
 * stays quiet: the IP's failure ratio is low and most failing accounts also succeed from it.
 *
 * A distributed wave's hits come from addresses that try once, so "a success from the attacking IP"
 * never sees them: a login that succeeds during the wave is the wave's (judgeWaveLogin, tieByNet)
 * when its IP failed on other accounts in the wave, or when the address is new to the account and
 * sits in a network the wave's failing IPs crowd (waveNetMinIps); never from the account's own usual
 * network (seen in the input or the baseline file), nor right after a mistype of the same account
 * from the same IP, nor from an address other accounts log in from, nor by network while most of
 * the "wave" is people who went on to log in (a busy morning, not an attack).
 */
import ipaddr from 'ipaddr.js';
import type { EnrichedEvent } from '../../enrich/types.js';
import type { Alert, Detector, EvidenceSample, Severity } from '../types.js';
import { keyedState } from '../state.js';
import { allowlisted, ruleMatchers } from '../util/rules.js';
import { bump, fmtDuration, round, sampleOf, Samples, topCounts } from '../util/evidence.js';
import { shouldCompact, TimeQueue } from '../util/queue.js';
import { reservedRange } from '../../enrich/reserved.js';

export type CredentialOptions = {
  /** Campaign window per IP and per account, minutes. */
  windowMinutes: number;
  /** Fallback burst rule: more than this many failures within 60 s from one IP. */
  burstPerMinute: number;
  stuffingMinAccounts: number;
  stuffingMinFailures: number;
  sprayMinAccounts: number;
  sprayMinFailures: number;
  /** Spraying is paced: the IP's failures must span at least this long, minutes. */
  sprayMinMinutes: number;
  /** Failures against one account from one IP in the window. */
  bruteForceFailures: number;
  /** Distributed against one account: this many IPs... */
  distributedMinIps: number;
  /** ...with this many failures in the window. */
  distributedMinFailures: number;
  /** Tenant-wide spread (many IPs, many accounts, few tries per IP) within this window, minutes. */
  spreadWindowMinutes: number;
  spreadMinIps: number;
  spreadMinAccounts: number;
  spreadMinFailures: number;
  /** An IP must have at least this share of failures among its login attempts (shared egress stays below). */
  minFailureRatio: number;
  /** A success this long after the last failure still counts as "success after attack", minutes. */
  successLookbackMinutes: number;
  /**
   * During a distributed wave, a login from an address new to its account is the wave's when its
   * network (IPv4 /16, IPv6 /48) holds at least this many of the wave's failing IPs.
   */
  waveNetMinIps: number;
};

type Outcome = 'fail' | 'ok' | null;

/** A sliding window of failures keyed by something (account or IP), with per-key counts. */
/** Accounts whose first call in the window an address keeps (see okNamedCalls). */
const NAMED_CALLS_CAP = 1_000;

/** A failure in a window: its key (account, IP), and where it came from for an incident's breakdown. */
interface Fail {
  key: string;
  userAgent: string | undefined;
  route: string | undefined;
  /** A success's sample (windows of successes), for an incident that opens after it. */
  sample: EvidenceSample | undefined;
}

class FailWindow {
  /** The failures, in time order. */
  q = new TimeQueue<Fail>();
  counts = new Map<string, number>();
  /** `e`: the failure, whose user agent and route an incident opened on this window counts. */
  add(ts: number, key: string, e?: EnrichedEvent, sample?: EvidenceSample): void {
    this.q.push(ts, { key, userAgent: e?.userAgent, route: e?.template, sample });
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  slide(cutoff: number): void {
    const q = this.q;
    while (q.size > 0 && q.firstTime() < cutoff) {
      const k = q.shift().key;
      const n = this.counts.get(k)! - 1;
      if (n === 0) this.counts.delete(k);
      else this.counts.set(k, n);
    }
  }
  get size(): number {
    return this.q.size;
  }
  get first(): number {
    return this.q.size > 0 ? this.q.firstTime() : NaN;
  }
  /** Failures since `since`. */
  countSince(since: number): number {
    let lo = 0;
    let hi = this.q.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.q.timeAt(mid) < since) lo = mid + 1;
      else hi = mid;
    }
    return this.q.size - lo;
  }
}

/**
 * Requests counted per bucket of time: the denominator of an IP's share of failed API calls. An
 * office NAT makes thousands of good requests an hour; they cost a few numbers here, not an entry each.
 */
class BucketCounts {
  private starts: number[] = [];
  private counts: number[] = [];
  private head = 0;
  total = 0;

  constructor(private readonly bucketMs: number) {}

  add(ts: number): void {
    const n = this.starts.length;
    // A late record is counted in the newest bucket: this is a share, not a timeline.
    if (n > this.head && this.starts[n - 1]! >= ts - (ts % this.bucketMs)) this.counts[n - 1]!++;
    else {
      this.starts.push(ts - (ts % this.bucketMs));
      this.counts.push(1);
    }
    this.total++;
  }

  /** Forget the buckets that ended before `cutoff`. */
  slide(cutoff: number): void {
    while (this.head < this.starts.length && this.starts[this.head]! + this.bucketMs <= cutoff) this.total -= this.counts[this.head++]!;
    if (shouldCompact(this.head, this.starts.length)) {
      this.starts = this.starts.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.head = 0;
    }
  }
}

/** How long after a login that named no account the IP's requests as an account name the takeover. */
const ACTED_AS_MS = 10 * 60_000;

interface Incident {
  kind: 'ip' | 'account' | 'spread';
  subjectValue: string;
  start: number;
  end: number;
  lastFail: number;
  failures: number;
  /** Of `failures`, those on API calls rather than login routes (a 401: a bad or expired key or token). */
  apiFailures: number;
  perKey: Map<string, number>;
  other: Map<string, number>;
  uas: Map<string, number>;
  samples: Samples;
  successes: EvidenceSample[];
  successUsers: Map<string, number>;
  /** When and from where each account (of successUsers, then of actedAs) was first used by the attack. */
  firstUse: Map<string, { at: number; ip: string | undefined }>;
  /** Time of the last login success from the attacking source (-Infinity before one). */
  lastSuccess: number;
  /**
   * Accounts the attacking IP acted as right after a login success that named none (real gateways
   * log the login request without a user): the account it most likely took over.
   */
  actedAs: Map<string, number>;
  /** The first request as each of those accounts. */
  actedAsSamples: EvidenceSample[];
  successElsewhere: EvidenceSample[];
  burstPeak: number;
  routes: Map<string, number>;
  /** Live: the failures counted when the open incident was last said (0: not yet). */
  saidAt: number;
  /** Spread only: the wave's failing IPs per network (netOf), those that went on to log in as the account they failed on left out. */
  nets?: Map<string, number>;
  /** Spread only: IPs that failed on an account during the wave and logged in as it (people mistyping). */
  recovered?: Set<string>;
  /** Spread only: of `recovered`, those not among the wave's IPs (perKey). */
  recoveredOutside?: number;
  /**
   * Spread only: logins during the wave from addresses new to their account that no IP of the wave
   * made; whether the wave's networks tie them to it is judged when it is said (the wave's networks
   * are known in full only then), and live at once.
   */
  waveLogins?: WaveLogin[];
  /** Of those, beyond the ones kept (counted as not tied). */
  waveLoginsDropped?: number;
  /** Spread only: the successes tied to the wave by network, and by IP. */
  netTied?: number;
  ipTied?: number;
}

interface IpState {
  /** Failures on login routes. */
  fails: FailWindow;
  /**
   * Authentication failures on other routes (401s: a revoked or expired token, a guessed key). Kept
   * apart: behind a shared address, sessions expire all day among thousands of good requests.
   */
  apiFails: FailWindow;
  /** The IP's successful non-login requests since its first API failure (null before one). */
  okCalls: BucketCounts | null;
  /** Of those, the calls made as a named account (HTTP Basic), for an attack established after them (null before one). */
  okNamedCalls: FailWindow | null;
  okLogins: FailWindow;
  okUsers: Map<string, number>;
  incident: Incident | null;
}

interface AccountState {
  fails: FailWindow;
  incident: Incident | null;
  /** IP incidents that targeted this account recently: ip -> time of last failure. */
  attackedFrom: Map<string, number>;
}

/** Accounts listed in evidence.takeover; beyond it they are counted (`unlisted`). */
const MAX_TAKEN_LISTED = 100;

/**
 * When more than this share of a distributed wave's failing IPs went on to log in as the account
 * they failed on, the "wave" is people mistyping (a busy morning): a new address in its networks is
 * no sign of it.
 */
const MAX_RECOVERED_SHARE = 0.2;
/** How long an account's networks are remembered (its usual address), event time. */
const HOME_MS = 30 * 24 * 3_600_000;
/** Networks remembered per account, the most recent first. */
const HOMES_PER_ACCOUNT = 4;
/** Logins kept while a wave may be forming (within spreadWindowMinutes), to be judged once it is. */
const MAX_PENDING = 5000;

/**
 * The network an address belongs to, as a key: IPv4 by its first `v4Octets` octets, IPv6 by its
 * first `v6Groups` groups; undefined for anything else.
 */
function netOf(ip: string | undefined, v4Octets: 2 | 3, v6Groups: 3 | 4): string | undefined {
  if (ip === undefined) return undefined;
  if (ip.indexOf(':') < 0) {
    let end = -1;
    for (let k = 0; k < v4Octets; k++) {
      end = ip.indexOf('.', end + 1);
      if (end < 0) return undefined;
    }
    return ip.slice(0, end);
  }
  if (!ipaddr.IPv6.isValid(ip)) return undefined;
  return ipaddr.IPv6.parse(ip)
    .parts.slice(0, v6Groups)
    .map((p) => p.toString(16))
    .join(':');
}
/** The wider network a wave's addresses are compared by (IPv4 /16, IPv6 /48). */
const waveNet = (ip: string | undefined): string | undefined => netOf(ip, 2, 3);
/** The network an account's own address may move within (IPv4 /24, IPv6 /64: a home line's churn). */
const homeNet = (ip: string | undefined): string | undefined => netOf(ip, 3, 4);
/** How a wave's network is said: "49.36.0.0/16". */
function netLabel(net: string): string {
  return net.indexOf(':') < 0 ? `${net}.0.0/16` : `${net}::/48`;
}

/** A login (from an address new to its account) during a wave, or while one may be forming. */
interface WaveLogin {
  ts: number;
  user: string;
  ip: string | undefined;
  sample: EvidenceSample;
  /** The IP had failed on other accounts (in windowMinutes). */
  failedOther: boolean;
  /** Its address may be tied to the wave by network: no mistype of the account first, no other account from it. */
  byNet: boolean;
  /** Taken as the wave's (a success of the incident). */
  tied?: boolean;
}

/** Logins during one wave kept for judging by network. */
const MAX_WAVE_LOGINS = 2000;

/** An account's most recent address and networks (homeNet), the most recent first. */
interface Home {
  ip: string;
  nets: string[];
}

function newIncident(kind: Incident['kind'], subjectValue: string, start: number): Incident {
  return {
    kind,
    subjectValue,
    start,
    end: start,
    lastFail: start,
    failures: 0,
    apiFailures: 0,
    perKey: new Map(),
    other: new Map(),
    uas: new Map(),
    samples: new Samples(),
    successes: [],
    successUsers: new Map(),
    firstUse: new Map(),
    lastSuccess: -Infinity,
    actedAs: new Map(),
    actedAsSamples: [],
    successElsewhere: [],
    burstPeak: 0,
    routes: new Map(),
    saidAt: 0,
  };
}

/** Failures per account of two windows together. */
function merged(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map(a);
  for (const [k, n] of b) out.set(k, (out.get(k) ?? 0) + n);
  return out;
}

/** The per-account counts without the "" key (failures whose record names no account). */
/** Accounts (or IPs) listed in the evidence, the most tried first, and how many more there were. */
const LISTED = 10;
function listed(name: 'accounts' | 'sourceIps', counts: Map<string, number>): Record<string, unknown> {
  const out: Record<string, unknown> = { [name]: topCounts(counts, LISTED) };
  if (counts.size > LISTED) out[`${name}NotListed`] = counts.size - LISTED;
  return out;
}

/** How many accounts an incident's failures named. */
function namedAccounts(inc: { perKey: Map<string, number> }): number {
  return inc.perKey.size - (inc.perKey.has('') ? 1 : 0);
}

/** Accounts an attack must have tried for a success as an account it had not tried to be one of its guesses. */
const STUFFING_GUESS_ACCOUNTS = 3;

function namedOnly(perAccount: Map<string, number>): Map<string, number> {
  if (!perAccount.has('')) return perAccount;
  const out = new Map(perAccount);
  out.delete('');
  return out;
}

function distribution(perAccount: Map<string, number>): { accounts: number; max: number; le2: number; mid: number } {
  let accounts = 0;
  let max = 0;
  let le2 = 0;
  let mid = 0;
  for (const [k, n] of perAccount) {
    if (k === '') continue;
    accounts++;
    if (n > max) max = n;
    if (n <= 2) le2++;
    if (n >= 2 && n <= 8) mid++;
  }
  return { accounts, max, le2: accounts ? le2 / accounts : 0, mid: accounts ? mid / accounts : 0 };
}

export const credentialStuffing: Detector<CredentialOptions> = {
  meta: {
    id: 'credential-stuffing',
    title: 'Credential attack (stuffing, spraying, brute force)',
    description: 'Failed authentication per IP, per account and across accounts, with success-after-attack correlation.',
    severity: 'high',
    references: ['OWASP API2:2023 Broken Authentication', 'OWASP OAT-008 Credential Stuffing', 'OWASP OAT-007 Credential Cracking'],
    readsRecord: false,
    options: {
      windowMinutes: 60,
      burstPerMinute: 20,
      stuffingMinAccounts: 10,
      stuffingMinFailures: 20,
      sprayMinAccounts: 5,
      sprayMinFailures: 15,
      sprayMinMinutes: 5,
      bruteForceFailures: 10,
      distributedMinIps: 5,
      distributedMinFailures: 10,
      spreadWindowMinutes: 15,
      spreadMinIps: 5,
      spreadMinAccounts: 8,
      spreadMinFailures: 25,
      minFailureRatio: 0.5,
      successLookbackMinutes: 180,
      waveNetMinIps: 3,
    },
    requires: { anyOf: ['status', 'auth'] },
    unavailableImpact: 'failed logins cannot be told from successful ones',
    mergeGapMs: (o) => o.windowMinutes * 60_000,
  },

  create(ctx) {
    const o = ctx.options;
    const m = ruleMatchers(ctx.rules);
    const windowMs = o.windowMinutes * 60_000;
    const lookbackMs = o.successLookbackMinutes * 60_000;
    const spreadMs = o.spreadWindowMinutes * 60_000;
    const keepMs = Math.max(windowMs, lookbackMs);

    const ips = keyedState<IpState>(ctx, {
      idleMs: keepMs,
      onRemove: (_k, s) => {
        if (s.incident) emit(s.incident);
      },
    });
    const accounts = keyedState<AccountState>(ctx, {
      idleMs: keepMs,
      onRemove: (_k, s) => {
        if (s.incident) emit(s.incident);
      },
    });
    // Tenant-wide window of failures: key "ip\u0001account".
    const spread = { fails: new FailWindow(), incident: null as Incident | null };
    let spreadNext = -Infinity;
    /** Time of the last login failure that counted towards the tenant-wide window. */
    let spreadLastFail = -Infinity;
    /** Logins from addresses new to their account while a wave may be forming (judged once it is). */
    const pending = new TimeQueue<WaveLogin>();
    /** Each account's usual networks: the owner's own login during a wave is not the wave's. */
    const homes = keyedState<Home>(ctx, { idleMs: HOME_MS });

    /** Remember where an account works from (any successful request naming it). */
    function rememberHome(e: EnrichedEvent): void {
      const user = e.user;
      const ip = e.ip;
      if (!user || ip === undefined) return;
      const h = homes.find(user, e.ts);
      if (h !== undefined && h.ip === ip) return;
      const net = homeNet(ip);
      if (net === undefined) return;
      if (h === undefined) {
        homes.add(user, e.ts, { ip, nets: [net] });
        return;
      }
      h.ip = ip;
      const i = h.nets.indexOf(net);
      if (i === 0) return;
      if (i > 0) h.nets.splice(i, 1);
      h.nets.unshift(net);
      if (h.nets.length > HOMES_PER_ACCOUNT) h.nets.pop();
    }

    /** The account was seen before in the network of this address (in the input, or in the baseline file). */
    function usualAddress(e: EnrichedEvent, user: string): boolean {
      const net = homeNet(e.ip);
      if (net === undefined) return false;
      if (homes.get(user)?.nets.includes(net) === true) return true;
      const known = ctx.baseline?.actors[e.actor]?.ips;
      if (known) for (const k in known) if (homeNet(k) === net) return true;
      return false;
    }

    /** A wave IP that failed on an account and logged in as it: someone mistyping, not the attack. */
    function recover(inc: Incident, ip: string): void {
      const r = inc.recovered!;
      if (r.has(ip) || r.size >= 100_000) return;
      r.add(ip);
      if (!inc.perKey.has(ip)) {
        inc.recoveredOutside!++;
        return;
      }
      const net = waveNet(ip);
      const n = net === undefined ? undefined : inc.nets!.get(net);
      if (n === undefined) return;
      if (n <= 1) inc.nets!.delete(net!);
      else inc.nets!.set(net!, n - 1);
    }

    /** A new IP of the wave: counted in its network. */
    function addWaveIp(inc: Incident, ip: string): void {
      const net = waveNet(ip);
      if (net !== undefined) bump(inc.nets!, net, 1, 100_000);
    }

    /** A login during the wave taken as the wave's: a success of the incident. */
    function tie(inc: Incident, w: WaveLogin, note: string): void {
      w.tied = true;
      const first = inc.successes.length === 0;
      if (inc.successes.length < 20) inc.successes.push({ ...w.sample, note });
      bump(inc.successUsers, w.user);
      const use = inc.firstUse.get(w.user);
      if (use === undefined || w.ts < use.at) inc.firstUse.set(w.user, { at: w.ts, ip: w.ip });
      inc.lastSuccess = Math.max(inc.lastSuccess, w.ts);
      inc.end = Math.max(inc.end, w.ts);
      // Live, a takeover is said at once (as for one IP's attack).
      if (first && ctx.live === true) emit(inc);
    }

    /**
     * Whether the wave's networks tie a login from an address new to its account to it: its network
     * holds waveNetMinIps of the wave's failing IPs, and the wave is not mostly people who went on to
     * log in (a busy morning). Tied, it becomes a success of the incident.
     */
    function tieByNet(inc: Incident, w: WaveLogin): boolean {
      if (w.tied === true) return true;
      if (!w.byNet || w.ip === undefined) return false;
      const net = waveNet(w.ip);
      const crowd = net === undefined ? 0 : (inc.nets!.get(net) ?? 0);
      if (crowd < o.waveNetMinIps) return false;
      const recovered = inc.recovered!.size;
      if (recovered > 0 && recovered / (inc.perKey.size + inc.recoveredOutside!) > MAX_RECOVERED_SHARE) return false;
      if (reservedRange(w.ip) !== null) return false;
      inc.netTied = (inc.netTied ?? 0) + 1;
      tie(inc, w, `success from an address new to ${w.user}, in ${netLabel(net!)} with ${crowd} of the wave's failing IPs`);
      return true;
    }

    /** The logins during the wave that nothing ties to it, as samples (after tieByNet has judged them). */
    function untiedSamples(inc: Incident): EvidenceSample[] {
      const out: EvidenceSample[] = [];
      for (const w of inc.waveLogins ?? []) {
        if (out.length >= 2) break;
        if (!w.tied) out.push({ ...w.sample, note: `success during the wave from an address new to ${w.user}, not tied to it` });
      }
      return out;
    }

    /** A login (from an address new to its account) during the wave: from an IP that failed on other accounts in it, the wave's. */
    function judgeWaveLogin(inc: Incident, w: WaveLogin): void {
      if (w.ip !== undefined && w.failedOther && inc.perKey.has(w.ip)) {
        inc.ipTied = (inc.ipTied ?? 0) + 1;
        tie(inc, w, 'success from an IP of the wave (it failed on other accounts)');
        return;
      }
      inc.waveLogins ??= [];
      if (inc.waveLogins.length >= MAX_WAVE_LOGINS) {
        inc.waveLoginsDropped = (inc.waveLoginsDropped ?? 0) + 1;
        return;
      }
      inc.waveLogins.push(w);
      if (ctx.live === true) tieByNet(inc, w);
    }

    /**
     * A successful login naming an account, while a distributed wave is under way or may be forming
     * (before the IP's state takes this login in). The owner at their usual address is left out.
     */
    function onWaveLogin(e: EnrichedEvent, s: IpState, user: string): void {
      const now = e.ts;
      if (now - spreadLastFail > spreadMs) return;
      const inc = spread.incident;
      const during = inc !== null && now >= inc.start && now - inc.lastFail <= spreadMs;
      s.fails.slide(now - windowMs);
      s.okLogins.slide(now - windowMs);
      let failedSame = false;
      let failedOther = false;
      for (const k of s.fails.counts.keys()) {
        if (k === user) failedSame = true;
        else if (k !== '') failedOther = true;
      }
      if (failedSame && during && e.ip !== undefined) recover(inc, e.ip);
      if (usualAddress(e, user)) return;
      // Another account logged in from the address lately: shared (a household, an office), not a one-shot source.
      let shared = false;
      for (const k of s.okLogins.counts.keys()) {
        if (k !== user && k !== '') {
          shared = true;
          break;
        }
      }
      if (!shared) {
        for (const [u, t] of s.okUsers) {
          if (u !== user && t >= now - windowMs) {
            shared = true;
            break;
          }
        }
      }
      const w: WaveLogin = { ts: now, user, ip: e.ip, sample: sampleOf(e), failedOther, byNet: !failedSame && !shared };
      if (during) {
        judgeWaveLogin(inc, w);
        return;
      }
      while (pending.size > 0 && (pending.size >= MAX_PENDING || pending.firstTime() < now - spreadMs)) pending.shift();
      pending.push(now, w);
    }

    function outcome(e: EnrichedEvent, login: boolean): Outcome {
      const s = e.status;
      if (login) {
        if (e.auth === 'failure' || s === 401 || s === 403 || s === 429) return 'fail';
        if (e.auth === 'success' || (s !== undefined && s >= 200 && s < 400)) return 'ok';
        return null;
      }
      // Elsewhere only authentication failures count (401), not authorisation refusals (403).
      if (s === 401 || (s === undefined && e.auth === 'failure')) return 'fail';
      return null;
    }

    /**
     * Live, an attack is said as soon as it is established, and again each time its failures have
     * doubled, while it is under way: it closes only after successLookbackMinutes without a
     * failure (hours), and a responder watching the log must not wait that long for a running brute
     * force. The lines merge into one incident (one id) with the report at its close.
     */
    function sayOpen(inc: Incident): void {
      if (ctx.live !== true || inc.failures < inc.saidAt * 2 || inc.failures === 0) return;
      inc.saidAt = inc.failures;
      emit(inc, true);
    }

    /** The alert for an incident; `open` for one still under way (live), which may yet succeed. */
    function emit(inc: Incident, open = false): void {
      const span = fmtDuration(inc.end - inc.start);
      let variant: string;
      let severity: Severity;
      let reason: string;
      let summary: string;
      const subject: Alert['subject'] = {};
      const metrics: Alert['evidence']['metrics'] = { failures: inc.failures, durationMinutes: round((inc.end - inc.start) / 60_000, 1) };
      // A wave's logins from addresses new to their accounts, judged now that its networks are known.
      let untied = 0;
      if (inc.kind === 'spread') {
        untied = inc.waveLoginsDropped ?? 0;
        for (const w of inc.waveLogins ?? []) if (!tieByNet(inc, w)) untied++;
      }
      const successNames = [...inc.successUsers.keys()];
      // A wave's accounts in the order it got into them (some are tied to it only once it is over).
      if (inc.kind === 'spread') successNames.sort((a, b) => (inc.firstUse.get(a)?.at ?? 0) - (inc.firstUse.get(b)?.at ?? 0));
      // The login named no account, but the same IP went on as one: name it, and say how it is known.
      const actedAs = successNames.length === 0 ? [...inc.actedAs.keys()].slice(0, 3) : [];
      if (inc.kind === 'ip') {
        subject.ip = inc.subjectValue;
        const d = distribution(inc.perKey);
        Object.assign(metrics, {
          accounts: d.accounts,
          maxFailuresPerAccount: d.max,
          shareAccountsWithAtMost2: round(d.le2, 2),
          shareAccountsWith2to8: round(d.mid, 2),
          peakFailuresPerMinute: inc.burstPeak,
        });
        // Failures whose record names no account (a gateway log beside the app's own) are counted
        // here, not listed as an account named "" in the evidence.
        const unnamed = inc.perKey.get('') ?? 0;
        if (unnamed > 0 && d.accounts > 0) metrics.failuresNamingNoAccount = unnamed;
        if (d.accounts >= o.stuffingMinAccounts && d.le2 >= 0.8) variant = 'stuffing';
        else if (d.accounts >= o.sprayMinAccounts && d.mid >= 0.6) variant = 'password-spraying';
        else if (d.accounts <= 2) variant = 'brute-force';
        else variant = 'stuffing';
        const acc = d.accounts === 0 ? 'accounts the log does not name' : d.accounts === 1 ? `account ${[...inc.perKey.keys()].find((k) => k !== '')}` : `${d.accounts} accounts`;
        // Without the account, one IP's failures cannot be told apart (one account or hundreds):
        // the label is the mildest, and the summary says why and what would tell.
        const onlyApi = inc.apiFailures === inc.failures;
        if (inc.apiFailures > 0) metrics.failuresOnApiCalls = inc.apiFailures;
        const blind =
          d.accounts > 0
            ? ''
            : onlyApi
              ? '; a guessed, revoked or expired key or token names no account'
              : '; the failed logins name no account, so stuffing, spraying and brute force look alike: if the log holds the attempted user name, map it with --map user=<path>';
        const what = onlyApi ? 'failed authentications on API calls (401)' : inc.apiFailures > 0 ? 'failed logins and API authentications' : 'failed logins';
        summary = `IP ${inc.subjectValue} made ${inc.failures} ${what} against ${acc} in ${span} (${variant}${d.accounts > 1 ? `, at most ${d.max} ${d.max === 1 ? 'try' : 'tries'} per account` : ''}${blind})`;
      } else if (inc.kind === 'account') {
        subject.user = inc.subjectValue;
        variant = 'distributed';
        Object.assign(metrics, { sourceIps: inc.perKey.size });
        summary = `account ${inc.subjectValue} had ${inc.failures} failed logins from ${inc.perKey.size} IPs in ${span} (distributed brute force)`;
      } else {
        subject.route = inc.subjectValue;
        variant = 'distributed';
        Object.assign(metrics, { sourceIps: inc.perKey.size, accounts: inc.other.size });
        summary = `${inc.failures} failed logins against ${inc.other.size} accounts came from ${inc.perKey.size} IPs with few tries each in ${span} (distributed spraying)`;
      }
      metrics.variant = variant;
      metrics.successesAfter = inc.successes.length;
      metrics.successesElsewhere = inc.successElsewhere.length;
      if (untied > 0) metrics.successesUntied = untied;
      if (inc.actedAs.size > 0) metrics.actedAsAfterLogin = [...inc.actedAs.keys()].slice(0, 5).join(', ');
      if (inc.successes.length > 0 && inc.kind === 'spread') {
        // The wave's hits come from addresses that tried once: "after the failures" would be untrue.
        severity = 'critical';
        const n = successNames.length;
        const names = `${successNames.slice(0, 3).join(', ')}${n > 3 ? ` and ${n - 3} more` : ''}`;
        const byNet = inc.netTied ?? 0;
        const byIp = inc.ipTied ?? 0;
        const how =
          byNet === 0
            ? 'from IPs of the attack that had failed on other accounts'
            : byIp === 0
              ? "from addresses new to the accounts, in networks the attack's failing IPs crowd"
              : `from IPs of the attack that had failed on other accounts (${byIp}), or from addresses new to the accounts in networks its failing IPs crowd (${byNet})`;
        reason = `logins succeeded during the distributed attack ${how} (${names}): likely account takeover`;
        summary += `; during it, ${n === 1 ? 'a login' : `logins to ${n} accounts`} succeeded as ${names} ${how}${untied > 0 ? `, and ${untied} more from addresses new to their accounts that nothing ties to it` : ''}.`;
      } else if (inc.successes.length > 0) {
        severity = 'critical';
        const who =
          successNames.length > 0
            ? successNames.slice(0, 3).join(', ')
            : actedAs.length > 0
              ? `the login record names no account; the IP then acted as ${actedAs.join(', ')}`
              : 'account unknown';
        reason = `a login succeeded from the attacking source after the failures (${who}): likely account takeover`;
        summary += `; then ${inc.successes.length} successful login${inc.successes.length > 1 ? 's' : ''}${
          successNames.length ? ` as ${successNames.slice(0, 3).join(', ')}` : actedAs.length ? `, after which the IP acted as ${actedAs.join(', ')}` : ''
        }.`;
      } else if (inc.successElsewhere.length > 0) {
        severity = 'high';
        reason = `a targeted account logged in successfully from another IP afterwards (could be the owner, or the attacker rotating IPs)`;
        summary += `; a targeted account then logged in from another IP.`;
      } else if (variant === 'brute-force') {
        severity = 'medium';
        reason = open ? 'repeated failures, no success so far (under way)' : 'repeated failures, no success observed';
        summary += open ? '; under way, no success so far.' : '; no success observed.';
      } else if (untied > 0) {
        // Logins during the wave that nothing ties to it: the owners, or the attacker from elsewhere.
        // Not "no success observed": a responder would close the case on that.
        severity = 'high';
        const one = untied === 1;
        reason = `failed authentication across many accounts (seeds: high); ${untied} login${one ? '' : 's'} succeeded during it from ${one ? 'an address new to its account' : 'addresses new to their accounts'}, tied to it by nothing (the owner${one ? '' : 's'}, or the attacker from elsewhere)`;
        summary += `; ${untied} login${one ? '' : 's'} succeeded during it from ${one ? 'an address new to its account' : 'addresses new to their accounts'}, not tied to it (see the samples).`;
      } else {
        severity = 'high';
        reason = `failed authentication across many accounts (seeds: high), ${open ? 'no success so far (under way)' : 'no success observed'}`;
        summary += open ? '; under way, no success so far.' : '; no success observed.';
      }
      // The accounts most likely taken over, in structured form for the correlation stage
      // (detect/correlate.ts): each with when the attack first used it, and from where.
      const takenOver = successNames.length > 0 ? successNames : [...inc.actedAs.keys()];
      const takeover =
        inc.successes.length > 0 && takenOver.length > 0
          ? {
              basis: successNames.length > 0 ? 'login' : 'acted-as',
              accounts: takenOver.slice(0, MAX_TAKEN_LISTED).map((account) => {
                const use = inc.firstUse.get(account);
                return { account, at: use?.at ?? inc.successes[0]!.time, ...(use?.ip !== undefined ? { ip: use.ip } : {}) };
              }),
              ...(takenOver.length > MAX_TAKEN_LISTED ? { unlisted: takenOver.length - MAX_TAKEN_LISTED } : {}),
            }
          : undefined;
      const thresholds: Alert['evidence']['thresholds'] =
        inc.kind === 'ip'
          ? { stuffingMinAccounts: o.stuffingMinAccounts, stuffingMinFailures: o.stuffingMinFailures, sprayMinAccounts: o.sprayMinAccounts, bruteForceFailures: o.bruteForceFailures, burstPerMinute: o.burstPerMinute, minFailureRatio: o.minFailureRatio }
          : inc.kind === 'account'
            ? { distributedMinIps: o.distributedMinIps, distributedMinFailures: o.distributedMinFailures }
            : { spreadMinIps: o.spreadMinIps, spreadMinAccounts: o.spreadMinAccounts, spreadMinFailures: o.spreadMinFailures };
      ctx.report({
        rule: 'credential-stuffing',
        severity,
        title: `Credential attack: ${variant}`,
        subject,
        start: inc.start,
        end: inc.end,
        summary,
        severityReason: reason,
        evidence: {
          metrics,
          thresholds,
          samples: inc.samples.list([...inc.successes.slice(0, 3), ...inc.actedAsSamples.slice(0, 2), ...inc.successElsewhere.slice(0, 2), ...untiedSamples(inc)]),
          ...listed(inc.kind === 'ip' ? 'accounts' : 'sourceIps', inc.kind === 'ip' ? namedOnly(inc.perKey) : inc.perKey),
          userAgents: topCounts(inc.uas, 5),
          routes: topCounts(inc.routes, 5),
          ...(takeover ? { takeover } : {}),
          ...(open ? { open: true } : {}),
        },
      });
    }

    function addFail(inc: Incident, e: EnrichedEvent, key: string, other: string, now: number, minute: number, api = false): void {
      inc.failures++;
      if (api) inc.apiFailures++;
      inc.end = now;
      inc.lastFail = now;
      bump(inc.perKey, key);
      if (other) bump(inc.other, other);
      if (e.userAgent) bump(inc.uas, e.userAgent, 1, 50);
      bump(inc.routes, e.template, 1, 50);
      if (minute > inc.burstPeak) inc.burstPeak = minute;
      inc.samples.add(e);
      sayOpen(inc);
    }

    /**
     * The IP's API failures are sessions expiring behind a shared address, not an attack: most of
     * its other requests succeed. Then only its login failures are judged.
     */
    function apiBenign(s: IpState): boolean {
      const n = s.apiFails.size;
      return n > 0 && n / (n + (s.okCalls?.total ?? 0)) < o.minFailureRatio;
    }

    /**
     * A failure. Outside login routes (a 401 on an API call: expired token, bad key) it counts only
     * for its IP: expired sessions across many devices must not look like a distributed attack.
     */
    function onFail(e: EnrichedEvent, login: boolean): void {
      const now = e.ts;
      const ip = e.ip ?? 'unknown';
      const user = e.user ?? '';
      // Per IP.
      const s = ips.touch(ip, now, newIp);
      if (s.incident && now > s.incident.lastFail + windowMs) {
        emit(s.incident);
        s.incident = null;
      }
      s.fails.slide(now - windowMs);
      s.apiFails.slide(now - windowMs);
      s.okCalls?.slide(now - windowMs);
      s.okNamedCalls?.slide(now - windowMs);
      s.okLogins.slide(now - windowMs);
      if (login) s.fails.add(now, user, e);
      else {
        s.apiFails.add(now, user, e);
        s.okCalls ??= new BucketCounts(Math.max(60_000, windowMs / 60));
      }
      const quietApi = apiBenign(s);
      // Sessions expiring behind a shared address are not part of an attack, nor of one already open.
      if (!login && quietApi) {
        // counted in apiFails only
      } else if (s.incident) addFail(s.incident, e, user, '', now, perMinuteOf(s, now, quietApi), !login);
      else {
        const failures = s.fails.size + (quietApi ? 0 : s.apiFails.size);
        const perMinute = perMinuteOf(s, now, quietApi);
        if (failures >= Math.min(o.sprayMinFailures, o.stuffingMinFailures, o.bruteForceFailures) || perMinute > o.burstPerMinute) {
          const counts = quietApi || s.apiFails.size === 0 ? s.fails.counts : merged(s.fails.counts, s.apiFails.counts);
          const ratio = failures / (failures + s.okLogins.size);
          const d = distribution(counts);
          let okPrincipals = 0;
          for (const [u, t] of s.okUsers) if (t >= now - windowMs && counts.has(u)) okPrincipals++;
          const first = quietApi || s.apiFails.size === 0 ? s.fails.first : s.fails.size === 0 ? s.apiFails.first : Math.min(s.fails.first, s.apiFails.first);
          const suspicious = ratio >= o.minFailureRatio && (d.accounts === 0 || okPrincipals * 2 < d.accounts);
          const trigger =
            suspicious &&
            ((d.accounts >= o.stuffingMinAccounts && failures >= o.stuffingMinFailures && d.le2 >= 0.8) ||
              (d.accounts >= o.sprayMinAccounts && failures >= o.sprayMinFailures && d.mid >= 0.6 && now - first >= o.sprayMinMinutes * 60_000) ||
              d.max >= o.bruteForceFailures ||
              (d.accounts === 0 && failures >= o.bruteForceFailures) ||
              perMinute > o.burstPerMinute);
          if (trigger) {
            const inc = newIncident('ip', ip, first);
            s.incident = inc;
            for (const [w, api] of [[s.fails, false], [s.apiFails, true]] as const) {
              if (api && quietApi) continue;
              // Every failure the incident counts, those before it was established too, in its
              // breakdown: the user agents and routes add up to its failures.
              for (let i = 0; i < w.q.size; i++) {
                const f = w.q.at(i);
                bump(inc.perKey, f.key);
                if (f.userAgent) bump(inc.uas, f.userAgent, 1, 50);
                if (f.route !== undefined) bump(inc.routes, f.route, 1, 50);
              }
              inc.failures += w.size;
              if (api) inc.apiFailures += w.size;
            }
            inc.end = now;
            inc.lastFail = now;
            inc.burstPeak = perMinute;
            inc.samples.add(e);
            successesBefore(inc, s, first, ip);
            sayOpen(inc);
          }
        }
      }
      if (s.incident && user) {
        const a = accounts.touch(user, now, newAccount);
        a.attackedFrom.set(ip, now);
      }

      if (!login) return;

      // Per account, from many IPs.
      if (user) {
        const a = accounts.touch(user, now, newAccount);
        if (a.incident && now > a.incident.lastFail + windowMs) {
          emit(a.incident);
          a.incident = null;
        }
        a.fails.slide(now - windowMs);
        a.fails.add(now, ip, e);
        if (a.incident) addFail(a.incident, e, ip, '', now, 0);
        else if (a.fails.counts.size >= o.distributedMinIps && a.fails.size >= o.distributedMinFailures) {
          const inc = newIncident('account', user, a.fails.first);
          a.incident = inc;
          for (let i = 0; i < a.fails.q.size; i++) {
            const f = a.fails.q.at(i);
            inc.failures++;
            bump(inc.perKey, f.key);
            if (f.userAgent) bump(inc.uas, f.userAgent, 1, 50);
            if (f.route !== undefined) bump(inc.routes, f.route, 1, 50);
          }
          inc.end = now;
          inc.lastFail = now;
          inc.samples.add(e);
          sayOpen(inc);
        }
      }

      // Tenant-wide: many IPs, many accounts, few tries per IP, IPs that never succeed.
      const sp = spread;
      if (sp.incident && now > sp.incident.lastFail + spreadMs) {
        emit(sp.incident);
        sp.incident = null;
      }
      sp.fails.slide(now - spreadMs);
      sp.fails.add(now, `${ip}\u0001${user}`);
      spreadLastFail = now;
      const quiet = (ipKey: string): boolean => {
        const st = ips.get(ipKey);
        return !st || (!st.incident && st.okLogins.size === 0 && st.fails.size <= 5);
      };
      if (sp.incident) {
        if (quiet(ip)) {
          const fresh = !sp.incident.perKey.has(ip);
          addFail(sp.incident, e, ip, user, now, 0);
          if (fresh) addWaveIp(sp.incident, ip);
        } else if (user && s.okLogins.counts.has(user)) recover(sp.incident, ip);
      } else if (sp.fails.size >= o.spreadMinFailures && now >= spreadNext) {
        spreadNext = now + 10_000; // the tenant-wide tally is re-counted at most every 10 s of event time
        const perIp = new Map<string, number>();
        const users = new Set<string>();
        let failures = 0;
        for (const k of sp.fails.counts.keys()) {
          const [kip, ku] = k.split('\u0001') as [string, string];
          if (!quiet(kip)) continue;
          const n = sp.fails.counts.get(k)!;
          perIp.set(kip, (perIp.get(kip) ?? 0) + n);
          if (ku) users.add(ku);
          failures += n;
        }
        if (perIp.size >= o.spreadMinIps && users.size >= o.spreadMinAccounts && failures >= o.spreadMinFailures) {
          const inc = newIncident('spread', e.template, sp.fails.first);
          sp.incident = inc;
          inc.perKey = perIp;
          for (const u of users) inc.other.set(u, 1);
          inc.failures = failures;
          inc.end = now;
          inc.lastFail = now;
          inc.samples.add(e);
          inc.nets = new Map();
          inc.recovered = new Set();
          inc.recoveredOutside = 0;
          for (const kip of perIp.keys()) addWaveIp(inc, kip);
          // IPs in the window that failed on an account and logged in as it: people mistyping.
          for (const k of sp.fails.counts.keys()) {
            const [kip, ku] = k.split('\u0001') as [string, string];
            if (ku && !perIp.has(kip) && ips.get(kip)?.okLogins.counts.has(ku) === true) recover(inc, kip);
          }
          // Logins while it was forming, now that it is a wave.
          while (pending.size > 0) {
            const w = pending.shift();
            if (w.ts >= inc.start) judgeWaveLogin(inc, w);
          }
          sayOpen(inc);
        }
      }
    }

    function newIp(): IpState {
      return { fails: new FailWindow(), apiFails: new FailWindow(), okCalls: null, okNamedCalls: null, okLogins: new FailWindow(), okUsers: new Map(), incident: null };
    }

    /** The IP's failures in the last minute (its API failures only where they count). */
    function perMinuteOf(s: IpState, now: number, quietApi: boolean): number {
      return s.fails.countSince(now - 60_000) + (quietApi ? 0 : s.apiFails.countSince(now - 60_000));
    }

    function newAccount(): AccountState {
      return { fails: new FailWindow(), incident: null, attackedFrom: new Map() };
    }

    /**
     * Successes from the address after its first failure and before the attack was established
     * (the seventh guess of a hundred worked): as likely a takeover as one after. Not an account the
     * address used before the attack began (a colleague behind the same NAT: for calls as an
     * account, one already at home in the address's network); a call as an account (HTTP Basic)
     * only on a route the attack's failures named accounts on, and its first only.
     */
    function successesBefore(inc: Incident, s: IpState, first: number, ip: string): void {
      const found: Array<[at: number, f: Fail]> = [];
      const usedBefore = (w: FailWindow, user: string): boolean => {
        for (let i = 0; i < w.q.size && w.q.timeAt(i) < first; i++) if (w.q.at(i).key === user) return true;
        return (s.okUsers.get(user) ?? Infinity) < first;
      };
      for (let i = 0; i < s.okLogins.q.size; i++) {
        const f = s.okLogins.q.at(i);
        if (s.okLogins.q.timeAt(i) >= first && f.key && f.sample && attackersClient(inc, f.userAgent) && !usedBefore(s.okLogins, f.key)) found.push([s.okLogins.q.timeAt(i), f]);
      }
      const calls = s.okNamedCalls;
      if (calls !== null && inc.apiFailures > 0 && namedAccounts(inc) > 0) {
        const seen = new Set<string>();
        for (let i = 0; i < calls.q.size; i++) {
          const f = calls.q.at(i);
          const at = calls.q.timeAt(i);
          if (at < first || !f.sample || f.route === undefined || !inc.routes.has(f.route) || seen.has(f.key)) continue;
          seen.add(f.key);
          if (guessedAccount(inc, f.key) && attackersClient(inc, f.userAgent) && !usedBefore(calls, f.key)) found.push([at, f]);
        }
      }
      found.sort((a, b) => a[0] - b[0]);
      for (const [at, f] of found) succeeded(inc, f.key, ip, f.sample!, at);
    }

    /**
     * Whether a success was made with the attack's client: one of the user agents its failures
     * came with (a colleague's browser behind the same NAT is not the script guessing passwords).
     * Failures that name no user agent tell nothing either way.
     */
    function attackersClient(inc: Incident, userAgent: string | undefined): boolean {
      return inc.uas.size === 0 || (userAgent !== undefined && inc.uas.has(userAgent));
    }

    /**
     * Whether a call as `user` is one of the attack's guesses: an account it tried, or, when it
     * tried many accounts (stuffing, spraying), a new one. A brute force on one account (a job with
     * a stale password) says nothing of the other accounts behind its address.
     */
    function guessedAccount(inc: Incident, user: string): boolean {
      return inc.perKey.has(user) || namedAccounts(inc) >= STUFFING_GUESS_ACCOUNTS;
    }

    /** A success from the attacking source during its incident: the likely takeover. */
    function succeed(inc: Incident, e: EnrichedEvent, now: number): void {
      succeeded(inc, e.user, e.ip, sampleOf(e, `success after ${inc.failures} failures`), now);
    }

    function succeeded(inc: Incident, user: string | undefined, ip: string | undefined, sample: EvidenceSample, now: number): void {
      const first = inc.successes.length === 0;
      if (inc.successes.length < 20) inc.successes.push(sample);
      if (user) {
        bump(inc.successUsers, user);
        if (!inc.firstUse.has(user)) inc.firstUse.set(user, { at: now, ip });
      }
      inc.lastSuccess = now;
      inc.end = Math.max(inc.end, now);
      // Live, a takeover is said at once, not when the incident is over (its quiet gap is
      // successLookbackMinutes, hours): the report at its end is merged into this alert.
      if (first && ctx.live === true) emit(inc);
    }

    function onOk(e: EnrichedEvent, login: boolean): void {
      const now = e.ts;
      const ip = e.ip ?? 'unknown';
      // Login successes are tracked for every IP (the failure ratio needs them); other 2xx only where failures were seen.
      const s = login ? ips.touch(ip, now, newIp) : ips.get(ip);
      if (s && login && e.user) onWaveLogin(e, s, e.user);
      if (s) {
        if (!login && s.okCalls !== null) {
          s.okCalls.add(now);
          if (e.user && s.incident === null) {
            // An account's first call in the window is all that is needed (which came first, and
            // whether the account was in use before the attack), so a busy address keeps one per account.
            const w = (s.okNamedCalls ??= new FailWindow());
            w.slide(now - windowMs);
            if (!w.counts.has(e.user) && w.size < NAMED_CALLS_CAP && !usualAddress(e, e.user)) {
              w.add(now, e.user, e, sampleOf(e, 'success during the attack, before it was established'));
            }
          }
        }
        const inc = s.incident;
        // Requests as an account from the attacking IP soon after a login that named none: the
        // account is the likely takeover. Not one the IP already acted as before that login (a
        // colleague behind the same NAT, active during the attack). Listed in order of appearance:
        // the victim's session usually comes first, seconds after the login.
        if (
          !login && e.user && inc !== null && inc.successUsers.size === 0 && now - inc.lastSuccess <= ACTED_AS_MS &&
          inc.actedAs.size < 5 && !((s.okUsers.get(e.user) ?? Infinity) < inc.lastSuccess)
        ) {
          if (!inc.actedAs.has(e.user)) {
            inc.actedAsSamples.push(sampleOf(e, `acting as ${e.user} after the login`));
            if (!inc.firstUse.has(e.user)) inc.firstUse.set(e.user, { at: now, ip: e.ip });
          }
          bump(inc.actedAs, e.user);
          inc.end = Math.max(inc.end, now);
        }
        // Credentials sent with every call (HTTP Basic): the attack's failures are 401s on an API
        // route, each naming the account it tried, and a 2xx there as an account is a guess that
        // worked, as a login would be. Not an account this address used before the attack began
        // (a colleague behind the same NAT), and only its first call: the rest is its use.
        if (
          !login && e.user && inc !== null && inc.apiFailures > 0 && now - inc.lastFail <= lookbackMs &&
          namedAccounts(inc) > 0 && inc.routes.has(e.template) && !inc.successUsers.has(e.user) && guessedAccount(inc, e.user) &&
          attackersClient(inc, e.userAgent) && !((s.okUsers.get(e.user) ?? Infinity) < inc.start) && !usualAddress(e, e.user)
        ) {
          succeed(inc, e, now);
        }
        if (e.user) s.okUsers.set(e.user, now);
        if (s.okUsers.size > 10_000) s.okUsers.clear();
        if (!login) return;
        s.okLogins.slide(now - windowMs);
        // A sample for an attack that may yet be established on this address's failures: only once it
        // has some, and not for an account already at home in its network (a colleague behind it).
        const early = s.incident === null && e.user !== undefined && s.fails.size + s.apiFails.size > 0 && !usualAddress(e, e.user);
        s.okLogins.add(now, e.user ?? '', e, early ? sampleOf(e, 'success during the attack, before it was established') : undefined);
        if (s.incident && now - s.incident.lastFail <= lookbackMs) succeed(s.incident, e, now);
      }
      if (!login || !e.user) return;
      const a = accounts.get(e.user);
      if (!a) return;
      if (a.incident && now - a.incident.lastFail <= lookbackMs) {
        const fromAttacker = a.incident.perKey.has(ip);
        if (fromAttacker) {
          a.incident.successes.push(sampleOf(e, 'success from one of the attacking IPs'));
          bump(a.incident.successUsers, e.user);
          if (!a.incident.firstUse.has(e.user)) a.incident.firstUse.set(e.user, { at: now, ip: e.ip });
        } else if (a.incident.successElsewhere.length < 10) a.incident.successElsewhere.push(sampleOf(e, 'success from another IP'));
        a.incident.end = Math.max(a.incident.end, now);
      }
      for (const [attIp, t] of a.attackedFrom) {
        if (attIp === ip || now - t > lookbackMs) continue;
        const inc = ips.get(attIp)?.incident;
        if (inc && inc.successElsewhere.length < 10) {
          inc.successElsewhere.push(sampleOf(e, `targeted account ${e.user} logged in from ${ip}`));
          inc.end = Math.max(inc.end, now);
        }
      }
    }

    return {
      event(e) {
        ips.sweep(e.ts);
        accounts.sweep(e.ts);
        const login = m.login(e.template);
        const out = outcome(e, login);
        if (out === 'fail') {
          if (!allowlisted(m, e)) onFail(e, login);
        } else if (out === 'ok') {
          onOk(e, true);
          rememberHome(e);
        } else if (e.status !== undefined && e.status >= 200 && e.status < 300) {
          // Judged before the call is remembered as the account's: whether the account was at home
          // at this address before this call is what tells a colleague behind a NAT from a takeover.
          if (ips.size > 0) onOk(e, false);
          rememberHome(e);
        }
      },
      end() {
        if (spread.incident) emit(spread.incident);
        spread.incident = null;
      },
    };
  },
};
