/**
 * What the rules say about a route: data kinds (classification), admin/export/login/health lists,
 * and the permissions the policy requires for it. Compiled once per RuleSet and memoised per
 * (method, template) so the hot path does a map lookup.
 */
import type { DataKind, RuleSet } from '../rules/types.js';
import { compileRouteList, parseMethodPattern, type RouteTest } from '../rules/match.js';
import { modificationKind, type ModificationKind } from './classify.js';
import { routeKey } from '../baseline/stats.js';

export interface PermissionNeed {
  permission: string;
  /** The policy route spec that matched, e.g. "POST /api/v1/orders". */
  spec: string;
}

export interface RouteInfo {
  method: string | undefined;
  template: string;
  /** The baseline route key, "METHOD template". */
  key: string;
  /** Data kinds from rules.classification, in rule order, without repeats. */
  kinds: DataKind[];
  /** The classification patterns that matched (parallel to kinds' first occurrences). */
  kindPatterns: string[];
  admin: boolean;
  export: boolean;
  login: boolean;
  health: boolean;
  /** routes.sensitive, or a personal/financial/credentials data kind. */
  sensitive: boolean;
  permissions: PermissionNeed[];
  modification: ModificationKind;
  /** The template addresses one object (it has a placeholder), rather than a collection. */
  single: boolean;
}

export interface CompiledPolicy {
  adminRoles: Set<string>;
  /** Role -> permissions ("*" = all). */
  roles: Map<string, Set<string>>;
  /** Whether a role holds the permission (admin roles hold all). */
  holds(role: string, permission: string): boolean;
  isAdminRole(role: string): boolean;
  /** Whether the policy names the role at all (a role it does not know cannot be judged). */
  knowsRole(role: string): boolean;
}

export interface RouteClassifier {
  info(method: string | undefined, template: string, action?: string): RouteInfo;
  policy: CompiledPolicy;
}

const SENSITIVE_KINDS: ReadonlySet<DataKind> = new Set<DataKind>(['personal', 'financial', 'credentials']);
const CACHE_MAX = 20_000;

/** A route spec, "pattern" or "METHOD pattern", compiled with the rules' own matcher. */
interface MethodRoute {
  method: string | undefined;
  test: RouteTest;
  spec: string;
}

function compileSpec(spec: string, where: string): MethodRoute {
  const { method, pattern } = parseMethodPattern(spec);
  try {
    return { method, test: compileRouteList([pattern]), spec };
  } catch (err) {
    throw new Error(`${where}: invalid route pattern "${spec}": ${(err as Error).message}`);
  }
}

function specMatches(r: MethodRoute, method: string | undefined, template: string): boolean {
  if (r.method !== undefined && r.method !== '*' && r.method !== method) return false;
  return r.test(template);
}

export function compilePolicy(rules: RuleSet): CompiledPolicy {
  const adminRoles = new Set(rules.policy.adminRoles);
  const roles = new Map<string, Set<string>>();
  for (const [role, perms] of Object.entries(rules.policy.roles)) roles.set(role, new Set(perms));
  return {
    adminRoles,
    roles,
    isAdminRole: (role) => adminRoles.has(role),
    knowsRole: (role) => adminRoles.has(role) || roles.has(role),
    holds(role, permission) {
      if (adminRoles.has(role)) return true;
      const p = roles.get(role);
      return p !== undefined && (p.has(permission) || p.has('*'));
    },
  };
}

export function createRouteClassifier(rules: RuleSet): RouteClassifier {
  const admin = compileRouteList(rules.routes.admin);
  const exp = compileRouteList(rules.routes.export);
  const login = compileRouteList(rules.routes.login);
  const health = compileRouteList(rules.routes.health);
  const sensitive = compileRouteList(rules.routes.sensitive);
  const classes = rules.classification.map((c, i) => ({ kind: c.kind, pattern: c.pattern, route: compileSpec(c.pattern, `classification[${i}]`) }));
  const perms: Array<{ permission: string; route: MethodRoute }> = [];
  for (const [permission, specs] of Object.entries(rules.policy.permissions)) {
    for (const spec of specs) perms.push({ permission, route: compileSpec(spec, `policy.permissions.${permission}`) });
  }
  const policy = compilePolicy(rules);
  const cache = new Map<string | undefined, Map<string, RouteInfo>>();
  let cached = 0;

  function compute(method: string | undefined, template: string, action: string | undefined): RouteInfo {
    const kinds: DataKind[] = [];
    const kindPatterns: string[] = [];
    for (const c of classes) {
      if (!kinds.includes(c.kind) && specMatches(c.route, method, template)) {
        kinds.push(c.kind);
        kindPatterns.push(c.pattern);
      }
    }
    const permissions: PermissionNeed[] = [];
    for (const p of perms) {
      if (specMatches(p.route, method, template) && !permissions.some((x) => x.permission === p.permission)) {
        permissions.push({ permission: p.permission, spec: p.route.spec });
      }
    }
    return {
      method,
      template,
      key: routeKey(method, template),
      kinds,
      kindPatterns,
      admin: admin(template) || kinds.includes('admin'),
      export: exp(template) || kinds.includes('export'),
      login: login(template),
      health: health(template),
      sensitive: sensitive(template) || kinds.some((k) => SENSITIVE_KINDS.has(k)),
      permissions,
      // Signing in (a POST to a login or token route) creates no record of the API's data; a
      // password reset or recovery does change something, and stays a modification.
      modification: login(template) && !/reset|recover|forgot/i.test(template) ? null : modificationKind(method, action),
      single: /\{[^}]*\}/.test(template),
    };
  }

  function info(method: string | undefined, template: string, action?: string): RouteInfo {
    let byTemplate = cache.get(method);
    if (byTemplate === undefined) {
      byTemplate = new Map();
      cache.set(method, byTemplate);
    }
    let ri = byTemplate.get(template);
    if (ri === undefined) {
      ri = compute(method, template, action);
      if (cached >= CACHE_MAX) {
        cache.clear();
        cached = 0;
        byTemplate = new Map();
        cache.set(method, byTemplate);
      }
      byTemplate.set(template, ri);
      cached++;
    }
    return ri;
  }

  return { info, policy };
}
