/**
 * A learned picture of normal behaviour (see `apilog baseline`). Detectors and the checklist read
 * it; the baseline module owns its format. Versioned JSON on disk (docs/checklist-and-baselines.md).
 *
 * Keys: actors by the enricher's actor key ("user:ID", "key:ID", "ip:IP"); routes (in `routes` of
 * an actor and of the baseline) by "METHOD template", e.g. "GET /orders/{id}" ("*" when the
 * method is unknown). All hours are UTC.
 */
export interface ActorBaseline {
  /** Requests per hour of week (0 = Monday 00:00 UTC ... 167). Always 168 entries. */
  hoursOfWeek: number[];
  /** "METHOD template" -> requests. */
  routes: Record<string, number>;
  /** ISO country -> requests. */
  countries: Record<string, number>;
  /** IP -> requests; capped (see `truncated`). */
  ips: Record<string, number>;
  /** Typical volume: median and p99 of requests per active hour. */
  requestsPerHour: { median: number; p99: number };
  /** Response bytes per active hour: median and MAD. */
  bytesPerHour: { median: number; mad: number; p99: number };
  /** Distinct object ids per 10 minutes per route template: p99. */
  distinctIdsPer10m?: Record<string, number>;
  /** Object ids the actor has used (their own), per template; capped, most used first. */
  ownIds?: Record<string, string[]>;
  activeDays: number;
  firstSeen: number;
  lastSeen: number;
  /** Requests seen for this actor. */
  requests?: number;
  /** Hours (clock hours, UTC) in which the actor made at least one request. */
  activeHours?: number;
  /** Which of the capped maps hit their cap: new values there are not proof of novelty. */
  truncated?: { routes?: boolean; countries?: boolean; ips?: boolean; ownIds?: boolean; hours?: boolean };
}

export interface RouteBaseline {
  /** Actor key -> requests; the top callers only (see caps.callersPerRoute). */
  callers: Record<string, number>;
  requestsPerHour: { median: number; p99: number };
  requests?: number;
  /** Distinct callers seen (may exceed the callers kept). */
  distinctCallers?: number;
}

/** The caps the learner applied; stored with the baseline so a reader knows what "absent" means. */
export interface BaselineCaps {
  actors: number;
  routes: number;
  routesPerActor: number;
  countriesPerActor: number;
  ipsPerActor: number;
  templatesPerActor: number;
  ownIdsPerTemplate: number;
  hoursPerActor: number;
  callersPerRoute: number;
}

export interface Baseline {
  schemaVersion: string;
  createdAt: string;
  /** Where it was learned from: 'file' (apilog baseline) or 'input' (built from the analysed input). */
  origin: 'file' | 'input';
  period: { start: number; end: number };
  actors: Record<string, ActorBaseline>;
  routes: Record<string, RouteBaseline>;
  /** Events learned from. */
  events?: number;
  caps?: BaselineCaps;
  /** What was left out at the caps: actors/routes not learned at all. */
  dropped?: { actors: number; routes: number };
}
