/**
 * Tunables, loaded from rules/*.yaml (defaults shipped with apilog) and any --rules PATH.
 * Every value remembers where it came from so `apilog rules` can say so.
 */

export interface BusinessHours {
  /** IANA time zone, e.g. "Europe/Berlin". */
  timezone: string;
  /** ISO weekdays that are working days (1 = Monday ... 7 = Sunday). */
  days: number[];
  /** "HH:MM" local time; end may be before start (a window that wraps midnight). */
  start: string;
  end: string;
}

export interface RoutePatterns {
  /** Glob-like route patterns ("/admin/**", "/api/*\/users/{id}/roles") or "re:<regex>". */
  admin: string[];
  login: string[];
  export: string[];
  sensitive: string[];
  health: string[];
}

export interface AllowLists {
  /** IPs or CIDRs. */
  ips: string[];
  users: string[];
  apiKeys: string[];
  /** Substrings or "re:<regex>" matched against the user agent. */
  userAgents: string[];
}

export type DataKind = 'personal' | 'financial' | 'credentials' | 'admin' | 'export' | 'business' | 'public';

export const DATA_KINDS: readonly DataKind[] = ['personal', 'financial', 'credentials', 'admin', 'export', 'business', 'public'];

export interface DataClass {
  /** A route pattern (same syntax as RoutePatterns), optionally prefixed by a method: "POST /api/v1/orders". */
  pattern: string;
  kind: DataKind;
}

export interface RolePolicy {
  /** Roles that are administrators. */
  adminRoles: string[];
  /** Role -> permissions it holds. */
  roles: Record<string, string[]>;
  /** Permission -> the routes ("METHOD pattern" or "pattern") that need it. */
  permissions: Record<string, string[]>;
}

export interface RuleSet {
  businessHours: BusinessHours;
  routes: RoutePatterns;
  allow: AllowLists;
  classification: DataClass[];
  policy: RolePolicy;
  /** Per-detector option overrides, by rule id. */
  detectors: Record<string, Record<string, unknown>>;
  /** Event-time lateness tolerated before windows close, in ms. */
  latenessMs: number;
  /** Cap on keys (actors) each detector tracks at once; the oldest idle are evicted beyond it. Default 200 000. */
  maxActors?: number;
  /**
   * How long after an account's likely takeover a later alert on it is linked to the takeover and
   * raised (detect/correlate.ts), in hours. Default 24.
   */
  takeoverWindowHours?: number;
  /**
   * Addresses and CIDRs of the site's own proxies, load balancers and CDN edges, besides the private
   * ranges that always count as proxies: a caller in them gives way to the record's X-Forwarded-For,
   * whose last hop outside them is the client (src/normalise/forwarded.ts).
   */
  trustedProxies?: string[];
  /** Dotted key -> file it came from ("(default)" for built-ins). */
  origins: Record<string, string>;
}

export const DEFAULT_MAX_ACTORS = 200_000;
/**
 * How long after a takeover an alert on the same account is taken as its continuation. A day:
 * stolen sessions and tokens are commonly valid that long, and attackers cash a taken account in
 * within hours; beyond it, the same account's activity is more likely its owner's again.
 */
export const DEFAULT_TAKEOVER_WINDOW_HOURS = 24;
export const DEFAULT_LATENESS_MS = 5 * 60_000;
