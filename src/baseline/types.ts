/**
 * A learned picture of normal behaviour (see `apilog baseline`). Detectors and the checklist read
 * it; the baseline module owns its format. Versioned JSON on disk.
 */
export interface ActorBaseline {
  /** Requests per hour of week (0 = Monday 00:00 UTC ... 167). */
  hoursOfWeek: number[];
  routes: Record<string, number>;
  countries: Record<string, number>;
  ips: Record<string, number>;
  /** Typical volume: median and p99 of requests per active hour. */
  requestsPerHour: { median: number; p99: number };
  /** Response bytes per active hour: median and MAD. */
  bytesPerHour: { median: number; mad: number; p99: number };
  /** Distinct object ids per 10 minutes per route template: p99. */
  distinctIdsPer10m?: Record<string, number>;
  /** Object ids the actor has used (their own), per template; capped. */
  ownIds?: Record<string, string[]>;
  activeDays: number;
  firstSeen: number;
  lastSeen: number;
}

export interface RouteBaseline {
  callers: Record<string, number>;
  requestsPerHour: { median: number; p99: number };
}

export interface Baseline {
  schemaVersion: string;
  createdAt: string;
  /** Where it was learned from: 'file' (apilog baseline) or 'input' (built from the analysed input). */
  origin: 'file' | 'input';
  period: { start: number; end: number };
  actors: Record<string, ActorBaseline>;
  routes: Record<string, RouteBaseline>;
}
