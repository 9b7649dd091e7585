/** Tunables of the per-entry checklist. */
export interface ChecklistOptions {
  /** Notable entries kept; beyond it, lower-severity entries give way and the rest are only counted. */
  maxEntries: number;
  /** Actors whose recent state is tracked at once; the longest idle 10% are dropped beyond it. */
  maxActors: number;
  /** A burst: this many requests from one actor within burstWindowMs. */
  burstCount: number;
  burstWindowMs: number;
  /** Window for "N requests in S s" (question 5). */
  rateWindowMs: number;
  /** Failures in a row (4xx or auth failure, no success between) that make a streak. */
  failureStreak: number;
  /** Response size from which a single response is "bulk". */
  bulkBytes: number;
  /** Hourly volume above max(volumeMin, median x volumeFactor, p99 x volumeP99Factor) is unusual. */
  volumeFactor: number;
  volumeP99Factor: number;
  volumeMin: number;
  /**
   * Off-hours alone makes an entry notable only this far from business hours (the "shoulder"):
   * a 08:30 request before a 09:00 start is ordinary, a 03:00 one is not.
   */
  offHoursMarginMinutes: number;
}

export const DEFAULT_CHECKLIST_OPTIONS: Readonly<ChecklistOptions> = Object.freeze({
  maxEntries: 20_000,
  maxActors: 100_000,
  burstCount: 20,
  burstWindowMs: 10_000,
  rateWindowMs: 60_000,
  failureStreak: 5,
  bulkBytes: 1024 * 1024,
  volumeFactor: 5,
  volumeP99Factor: 2,
  volumeMin: 20,
  offHoursMarginMinutes: 120,
});
