/**
 * The detection pipeline: events in (any order within the lateness), alerts out.
 *
 * push(e) -> reorder buffer (event time) -> every enabled detector's event(e), in time order.
 * end()   -> drain, detectors' end(), flush their keyed state, coverage check, incident merging.
 */
import type { EnrichedEvent, GeoLookup } from '../enrich/types.js';
import type { Baseline } from '../baseline/types.js';
import type { DetectorStatus } from '../report/records.js';
import type { RuleSet } from '../rules/types.js';
import { DEFAULT_MAX_ACTORS } from '../rules/types.js';
import { checkDetectorIds, resolveOptions } from '../rules/options.js';
import type { CanonicalField } from '../normalise/event.js';
import { AlertStore } from './alert-store.js';
import { compareAlerts, mergeAlerts } from './merge.js';
import { ReorderBuffer } from './reorder.js';
import { KeyedTable } from './state.js';
import { builtinDetectors } from './registry.js';
import type { Alert, Detector, DetectorContext, DetectorHandlers } from './types.js';

export interface PipelineOptions {
  detectors: ReadonlyArray<Detector<object>>;
  rules: RuleSet;
  geo: GeoLookup;
  baseline?: Baseline;
  /** Run only these detector ids (others: status disabled). */
  only?: string[];
  /** Do not run these detector ids (status disabled). */
  skip?: string[];
  /** Ids that rules.detectors may name besides `detectors` and the built-ins. */
  knownIds?: Iterable<string>;
  /**
   * Run only these of `detectors` here: the others run in another thread's pipeline over the same
   * events, and get no status from this one. Absent: all of them.
   */
  lane?: ReadonlySet<string>;
  /** Told of every alert as a detector reports it, before incidents are merged (`--follow` prints them live). */
  onAlert?: (alert: Alert) => void;
  /** The input is followed live (see DetectorContext.live). */
  live?: boolean;
  /**
   * Keep the alerts for `end()` (default true). `--follow` merges the alerts it is told of itself
   * and reads only the statuses and notes from `end()`.
   */
  keepAlerts?: boolean;
}

export interface PipelineResult {
  alerts: Alert[];
  statuses: DetectorStatus[];
  notes: string[];
  /** Actor states dropped at the rules.maxActors cap, over all detectors. */
  evictedActors: number;
  /** `alerts`, per detector (in `detectors` order), so that lanes run in threads can be put back in order. */
  byDetector: Array<[string, Alert[]]>;
}

export interface Pipeline {
  push(e: EnrichedEvent): void;
  /** Whether a detector run here reads, or may read, the events' source records (`meta.readsRecord`). */
  readonly readsRecord: boolean;
  end(): PipelineResult;
  /**
   * Live reading (`--follow`): the input went quiet and event time is now `now` (at least the
   * newest event's time). Releases every event still in the reorder buffer and expires the keyed
   * state idle at `now`, so detectors report the incidents that closed. Later events older than
   * the ones released are analysed as late, as in push(). A full pass over the keyed state: call it
   * now and then (the live runner: once per quiet period), not per event.
   */
  advance?(now: number): void;
  /** How far apart alerts of `rule` about one subject may lie and still be merged into one incident. */
  mergeGapMs?(rule: string): number;
}

const DEFAULT_MERGE_GAP_MS = 10 * 60_000;

/** Bit per canonical field, for coverage; the order matches fieldMask. */
const FIELD_ORDER: readonly CanonicalField[] = [
  'ts', 'ip', 'user', 'roles', 'apiKey', 'sessionId', 'method', 'path', 'route', 'query', 'host',
  'status', 'bytesOut', 'bytesIn', 'latencyMs', 'userAgent', 'requestId', 'auth', 'action', 'country',
];
const BIT = new Map<CanonicalField, number>(FIELD_ORDER.map((f, i) => [f, 1 << i]));

/** Which canonical fields the event carries, as bits (unrolled: called per event). */
function fieldMask(e: EnrichedEvent): number {
  let m = 1;
  if (e.ip !== undefined) m |= 1 << 1;
  if (e.user !== undefined) m |= 1 << 2;
  if (e.roles !== undefined && e.roles.length > 0) m |= 1 << 3;
  if (e.apiKey !== undefined) m |= 1 << 4;
  if (e.sessionId !== undefined) m |= 1 << 5;
  if (e.method !== undefined) m |= 1 << 6;
  if (e.path !== undefined) m |= 1 << 7;
  if (e.route !== undefined) m |= 1 << 8;
  if (e.query !== undefined) m |= 1 << 9;
  if (e.host !== undefined) m |= 1 << 10;
  if (e.status !== undefined) m |= 1 << 11;
  if (e.bytesOut !== undefined) m |= 1 << 12;
  if (e.bytesIn !== undefined) m |= 1 << 13;
  if (e.latencyMs !== undefined) m |= 1 << 14;
  if (e.userAgent !== undefined) m |= 1 << 15;
  if (e.requestId !== undefined) m |= 1 << 16;
  if (e.auth !== undefined && e.auth !== 'unknown') m |= 1 << 17;
  if (e.action !== undefined) m |= 1 << 18;
  if (e.country !== undefined) m |= 1 << 19;
  return m;
}

interface Running {
  detector: Detector<object>;
  handlers: DetectorHandlers | null;
  alerts: AlertStore;
  notes: string[];
  unavailable: string | null;
  tables: KeyedTable<unknown>[];
  gapMs: number;
}

function fieldList(fields: CanonicalField[], join: 'and' | 'or'): string {
  if (fields.length === 1) return fields[0]!;
  return `${fields.slice(0, -1).join(', ')} ${join} ${fields[fields.length - 1]}`;
}

export function createPipeline(opts: PipelineOptions): Pipeline {
  const { rules, geo, baseline } = opts;
  const cap = rules.maxActors ?? DEFAULT_MAX_ACTORS;
  const keepAlerts = opts.keepAlerts !== false;
  const only = opts.only && opts.only.length > 0 ? new Set(opts.only) : null;
  const skip = new Set(opts.skip ?? []);
  const ids = opts.detectors.map((d) => d.meta.id);
  // rules/detectors.yaml configures every built-in detector, also when a subset runs.
  checkDetectorIds(rules, [...ids, ...builtinDetectors.map((d) => d.meta.id), ...(opts.knownIds ?? [])]);
  const globalNotes: string[] = [];
  for (const id of [...(only ?? []), ...skip]) {
    if (!ids.includes(id)) globalNotes.push(`--only/--skip name "${id}", which is not one of the detectors run here`);
  }

  const statuses = new Map<string, DetectorStatus>();
  const running: Running[] = [];
  const laneDetectors = opts.lane ? opts.detectors.filter((d) => opts.lane!.has(d.meta.id)) : opts.detectors;
  for (const detector of laneDetectors) {
    const { meta } = detector;
    if ((only && !only.has(meta.id)) || skip.has(meta.id)) {
      statuses.set(meta.id, { id: meta.id, status: 'disabled', reason: only && !only.has(meta.id) ? 'not selected by --only' : 'turned off by --skip', alerts: 0 });
      continue;
    }
    const options = resolveOptions(meta, rules);
    const r: Running = { detector, handlers: null, alerts: new AlertStore(), notes: [], unavailable: null, tables: [], gapMs: DEFAULT_MERGE_GAP_MS };
    r.gapMs = meta.mergeGapMs ? meta.mergeGapMs(options) : DEFAULT_MERGE_GAP_MS;
    const ctx: DetectorContext<object> = {
      options,
      rules,
      geo,
      ...(baseline ? { baseline } : {}),
      ...(opts.live ? { live: true } : {}),
      report(alert) {
        if (r.unavailable) return;
        if (!alert.references && meta.references.length > 0) alert.references = meta.references;
        if (keepAlerts) r.alerts.push(alert);
        opts.onAlert?.(alert);
      },
      unavailable(reason) {
        r.unavailable ??= reason;
      },
      note(message) {
        if (r.notes.length < 20 && !r.notes.includes(message)) r.notes.push(message);
      },
      keyed<V>(o: import('./types.js').KeyedStateOptions<V>) {
        const t = new KeyedTable<V>(o, cap);
        r.tables.push(t as KeyedTable<unknown>);
        return t;
      },
    };
    try {
      r.handlers = detector.create(ctx);
    } catch (err) {
      r.unavailable = `internal error while starting: ${(err as Error).message}`;
    }
    running.push(r);
  }

  const active = (): Running[] => running.filter((r) => r.handlers && !r.unavailable);
  let dispatch = active();
  const formats = new Map<string, { mask: number; events: number }>();
  let lastFormat = '';
  let lastStats: { mask: number; events: number } | undefined;
  let events = 0;

  const release = (e: EnrichedEvent): void => {
    let dropped = false;
    for (const r of dispatch) {
      if (r.unavailable) {
        dropped = true;
        continue;
      }
      try {
        r.handlers!.event?.(e);
      } catch (err) {
        r.unavailable = `internal error at ${e.source.file}:${e.source.line}: ${(err as Error).message}`;
        dropped = true;
      }
    }
    if (dropped) dispatch = active();
  };
  const buffer = new ReorderBuffer(rules.latenessMs);

  return {
    readsRecord: running.some((r) => r.detector.meta.readsRecord !== false),

    advance(now) {
      buffer.drain(release);
      for (const r of running) {
        if (!r.handlers || r.unavailable) continue;
        try {
          for (const t of r.tables) t.expire(now);
        } catch (err) {
          r.unavailable = `internal error while closing idle incidents: ${(err as Error).message}`;
        }
      }
      dispatch = active();
    },

    mergeGapMs(rule) {
      return running.find((r) => r.detector.meta.id === rule)?.gapMs ?? DEFAULT_MERGE_GAP_MS;
    },

    push(e) {
      events++;
      if (e.format !== lastFormat || !lastStats) {
        lastFormat = e.format;
        lastStats = formats.get(e.format);
        if (!lastStats) formats.set(e.format, (lastStats = { mask: 0, events: 0 }));
      }
      lastStats.mask |= fieldMask(e);
      lastStats.events++;
      buffer.push(e, release);
    },

    end() {
      buffer.drain(release);
      for (const r of running) {
        if (!r.handlers || r.unavailable) continue;
        try {
          r.handlers.end?.();
          for (const t of r.tables) t.flush();
        } catch (err) {
          r.unavailable = `internal error at the end of the input: ${(err as Error).message}`;
        }
      }

      let seen = 0;
      for (const f of formats.values()) seen |= f.mask;
      const formatNames = [...formats.keys()].sort().join(', ') || 'none';
      const has = (mask: number, f: CanonicalField): boolean => (mask & BIT.get(f)!) !== 0;
      const meets = (mask: number, req: NonNullable<Detector['meta']['requires']>): CanonicalField[] | null => {
        const missing = (req.allOf ?? []).filter((f) => !has(mask, f));
        if (missing.length > 0) return missing;
        if (req.anyOf && req.anyOf.length > 0 && !req.anyOf.some((f) => has(mask, f))) return req.anyOf;
        return null;
      };

      let evicted = 0;
      const perDetector: Array<[string, Alert[]]> = [];
      const gaps = new Map<string, number>();
      for (const r of running) {
        const { meta } = r.detector;
        const notes = [...r.notes];
        const tableEvictions = r.tables.reduce((n, t) => n + t.evicted, 0);
        if (tableEvictions > 0) {
          evicted += tableEvictions;
          notes.push(`state of ${tableEvictions} actors dropped at the maxActors cap (${cap}), oldest idle first`);
        }
        // No event at all (nothing mapped, an empty input, or a time filter that left none): nothing
        // was judged, which a report must not show as a detector that ran and found nothing.
        let reason = r.unavailable ?? (events === 0 ? 'no events to judge' : undefined);
        if (!reason && meta.requires && events > 0) {
          const missing = meets(seen, meta.requires);
          if (missing) {
            const join = (meta.requires.allOf ?? []).includes(missing[0]!) ? 'and' : 'or';
            reason = `no ${fieldList(missing, join)} field in the input (formats: ${formatNames})${meta.unavailableImpact ? `: ${meta.unavailableImpact}` : ''}`;
          } else {
            for (const [name, f] of formats) {
              const m = meets(f.mask, meta.requires);
              if (m) notes.push(`${fieldList(m, 'or')} absent from the ${f.events === 1 ? 'event' : `${f.events} events`} of format ${name}: ${f.events === 1 ? 'it' : 'those'} could not be judged`);
            }
          }
        }
        if (reason) {
          statuses.set(meta.id, { id: meta.id, status: 'unavailable', reason, alerts: 0, ...(notes.length ? { notes } : {}) });
          continue;
        }
        gaps.set(meta.id, r.gapMs);
        perDetector.push([meta.id, r.alerts.take()]);
        statuses.set(meta.id, { id: meta.id, status: 'ran', alerts: 0, ...(notes.length ? { notes } : {}) });
      }

      // Merged per detector: an incident never spans two detectors, and a lane's result can then be
      // put back in detector order whichever thread ran it.
      const byDetector: Array<[string, Alert[]]> = [];
      const alerts: Alert[] = [];
      for (const [id, list] of perDetector) {
        const merged = mergeAlerts(list, (rule) => gaps.get(rule) ?? DEFAULT_MERGE_GAP_MS);
        byDetector.push([id, merged]);
        alerts.push(...merged);
        statuses.get(id)!.alerts = merged.length;
      }
      alerts.sort(compareAlerts);
      const notes = [...globalNotes];
      if (buffer.late > 0) {
        notes.push(
          `${buffer.late} ${buffer.late === 1 ? 'event' : 'events'} arrived more than the allowed lateness (${Math.round(rules.latenessMs / 1000)} s) after newer ones (up to ${Math.round(buffer.lateMaxMs / 1000)} s): analysed out of order; raise latenessMs or sort the input`,
        );
      }
      return { alerts, statuses: laneDetectors.map((d) => statuses.get(d.meta.id)!), notes, evictedActors: evicted, byDetector };
    },
  };
}
