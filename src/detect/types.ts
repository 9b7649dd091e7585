import type { CanonicalField } from '../normalise/event.js';
import type { EnrichedEvent, GeoLookup } from '../enrich/types.js';
import type { RuleSet } from '../rules/types.js';
import type { Baseline } from '../baseline/types.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Who an alert is about: whichever keys the detector groups by. */
export interface Subject {
  user?: string;
  apiKey?: string;
  ip?: string;
  userAgent?: string;
  session?: string;
  route?: string;
  /** The log field a log-hygiene finding is about (what was logged that should not be), not a caller. */
  field?: string;
}

/** A pointer to one request that supports an alert. Values are already masked where needed. */
export interface EvidenceSample {
  time: number;
  file: string;
  line: number;
  /** The record's place on its line, from the second on (SourceRef.record). */
  record?: number;
  requestId?: string;
  method?: string;
  path?: string;
  status?: number;
  ip?: string;
  /** The API key (its identifier) the request was made with: the credential to revoke. Masked in every output. */
  apiKey?: string;
  note?: string;
}

export interface Evidence {
  /** Figures measured over the incident, e.g. { distinctIds: 412, windowMinutes: 10 }. */
  metrics: Record<string, number | string | boolean | null>;
  /** The thresholds those figures crossed, by the same names where possible. */
  thresholds: Record<string, number | string | boolean>;
  samples: EvidenceSample[];
  /** Anything else worth showing: status histogram, sample ids, locations... */
  [extra: string]: unknown;
}

/** How one alert relates to another (see detect/correlate.ts). */
export type AlertRelation = 'follows-takeover';

/**
 * A link to another alert of the same run, named by what identifies it before ids are assigned:
 * rule, subject and start (after incident merging, no two alerts share all three).
 */
export interface AlertLink {
  rule: string;
  subject: Subject;
  start: number;
  /** follows-takeover: this alert's activity began within the correlation window after the linked alert's likely account takeover. */
  relation: AlertRelation;
}

/** What a detector emits. Times are epoch ms; the reporter formats them. */
export interface Alert {
  rule: string;
  severity: Severity;
  title: string;
  subject: Subject;
  start: number;
  end: number;
  /** One sentence a responder can read: what happened, in figures. */
  summary: string;
  /** Why this severity (the seeds' levels: what raised or lowered it). */
  severityReason: string;
  evidence: Evidence;
  references?: string[];
  /** For alerts from Sigma rules: the rule's own id and title. */
  sigma?: { id: string; title: string; tags?: string[] };
  /** Set by the correlation stage (detect/correlate.ts), never by a detector: alerts this one is linked to. */
  related?: AlertLink[];
}

export interface DetectorMeta<O extends object = Record<string, unknown>> {
  /** Stable rule id, e.g. "bola-enumeration". */
  id: string;
  title: string;
  description: string;
  severity: Severity;
  /** OWASP API Top 10 / OAT / other references. */
  references: string[];
  /** Default options; rules/ files and --rules override them. */
  options: O;
  /** Canonical fields without which the detector cannot judge (e.g. ['user']). Any one of `anyOf` suffices. */
  requires?: { allOf?: CanonicalField[]; anyOf?: CanonicalField[] };
  /** Whether the detector needs GeoIP (so it is loaded only when needed). */
  needsGeo?: boolean;
  /**
   * Whether the detector reads the source record (`event.raw`); absent, it may (Sigma rules read
   * headers, bodies and any `raw.` path). A thread whose detectors all say `false` lets go of the
   * records before they wait in the reorder buffer.
   */
  readsRecord?: boolean;
  /**
   * What cannot be judged when `requires` is not met, ending the unavailable reason, e.g.
   * "travel per user cannot be judged".
   */
  unavailableImpact?: string;
  /**
   * Alerts of this rule and subject whose spans overlap or lie within this many ms are merged into one
   * incident by the pipeline (default 10 minutes). Usually the detector's window.
   */
  mergeGapMs?(options: O): number;
  /**
   * A check of an option set in a rules file beyond its type (which is checked against the
   * default's): the problem, with the index of the list entry at fault, or null.
   */
  checkOption?(key: string, value: unknown): { index?: number; problem: string } | null;
}

/** Options for per-key detector state (see DetectorContext.keyed). */
export interface KeyedStateOptions<V> {
  /** An entry not touched for this long (event time) expires. */
  idleMs: number;
  /**
   * Called when an entry leaves: idle expiry, eviction at the rules.maxActors cap, or the end of the
   * input. The place to emit a pending incident.
   */
  onRemove?: (key: string, value: V, why: 'expired' | 'evicted' | 'end') => void;
}

/** Bounded per-key state whose entries expire by event time (swept lazily, a bounded number of times per idle period). */
export interface KeyedState<V> {
  readonly size: number;
  get(key: string): V | undefined;
  /** The entry for `key`, created with `create` if missing, marked active at event time `ts`. */
  touch(key: string, ts: number, create: (key: string) => V): V;
  /**
   * The entry for `key` marked active at `ts`, or undefined (nothing is created). With `add`, the
   * allocation-free form of `touch` for hot paths: no closure per call.
   */
  find(key: string, ts: number): V | undefined;
  /** Add the entry for a `key` that has none (see `find`), active at `ts`; returns `value`. */
  add(key: string, ts: number, value: V): V;
  /** Remove an entry without calling onRemove. */
  delete(key: string): void;
  /** Expire entries idle since before `now - idleMs` (up to 1/8 of idleMs late); amortised O(1), call it on every event. */
  sweep(now: number): void;
  /** Remove every entry, calling onRemove(..., 'end'). */
  flush(): void;
  entries(): IterableIterator<[string, V]>;
}

export interface DetectorContext<O extends object = Record<string, unknown>> {
  options: O;
  rules: RuleSet;
  geo: GeoLookup;
  baseline?: Baseline;
  /** Emit an alert. The pipeline merges overlapping alerts of the same rule and subject. */
  report(alert: Alert): void;
  /**
   * The input is followed live (`--follow`): a detector may report an incident that is still open
   * once what it saw already warrants an alert (a login that succeeded after a stuffing run), rather
   * than only when the incident is over; its later, fuller report is merged into the same alert.
   */
  live?: boolean;
  /** Say the detector could not judge the input, and why (shown in the summary). */
  unavailable(reason: string): void;
  /** Add a note to the summary (e.g. "baseline insufficient for 3 actors: fixed thresholds used"). */
  note(message: string): void;
  /**
   * Per-key state bounded by rules.maxActors, expiring by event time; evictions are counted in the
   * summary and remaining entries are flushed (onRemove 'end') after the detector's end(). Always set by
   * the pipeline; optional only so hand-made contexts in tests stay valid (see detect/state.ts keyedState).
   */
  keyed?<V>(options: KeyedStateOptions<V>): KeyedState<V>;
}

export interface DetectorHandlers {
  /** Called once per event, in event-time order (within the configured lateness). */
  event?(e: EnrichedEvent): void;
  /** Called once after the last event: flush open windows. */
  end?(): void;
}

export interface Detector<O extends object = Record<string, unknown>> {
  meta: DetectorMeta<O>;
  create(context: DetectorContext<O>): DetectorHandlers;
}
