/** Matchers compiled once per RuleSet and shared by every detector of a run. */
import { compileIpList, compileRouteList, compileUaList, type RouteTest } from '../../rules/match.js';
import type { RuleSet } from '../../rules/types.js';
import type { EnrichedEvent } from '../../enrich/types.js';

export interface RuleMatchers {
  admin: RouteTest;
  login: RouteTest;
  export: RouteTest;
  sensitive: RouteTest;
  health: RouteTest;
  allowIp: (ip: string | undefined) => boolean;
  allowUa: (ua: string | undefined) => boolean;
  allowUsers: ReadonlySet<string>;
  allowKeys: ReadonlySet<string>;
  adminRoles: ReadonlySet<string>;
}

const memo = new WeakMap<RuleSet, RuleMatchers>();

export function ruleMatchers(rules: RuleSet): RuleMatchers {
  let m = memo.get(rules);
  if (!m) {
    m = {
      admin: compileRouteList(rules.routes.admin),
      login: compileRouteList(rules.routes.login),
      export: compileRouteList(rules.routes.export),
      sensitive: compileRouteList(rules.routes.sensitive),
      health: compileRouteList(rules.routes.health),
      allowIp: compileIpList(rules.allow.ips),
      allowUa: compileUaList(rules.allow.userAgents),
      allowUsers: new Set(rules.allow.users),
      allowKeys: new Set(rules.allow.apiKeys),
      adminRoles: new Set(rules.policy.adminRoles.map((r) => r.toLowerCase())),
    };
    memo.set(rules, m);
  }
  return m;
}

/** Whether the event's principal, key, IP or user agent is on an allowlist; returns which, or null. */
export function allowlisted(m: RuleMatchers, e: EnrichedEvent): string | null {
  if (e.user !== undefined && m.allowUsers.has(e.user)) return `user ${e.user}`;
  if (e.apiKey !== undefined && m.allowKeys.has(e.apiKey)) return `API key ${e.apiKey}`;
  if (m.allowIp(e.ip)) return `IP ${e.ip}`;
  if (m.allowUa(e.userAgent)) return 'user agent';
  return null;
}

/** Whether any of the event's roles is in `roles` (lower-case). */
export function hasRole(e: EnrichedEvent, roles: ReadonlySet<string>): string | null {
  if (!e.roles) return null;
  for (const r of e.roles) if (roles.has(r.toLowerCase())) return r;
  return null;
}

export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
