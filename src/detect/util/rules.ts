/** Matchers compiled once per RuleSet and shared by every detector of a run. */
import { cachedTest, compileIpList, compileRouteList, compileUaList, parseMethodPattern, type RouteTest } from '../../rules/match.js';
import type { RuleSet } from '../../rules/types.js';
import type { EnrichedEvent } from '../../enrich/types.js';
import { keyName } from '../../hygiene/key-identity.js';

export interface RuleMatchers {
  admin: RouteTest;
  login: RouteTest;
  export: RouteTest;
  sensitive: RouteTest;
  health: RouteTest;
  /** A GET of the route reads data classified "public" (the first matching classification entry). */
  publicRead: RouteTest;
  allowIp: (ip: string | undefined) => boolean;
  allowUa: (ua: string | undefined) => boolean;
  allowUsers: ReadonlySet<string>;
  allowKeys: ReadonlySet<string>;
  adminRoles: ReadonlySet<string>;
  /** No allowlist has an entry (the usual case): allowlisted() need not look. */
  noAllowlist: boolean;
}

const memo = new WeakMap<RuleSet, RuleMatchers>();

/**
 * Whether a GET of a template is classified "public": the first classification entry that matches
 * it (first match wins, as rules/classification.yaml says; entries for other methods are passed
 * over) has kind public. Cached per template (bounded).
 */
function compilePublicRead(rules: RuleSet): RouteTest {
  const classes = rules.classification
    .map((c) => ({ ...parseMethodPattern(c.pattern), kind: c.kind }))
    .filter((c) => c.method === undefined || c.method === '*' || c.method === 'GET')
    .map((c) => ({ test: compileRouteList([c.pattern]), kind: c.kind }));
  if (!classes.some((c) => c.kind === 'public')) return () => false;
  return cachedTest((template) => classes.find((c) => c.test(template))?.kind === 'public');
}

/**
 * The test with its last verdict remembered: the detectors ask about the same event's template one
 * after another, and comparing it with the last one costs less than the test's own cache lookup.
 */
function lastVerdict(test: RouteTest): RouteTest {
  let last: string | undefined;
  let verdict = false;
  return (template) => {
    if (template !== last) {
      verdict = test(template);
      last = template;
    }
    return verdict;
  };
}

export function ruleMatchers(rules: RuleSet): RuleMatchers {
  let m = memo.get(rules);
  if (!m) {
    m = {
      admin: lastVerdict(compileRouteList(rules.routes.admin)),
      login: lastVerdict(compileRouteList(rules.routes.login)),
      export: lastVerdict(compileRouteList(rules.routes.export)),
      sensitive: lastVerdict(compileRouteList(rules.routes.sensitive)),
      health: lastVerdict(compileRouteList(rules.routes.health)),
      publicRead: lastVerdict(compilePublicRead(rules)),
      allowIp: compileIpList(rules.allow.ips),
      allowUa: compileUaList(rules.allow.userAgents),
      allowUsers: new Set(rules.allow.users),
      // A key is listed as the operator knows it (in full) or as reports name it; events hold a
      // secret-looking key by its name only (normalise/values.ts maskKey), so both forms are kept.
      allowKeys: new Set(rules.allow.apiKeys.flatMap((k) => [k, keyName(k)])),
      adminRoles: new Set(rules.policy.adminRoles.map((r) => r.toLowerCase())),
      noAllowlist: rules.allow.users.length + rules.allow.apiKeys.length + rules.allow.ips.length + rules.allow.userAgents.length === 0,
    };
    memo.set(rules, m);
  }
  return m;
}

/** Whether the event's principal, key, IP or user agent is on an allowlist; returns which, or null. */
export function allowlisted(m: RuleMatchers, e: EnrichedEvent): string | null {
  if (m.noAllowlist) return null;
  if (e.user !== undefined && m.allowUsers.has(e.user)) return `user ${e.user}`;
  // A plain key id is held as logged, and may be listed as reports name it.
  if (e.apiKey !== undefined && m.allowKeys.size > 0 && (m.allowKeys.has(e.apiKey) || m.allowKeys.has(keyName(e.apiKey)))) return `API key ${e.apiKey}`;
  if (m.allowIp(e.ip)) return `IP ${e.ip}`;
  if (m.allowUa(e.userAgent)) return 'user agent';
  return null;
}

/** Whether any of the event's roles is in `roles` (lower-case). */
export function hasRole(e: EnrichedEvent, roles: ReadonlySet<string>): string | null {
  const own = e.roles;
  if (!own) return null;
  // An index loop: for-of over the shared, frozen role arrays allocated an iterator per call.
  for (let i = 0; i < own.length; i++) {
    const r = own[i]!;
    if (roles.has(lowerRole(r))) return r;
  }
  return null;
}

let lastRole = '';
let lastLower = '';

/**
 * r.toLowerCase(), remembering the last one: several detectors ask about the same event's roles in
 * turn, and most events carry the same few roles, so this saves a new string per call.
 */
function lowerRole(r: string): string {
  if (r !== lastRole) {
    lastLower = r.toLowerCase();
    lastRole = r;
  }
  return lastLower;
}

export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
