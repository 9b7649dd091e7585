/**
 * --threads: how the consumers are shared out between threads, and the worker side of it.
 *
 * Each thread reads and parses the whole input itself and runs a share of the consumers (a lane).
 * Parsing is a small part of an event's cost (about a fifth), and the windowed detectors need every
 * event in time order, so reading the input once per lane costs less than sending parsed events
 * between threads (a structured clone per event costs about what parsing it does) and keeps every
 * consumer's input exactly what it is with one thread.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import type { InputSource } from '../ingest/types.js';
import type { AlertRecord } from '../report/records.js';
import type { AnalyzeOptions } from './options.js';
import type { LaneDetected, LaneFinished, LaneSpec } from './consumers.js';
import { compactEvidence } from '../detect/util/evidence.js';

/**
 * Relative CPU cost of each consumer per event, from `node --cpu-prof` on the bench data
 * (docs/performance.md). Reading and parsing costs READ_COST in every lane.
 */
const COST: Record<string, number> = {
  checklist: 3.0,
  stats: 1.1,
  'bola-enumeration': 1.5,
  'sensitive-data-in-logs': 1.2,
  scraping: 0.6,
  'data-exfiltration': 0.5,
  'credential-stuffing': 0.5,
  'impossible-travel': 0.4,
  'after-hours-admin': 0.3,
  'attack-signature': 0.3,
  'endpoint-probing': 0.2,
  'authorization-probing': 0.1,
};
const READ_COST = 2.3;
const OTHER_DETECTOR_COST = 0.5;

/**
 * Consumers that look up GeoIP per event, kept in one lane when that costs little balance. Each
 * thread that runs one opens the tables on its own (about 11 MB since they are read in place); a
 * plan that split them, with the costs re-profiled, measured the same speed on 1 GB and 6% more
 * memory (the checklist's entries then cross threads). The statistics locate at most a thousand
 * IPs, once, at the end, so they may go to any lane: a lane that opens the tables only for them
 * reads a few KB per IP from disk.
 */
const USES_GEOIP = new Set(['checklist', 'impossible-travel', 'after-hours-admin']);

interface Item {
  ids: string[];
  cost: number;
}

/**
 * Up to `threads` lanes, balanced by cost (longest first onto the least loaded lane); fewer when
 * another lane would not shorten the run by a tenth. The consumers that use GeoIP share a lane
 * unless splitting them shortens the run by more than a tenth. Lane 0 is run by the main thread,
 * which also builds and writes the report: it is the lane with the checklist (whose entries, the
 * largest result, then need not be copied between threads), else the lightest. Detectors that do
 * not run (--only/--skip) still belong to a lane, which reports them as disabled.
 */
export function planLanes(threads: number, detectorIds: string[], running: (id: string) => boolean, checklist: boolean): LaneSpec[] {
  const costOf = (id: string): number => (id === 'checklist' || id === 'stats' || running(id) ? (COST[id] ?? OTHER_DETECTOR_COST) : 0);
  const ids = [...detectorIds, ...(checklist ? ['checklist'] : []), 'stats'];
  const apart: Item[] = ids.map((id) => ({ ids: [id], cost: costOf(id) }));
  const geo = ids.filter((id) => USES_GEOIP.has(id));
  const together: Item[] = [
    { ids: geo, cost: geo.reduce((n, id) => n + costOf(id), 0) },
    ...ids.filter((id) => !USES_GEOIP.has(id)).map((id) => ({ ids: [id], cost: costOf(id) })),
  ];
  const a = pack(apart, threads);
  const t = pack(together, threads);
  const lanes = t.span <= a.span * 1.1 ? t.lanes : a.lanes;
  return lanes
    .filter((l) => l.ids.length > 0)
    .sort((x, y) => Number(y.ids.includes('checklist')) - Number(x.ids.includes('checklist')) || x.load - y.load)
    .map((l) => ({
      detectors: detectorIds.filter((id) => l.ids.includes(id)),
      checklist: l.ids.includes('checklist'),
      stats: l.ids.includes('stats'),
    }));
}

function pack(items: Item[], threads: number): { lanes: Array<{ load: number; ids: string[] }>; span: number } {
  const sorted = [...items].sort((x, y) => y.cost - x.cost || (x.ids[0]! < y.ids[0]! ? -1 : 1));
  let best: Array<{ load: number; ids: string[] }> = [];
  let bestSpan = Infinity;
  for (let n = 1; n <= Math.max(1, threads); n++) {
    const lanes = Array.from({ length: n }, () => ({ load: 0, ids: [] as string[] }));
    for (const it of sorted) {
      const target = lanes.reduce((min, l) => (l.load < min.load ? l : min), lanes[0]!);
      target.load += it.cost;
      target.ids.push(...it.ids);
    }
    const span = READ_COST + Math.max(...lanes.map((l) => l.load));
    // A lane must save at least a tenth of the run to be worth its thread and its memory.
    if (span < bestSpan * 0.9) {
      best = lanes;
      bestSpan = span;
    }
  }
  return { lanes: best, span: bestSpan };
}

/** What the main thread sends a lane worker to start it. */
export interface LaneWorkerData {
  opts: AnalyzeOptions;
  spec: LaneSpec;
  sources: InputSource[];
  range: { from?: number; to?: number };
  /** The source that only the main thread can read (stdin, a pipe), and the port its bytes come through. */
  forwarded?: { path: string; port: MessagePort };
}

export type LaneMessage =
  | { type: 'detected'; detected: LaneDetected }
  | { type: 'finished'; finished: LaneFinished }
  | { type: 'error'; message: string; name: string; exitCode?: number };

export type MainMessage = { type: 'abort' } | { type: 'alerts'; alerts: AlertRecord[] };

/** A lane running in a worker thread. */
export interface RemoteLane {
  detected: Promise<LaneDetected>;
  finish(alerts: AlertRecord[]): Promise<LaneFinished>;
  /** Stop reading: the lane reports what it has read. */
  abort(): void;
  terminate(): void;
}

/** An error from a lane's thread, with the name and exit code it had there (a ConfigError stays one). */
export class LaneError extends Error {
  constructor(
    message: string,
    name = 'LaneError',
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = name;
  }
}

/** Alerts copied from another thread, with their counts made compact again (see compactCounts). */
export function compactAlerts<A extends { evidence: Record<string, unknown> }>(alerts: A[]): A[] {
  for (const a of alerts) compactEvidence(a.evidence);
  return alerts;
}

function compactDetected(d: LaneDetected): LaneDetected {
  if (d !== null) for (const [, alerts] of d.byDetector) compactAlerts(alerts);
  return d;
}

/** An alert as the statistics read it (trafficTables: its subject and start), without its evidence. */
function forStatistics(a: AlertRecord): AlertRecord {
  return { ...a, evidence: { metrics: {}, thresholds: {}, samples: [] }, references: [] };
}

export function startLane(data: LaneWorkerData): RemoteLane {
  const worker = new Worker(new URL('./lane-worker.js', import.meta.url), {
    workerData: data,
    transferList: data.forwarded ? [data.forwarded.port] : [],
  });
  let onDetected!: (d: LaneDetected) => void;
  let onFinished!: (f: LaneFinished) => void;
  const failures: Array<(err: Error) => void> = [];
  const detected = new Promise<LaneDetected>((resolve, reject) => {
    onDetected = resolve;
    failures.push(reject);
  });
  const finished = new Promise<LaneFinished>((resolve, reject) => {
    onFinished = resolve;
    failures.push(reject);
  });
  // Both promises may reject before anyone awaits the second: mark them handled.
  detected.catch(() => undefined);
  finished.catch(() => undefined);
  const fail = (err: Error): void => {
    for (const f of failures) f(err);
  };
  worker.on('message', (m: LaneMessage) => {
    if (m.type === 'detected') onDetected(compactDetected(m.detected));
    else if (m.type === 'finished') onFinished(m.finished);
    else fail(new LaneError(m.message, m.name, m.exitCode));
  });
  worker.on('error', (err) => fail(new LaneError(`analysis thread failed: ${err.message}`)));
  worker.on('exit', (code) => fail(new LaneError(`analysis thread stopped (exit code ${code})`)));
  const post = (m: MainMessage): void => worker.postMessage(m);
  return {
    detected,
    finish(alerts) {
      // Only the checklist and the statistics read the alerts: a lane of detectors alone is not
      // sent a copy (at the end of a long run, a copy of every alert on top of its state), and
      // one with the statistics but not the checklist gets them without their evidence, the bulk
      // of an alert (trafficTables reads only subjects and start times).
      post({ type: 'alerts', alerts: data.spec.checklist ? alerts : data.spec.stats ? alerts.map(forStatistics) : [] });
      return finished;
    },
    abort: () => post({ type: 'abort' }),
    terminate: () => void worker.terminate(),
  };
}
