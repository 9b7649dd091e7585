/**
 * What an analysis run does with each event once the sources are merged in time order: enrich it,
 * then feed the detect pipeline, the per-entry checklist (with the baseline it learns from the
 * input) and the traffic statistics.
 *
 * A lane runs a share of those consumers over the whole event stream. One lane (`WHOLE_LANE`) runs
 * them all; with --threads, several lanes run side by side, each in its own thread reading the same
 * input, and their plain-data results are put back together in `combineDetected`. Results are
 * identical whichever lane ran a consumer: each one sees every event, in the same order.
 */
import { createEnricher, createGeoLookup } from '../enrich/index.js';
import type { GeoLookup } from '../enrich/types.js';
import { loadRules } from '../rules/index.js';
import type { RuleSet } from '../rules/types.js';
import { checkDetectorIds, resolveOptions } from '../rules/options.js';
import { builtinDetectors, createPipeline, type PipelineResult } from '../detect/index.js';
import { compareAlerts } from '../detect/merge.js';
import type { Alert, Detector } from '../detect/types.js';
import { createChecklist, type KeptEntries } from '../checklist/index.js';
import { createBaselineLearner, loadBaseline } from '../baseline/index.js';
import type { Baseline } from '../baseline/types.js';
import { createStatsCollector, type StatsResult } from '../stats/index.js';
import type { ApiEvent } from '../normalise/event.js';
import type { AlertRecord, DetectorStatus } from '../report/records.js';
import { UsageError, type AnalyzeOptions } from './options.js';
import { trafficTables } from './summary.js';

/** Which consumers a lane runs. */
export interface LaneSpec {
  /** Detector ids run in this lane (null: every detector). */
  detectors: string[] | null;
  /** The per-entry checklist, and the baseline learned from the input when no file is given. */
  checklist: boolean;
  stats: boolean;
}

export const WHOLE_LANE: LaneSpec = { detectors: null, checklist: true, stats: true };

/** Loaded once per thread: rules, detectors (with the user's Sigma rules), baseline, GeoIP. */
export interface Setup {
  rules: RuleSet;
  detectors: Detector[];
  /** Notes from loading (Sigma rules that cannot run). */
  notes: string[];
  baseline?: Baseline;
  geo: GeoLookup;
}

export async function prepare(opts: AnalyzeOptions): Promise<Setup> {
  const rules = loadRules(opts.rulesPaths);
  const detectors: Detector[] = [...builtinDetectors];
  const notes: string[] = [];
  if (opts.sigmaPaths.length > 0) {
    // Loaded only when asked for: most runs use no Sigma rules of the user's own.
    const { loadSigmaRules, createSigmaDetector } = await import('../sigma/index.js');
    const sigma = loadSigmaRules(opts.sigmaPaths);
    for (const r of sigma.rejected) {
      notes.push(`sigma rule not run: ${r.file}${r.id ? ` (${r.id})` : ''}: ${r.reason}`);
    }
    if (sigma.rules.length > 0) detectors.push(createSigmaDetector(sigma.rules));
  }
  checkRuleIds([...opts.only, ...opts.skip], detectors);
  // Every detector's options, checked here once: with --threads a detector may start in another
  // thread, and a mistake in the rules must stop the run before any thread starts.
  checkDetectorIds(rules, detectors.map((d) => d.meta.id));
  for (const d of detectors) resolveOptions(d.meta, rules);
  const baseline = opts.baselinePath ? loadBaseline(opts.baselinePath) : undefined;
  if (baseline !== undefined) {
    // Before API keys were named by their hash (hygiene/key-identity.ts), a secret-looking key was
    // cut to its first characters: such a baseline's key actors match no caller now.
    const cut = Object.keys(baseline.actors).filter((a) => /^key:[^…]{1,8}…$/.test(a)).length;
    if (cut > 0) {
      notes.push(
        `the baseline ${opts.baselinePath} names ${cut} API key caller${cut === 1 ? '' : 's'} by ${cut === 1 ? 'its' : 'their'} first characters only, as apilog did before it named keys by their hash: ${cut === 1 ? 'it matches no caller now and reads' : 'they match no caller now and read'} as unknown; learn the baseline again with \`apilog baseline\``,
      );
    }
  }
  const geo = createGeoLookup({ dbPath: opts.geoipDb });
  return { rules, detectors, notes, ...(baseline ? { baseline } : {}), geo };
}

/** --only/--skip name rules that exist: a typo must not pass as "no alerts". */
function checkRuleIds(ids: string[], detectors: Detector[]): void {
  const known = new Set(detectors.map((d) => d.meta.id));
  for (const id of ids) {
    if (known.has(id) || id === 'sigma' || id.startsWith('sigma:')) continue;
    throw new UsageError(`--only/--skip: unknown rule "${id}"; known rules: ${[...known].join(', ')}, sigma, sigma:<rule id>`);
  }
}

/** A lane's detection result, as plain data (it may cross a thread boundary). */
export type LaneDetected = PipelineResult | null;

/**
 * A lane's share of the results that need every alert first. Plain data but for the checklist's
 * entries, which are made as they are written: the checklist runs in the lane on the main thread
 * (lanes.ts), so what crosses threads has none.
 */
export interface LaneFinished {
  /** Present when the lane ran the checklist. */
  checklist: {
    entries: KeptEntries;
    flagged: number;
    dropped: number;
    evicted: number;
    /** A baseline was learned from the input. */
    learned: boolean;
  } | null;
  /** Present when the lane ran the statistics. */
  traffic: StatsResult | null;
}

export interface Consumers {
  add(e: ApiEvent): void;
  /** End of input: the detectors' results. */
  detected(): LaneDetected;
  /** With every lane's alerts: entries and traffic tables. */
  finish(alerts: AlertRecord[]): LaneFinished;
}

export function createConsumers(setup: Setup, spec: LaneSpec, opts: AnalyzeOptions): Consumers {
  const { rules, geo, baseline } = setup;
  const enrich = createEnricher(rules);
  const lane = spec.detectors === null ? undefined : new Set(spec.detectors);
  // Dropped once detected() has taken its results (detected() is called once, after the last
  // add()), so that the detectors' state is garbage by the time the report is built: memory peaks
  // at the end of a run.
  let pipeline =
    opts.detect && (lane === undefined || lane.size > 0)
      ? createPipeline({
          detectors: setup.detectors,
          rules,
          geo,
          ...(baseline ? { baseline } : {}),
          only: opts.only,
          skip: opts.skip,
          ...(lane ? { lane } : {}),
        })
      : undefined;
  let checklist =
    spec.checklist && opts.detect && opts.entries !== 'none'
      ? createChecklist({ rules, geo, baseline, tz: opts.tz, keepAll: opts.entries === 'all' })
      : undefined;
  // With no baseline file, the checklist judges "fit with known behaviour" against one learned from
  // the input itself; nothing else reads it, so it is learned only when there are entries to judge.
  let learner = checklist && !baseline ? createBaselineLearner({ geo, origin: 'input', scope: 'fit' }) : undefined;
  let stats = spec.stats ? createStatsCollector() : undefined;
  // Only detectors read the source record (the checklist keeps its entries without it): in a lane
  // whose detectors do not, it is let go of now instead of waiting out the reorder buffer.
  const keepRecord = pipeline?.readsRecord === true;

  return {
    add(raw) {
      const e = enrich(raw);
      if (!keepRecord) e.raw = undefined;
      stats?.add(e);
      learner?.add(e);
      pipeline?.push(e);
      checklist?.add(e);
    },

    detected() {
      const result = pipeline ? pipeline.end() : null;
      pipeline = undefined;
      return result;
    },

    finish(alerts) {
      // Called once: what the results are made from is let go of as they are made, so that it is
      // garbage while the report is built and written (where the main thread's heap peaks).
      const traffic = stats ? trafficTables(stats, alerts, opts.tz, geo) : null;
      stats = undefined;
      const c = checklist;
      checklist = undefined;
      if (!c) return { checklist: null, traffic };
      const learned = learner?.finish();
      learner = undefined;
      return {
        checklist: {
          entries: c.finish(alerts, learned),
          flagged: c.flaggedCount(),
          dropped: c.droppedCount(),
          evicted: c.evictedActors(),
          learned: learned !== undefined,
        },
        traffic,
      };
    },
  };
}

/** The detection results of several lanes, as one pipeline over every detector would give them. */
export function combineDetected(lanes: LaneDetected[], detectors: Detector[]): PipelineResult {
  const statuses = new Map<string, DetectorStatus>();
  const alertsOf = new Map<string, Alert[]>();
  const notes: string[] = [];
  let evictedActors = 0;
  for (const r of lanes) {
    if (!r) continue;
    for (const s of r.statuses) statuses.set(s.id, s);
    for (const [id, list] of r.byDetector) alertsOf.set(id, list);
    // Notes about the input as a whole (late events) are the same in every lane: keep one copy.
    for (const n of r.notes) if (!notes.includes(n)) notes.push(n);
    evictedActors += r.evictedActors;
  }
  const byDetector: Array<[string, Alert[]]> = [];
  const alerts: Alert[] = [];
  for (const d of detectors) {
    const list = alertsOf.get(d.meta.id);
    if (!list) continue;
    byDetector.push([d.meta.id, list]);
    alerts.push(...list);
  }
  alerts.sort(compareAlerts);
  return {
    alerts,
    statuses: detectors.map((d) => statuses.get(d.meta.id)).filter((s): s is DetectorStatus => s !== undefined),
    notes,
    evictedActors,
    byDetector,
  };
}
