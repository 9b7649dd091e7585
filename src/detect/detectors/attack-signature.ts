/**
 * attack-signature: injection and probing payloads (SQLi, XSS, path traversal, command injection,
 * SSRF to metadata addresses, JNDI/Log4Shell, template injection, out-of-band callback domains) and
 * known scanner user agents.
 *
 * The signatures are Sigma rules (rules/sigma/*.yml) run by apilog's Sigma engine on a decoding
 * view: path, query, referer and logged body are URL-decoded once (and `+` read as a space) before
 * matching. A request is decoded and matched only when a cheap pre-filter finds a character or word
 * some payload needs in its path, query or referer, when it has a logged body, or when its user agent
 * carries a payload (src/signatures/prefilter.ts). Every rule is matched once per distinct user agent
 * and the verdict cached.
 *
 * Matches are grouped per actor into incidents (a quiet gap of `incidentGapMinutes` ends one); each
 * incident lists its attack classes with counts, rules, statuses and samples.
 * Severity: a payload answered 2xx -> high (the application processed it); payloads answered only
 * 3xx/4xx/5xx or without a status -> medium; a scanner user agent alone -> low.
 */
import type { EnrichedEvent } from '../../enrich/types.js';
import type { Alert, Detector, EvidenceSample, Severity } from '../types.js';
import { keyedState } from '../state.js';
import { actorName, bump, fmtDuration, Samples, sampleOf, subjectOfActor, topCounts } from '../util/evidence.js';
import { allowlisted, ruleMatchers } from '../util/rules.js';
import { EventView, F } from '../../sigma/view.js';
import { urlDecodeOnce } from '../../signatures/decode.js';
import type { CompiledSigmaRule } from '../../sigma/types.js';
import { hasRawBody, RAW_BODY, RAW_HEADERS, RAW_REFERER, rawReferer, rawShape } from '../../sigma/raw.js';
import { CATEGORY_TITLES, loadSignatureRules, ruleCategory } from '../../signatures/rules.js';
import { hasPayloadWords, pathHasPayloadChars, suspiciousQuery, suspiciousReferer } from '../../signatures/prefilter.js';
import { redactString } from '../../hygiene/redact.js';

export type AttackSignatureOptions = {
  /** A quiet gap longer than this (minutes) ends an actor's incident. */
  incidentGapMinutes: number;
  /** Samples kept per incident. */
  maxSamples: number;
  /** More Sigma rule files or folders to run as signatures (their `apilog-category` names the class). */
  extraRules: string[];
  /** Set false to skip the scanner user-agent list. */
  scannerUserAgents: boolean;
};

/** Canonical fields the pre-filter covers (shipped rules reading anything else run on every event). */
const GATED = new Set(['uri', 'path', 'query', 'userAgent', 'referer', 'body']);

interface CategoryStats {
  count: number;
  ok: number;
  rules: Map<string, number>;
}

interface Incident {
  actor: string;
  start: number;
  end: number;
  requests: number;
  payloadRequests: number;
  payloadOk: number;
  categories: Map<string, CategoryStats>;
  statuses: Map<string, number>;
  paths: Map<string, number>;
  userAgents: Map<string, number>;
  ips: Map<string, number>;
  samples: Samples;
  /** The first payload answered 2xx: always shown. */
  successSample: EvidenceSample | null;
  sampled: number;
  ruleHits: Map<CompiledSigmaRule, number>;
}

const ok = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;

function statusClass(s: number | undefined): string {
  return s === undefined ? 'none' : `${Math.floor(s / 100)}xx`;
}

function categoryTitle(c: string): string {
  return CATEGORY_TITLES[c] ?? c;
}

/** What a sample shows of the request: the decoded path and query, secrets masked, bounded. */
function requestNote(e: EnrichedEvent, cats: string[]): string {
  const uri = e.path === undefined ? undefined : e.query ? `${e.path}?${e.query}` : e.path;
  let text = uri === undefined ? '' : urlDecodeOnce(uri);
  if (text.length > 160) text = `${text.slice(0, 157)}...`;
  const safe = text ? redactString(text, 'url').value.replace(/[\u0000-\u001f\u007f]/g, '?') : '';
  return `${cats.join(', ')}${safe ? `: ${safe}` : ''}${e.status !== undefined ? ` -> ${e.status}` : ''}`;
}

function incidentAlert(i: Incident, maxSamples: number): Alert {
  const payloadCats = [...i.categories.keys()].filter((c) => c !== 'scanner');
  const scanner = i.categories.has('scanner');
  const who = actorName(i.actor);
  let severity: Severity;
  let severityReason: string;
  if (i.payloadOk > 0) {
    severity = 'high';
    severityReason = `${i.payloadOk} request${i.payloadOk === 1 ? '' : 's'} carrying a payload got a 2xx answer: the application processed it`;
  } else if (i.payloadRequests > 0) {
    severity = 'medium';
    severityReason = 'payloads were sent but none was answered 2xx (refused, redirected, failed or no status logged)';
  } else {
    severity = 'low';
    severityReason = 'a known scanner or attack-tool user agent, without any payload seen';
  }
  const titleCats = payloadCats.map(categoryTitle);
  const title =
    payloadCats.length > 0
      ? `Attack payloads (${titleCats.join(', ')}) from ${who}`
      : `Scanner user agent from ${who}`;
  const categories: Record<string, unknown> = {};
  for (const [c, s] of i.categories) {
    categories[c] = { requests: s.count, answered2xx: s.ok, rules: topCounts(s.rules, 5) };
  }
  const span = i.end > i.start ? ` over ${fmtDuration(i.end - i.start)}` : '';
  const parts: string[] = [];
  if (i.payloadRequests > 0) {
    parts.push(`${i.payloadRequests} request${i.payloadRequests === 1 ? '' : 's'} with ${titleCats.join(', ')} payloads (${i.payloadOk} answered 2xx)`);
  }
  if (scanner) parts.push(`${i.categories.get('scanner')!.count} with a scanner user agent`);
  const evidence: Alert['evidence'] = {
    metrics: {
      requests: i.requests,
      payloadRequests: i.payloadRequests,
      answered2xx: i.payloadOk,
      categories: i.categories.size,
      distinctPaths: i.paths.size,
    },
    thresholds: { payloadRequests: 1 },
    samples: i.samples.list(i.successSample ? [i.successSample] : [], maxSamples),
    categories,
    statuses: topCounts(i.statuses, 8),
    topPaths: topCounts(i.paths, 5),
    userAgents: topCounts(i.userAgents, 3),
  };
  if (i.ips.size > 1) evidence.ips = topCounts(i.ips, 5);
  const alert: Alert = {
    rule: 'attack-signature',
    severity,
    title,
    subject: subjectOfActor(i.actor),
    start: i.start,
    end: i.end,
    summary: `${who}: ${parts.join('; ')}${span}.`,
    severityReason,
    evidence,
  };
  // The Sigma rule behind the incident: the payload rule that matched most (else the scanner rule).
  let best: CompiledSigmaRule | null = null;
  let bestScore = -1;
  for (const [r, n] of i.ruleHits) {
    const score = (r.custom['apilog-category'] === 'scanner' ? 0 : 1_000_000) + n;
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  if (best) alert.sigma = { id: best.id, title: best.title, tags: best.tags };
  return alert;
}

export const attackSignature: Detector<AttackSignatureOptions> = {
  meta: {
    id: 'attack-signature',
    title: 'Attack signatures',
    description:
      'Injection payloads (SQLi, XSS, traversal, command injection, SSRF to metadata, JNDI, template injection) and scanner user agents, by the Sigma rules in rules/sigma.',
    severity: 'high',
    references: [
      'OWASP API8:2023 Security Misconfiguration',
      'OWASP Top 10 A03:2021 Injection',
      'OWASP OAT-014 Vulnerability Scanning',
      'MITRE ATT&CK T1190, T1595.002',
    ],
    readsRecord: true,
    options: { incidentGapMinutes: 30, maxSamples: 10, extraRules: [], scannerUserAgents: true },
    requires: { anyOf: ['path', 'query', 'userAgent'] },
    unavailableImpact: 'no request field to look for payloads in',
    mergeGapMs: (o) => o.incidentGapMinutes * 60_000,
  },

  create(ctx) {
    const o = ctx.options;
    let set;
    try {
      set = loadSignatureRules(o.extraRules);
    } catch (err) {
      ctx.unavailable(`signature rules could not be loaded: ${(err as Error).message}`);
      return {};
    }
    for (const r of set.rejected.slice(0, 10)) ctx.note(`signature rule not run: ${r.file}${r.id ? ` (${r.id})` : ''}: ${r.reason}`);
    if (set.payload.length === 0 && set.userAgent.length === 0) {
      ctx.unavailable('no signature rules loaded (rules/sigma is missing or empty)');
      return {};
    }
    // Shipped rules run when the pre-filter fires (it is kept sound for them); rules from
    // `extraRules` run on every event, since the pre-filter knows nothing about their patterns.
    const shippedGated = set.payload.filter((r) => set.shipped.has(r) && r.canonicalFields.every((f) => GATED.has(f)));
    const always = set.payload.filter((r) => !shippedGated.includes(r));
    const uaRules = o.scannerUserAgents ? set.userAgent : [];
    const categoryOf = new Map<CompiledSigmaRule, string>();
    for (const r of [...set.payload, ...set.userAgent]) categoryOf.set(r, ruleCategory(r));
    const m = ruleMatchers(ctx.rules);
    const gapMs = o.incidentGapMinutes * 60_000;
    const view = new EventView(true);
    const fullView = new EventView(true);
    const uaView = new EventView(false);

    // Per distinct user agent: the UA-only rules it matches, and whether a payload rule matches the
    // agent alone (then the whole request is matched). Computed once per agent.
    const uaCache = new Map<string, { rules: CompiledSigmaRule[]; payload: boolean }>();
    const uaEvent: EnrichedEvent = { ts: 0, format: '', source: { file: '', line: 0 }, raw: null, template: '', objectIds: [], actor: '' };
    const judgeUa = (ua: string | undefined): { rules: CompiledSigmaRule[]; payload: boolean } | null => {
      if (ua === undefined) return null;
      let r = uaCache.get(ua);
      if (!r) {
        uaEvent.userAgent = ua;
        uaView.reset(uaEvent);
        r = { rules: uaRules.filter((x) => x.match(uaView)), payload: shippedGated.some((x) => x.match(uaView)) };
        if (uaCache.size >= 10_000) uaCache.clear();
        uaCache.set(ua, r);
      }
      return r;
    };

    const table = keyedState<Incident>(ctx, {
      idleMs: gapMs,
      onRemove: (_k, inc) => ctx.report(incidentAlert(inc, o.maxSamples)),
    });
    const matched: CompiledSigmaRule[] = [];
    const templateWords = new Map<string, boolean>();
    let allowSkipped = 0;

    return {
      event(e) {
        // Expire idle incidents (the table itself does a full pass only now and then).
        table.sweep(e.ts);
        const uaInfo = judgeUa(e.userAgent);
        const uaHot = uaInfo !== null && uaInfo.payload;
        let uriHot = pathHasPayloadChars(e.path) || suspiciousQuery(e.query);
        if (!uriHot && e.path !== undefined) {
          // Payload words in the path, judged once per route template.
          let w = templateWords.get(e.template);
          if (w === undefined) {
            w = hasPayloadWords(e.template) || (e.template === '/' && hasPayloadWords(e.path));
            if (templateWords.size >= 50_000) templateWords.clear();
            templateWords.set(e.template, w);
          }
          uriHot = w;
        }
        let refHot = false;
        let bodyHot = false;
        const shape = rawShape(e.raw);
        if (shape !== 0) {
          if (shape & (RAW_REFERER | RAW_HEADERS)) refHot = suspiciousReferer(rawReferer(e.raw));
          if (shape & (RAW_BODY | RAW_HEADERS)) bodyHot = hasRawBody(e.raw);
        }
        const hot = uaHot || uriHot || refHot || bodyHot;
        matched.length = 0;
        if (hot) {
          // Shipped rules are ORs of one-field selections and the pre-filter is sound for them:
          // fields it found clean cannot match, so they are skipped.
          view.reset(e);
          if (!uaHot) view.hide(F.userAgent);
          if (!uriHot) {
            view.hide(F.uri);
            view.hide(F.path);
            view.hide(F.query);
          }
          if (!refHot) view.hide(F.referer);
          for (const r of shippedGated) if (r.match(view)) matched.push(r);
        }
        if (always.length > 0) {
          fullView.reset(e);
          for (const r of always) if (r.match(fullView)) matched.push(r);
        }
        const payloadHits = matched.length;
        if (uaInfo) for (const r of uaInfo.rules) matched.push(r);
        if (matched.length === 0) return;
        if (allowlisted(m, e)) {
          allowSkipped++;
          return;
        }

        // A request refused for its credentials (a brute force's failed login) names the account it
        // tried, not who sent it: that caller is known by its address.
        const refused = e.user !== undefined && e.ip !== undefined && (e.status === 401 || e.auth === 'failure');
        const inc = table.touch(refused ? `ip:${e.ip!}` : e.actor, e.ts, (actor) => ({
          actor,
          start: e.ts,
          end: e.ts,
          requests: 0,
          payloadRequests: 0,
          payloadOk: 0,
          categories: new Map(),
          statuses: new Map(),
          paths: new Map(),
          userAgents: new Map(),
          ips: new Map(),
          samples: new Samples(5, 5),
          successSample: null,
          sampled: 0,
          ruleHits: new Map(),
        }));
        if (e.ts < inc.start) inc.start = e.ts;
        if (e.ts > inc.end) inc.end = e.ts;
        inc.requests++;
        const success = ok(e.status);
        if (payloadHits > 0) {
          inc.payloadRequests++;
          if (success) inc.payloadOk++;
        }
        const cats: string[] = [];
        for (const r of matched) {
          const c = categoryOf.get(r)!;
          let s = inc.categories.get(c);
          if (!s) inc.categories.set(c, (s = { count: 0, ok: 0, rules: new Map() }));
          if (!cats.includes(c)) {
            cats.push(c);
            s.count++;
            if (success) s.ok++;
          }
          bump(s.rules, r.id, 1, 100);
          inc.ruleHits.set(r, (inc.ruleHits.get(r) ?? 0) + 1);
        }
        bump(inc.statuses, statusClass(e.status));
        if (e.path !== undefined) bump(inc.paths, e.path, 1, 1000);
        if (e.userAgent !== undefined) bump(inc.userAgents, e.userAgent.length > 120 ? `${e.userAgent.slice(0, 117)}...` : e.userAgent, 1, 100);
        if (e.ip !== undefined) bump(inc.ips, e.ip, 1, 100);
        // Every payload request is offered as a sample (the first and last few are kept); scanner-only requests a few.
        if (payloadHits > 0 || inc.sampled < 3) {
          inc.sampled++;
          const note = requestNote(e, cats);
          if (payloadHits > 0 && success && inc.successSample === null) inc.successSample = sampleOf(e, note);
          else inc.samples.add(e, note);
        }
      },
      end() {
        if (allowSkipped > 0) ctx.note(`${allowSkipped} matching requests from allow-listed users, keys, IPs or user agents were not reported`);
      },
    };
  },
};
