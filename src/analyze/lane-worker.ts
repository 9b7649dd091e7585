/**
 * A lane in a worker thread: reads the whole input like the main thread (same sources, same time
 * order), runs its share of the consumers, and answers in two steps: the detectors' results at the
 * end of the input, then the entries and tables once the main thread sends every lane's alerts.
 * Input problems are the main thread's to report (it reads the same input): here they are ignored.
 * Stdin or a pipe, which only the main thread can read, arrives as the bytes it forwards (forward.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createConsumers, prepare } from './consumers.js';
import { openEventStream } from './events.js';
import { compactAlerts, type LaneMessage, type LaneWorkerData, type MainMessage } from './lanes.js';
import type { AlertRecord } from '../report/records.js';
import type { InputSource } from '../ingest/index.js';
import { forwardedBytes } from './forward.js';
import { readableOnce } from './sources.js';

const port = parentPort!;
const data = workerData as LaneWorkerData;
const send = (m: LaneMessage): void => port.postMessage(m);

let aborted = false;
let alerts: ((a: AlertRecord[]) => void) | null = null;
const alertsArrived = new Promise<AlertRecord[]>((resolve) => (alerts = resolve));
port.on('message', (m: MainMessage) => {
  if (m.type === 'abort') aborted = true;
  else alerts!(compactAlerts(m.alerts));
});

try {
  const { opts, spec, sources, range, forwarded } = data;
  const setup = await prepare(opts);
  const consumers = createConsumers(setup, spec, opts);
  // A source only the main thread can read comes as the bytes it forwards.
  const streamOf = forwarded ? (s: InputSource) => (s.path === forwarded.path && readableOnce(s) ? forwardedBytes(forwarded.port) : undefined) : undefined;
  const input = await openEventStream({ ...opts, ...range, ...(streamOf ? { streamOf } : {}), trustedProxies: setup.rules.trustedProxies ?? [] }, () => undefined, { sources, issues: [], identical: [] });
  for await (const batch of input.batches) {
    for (const e of batch) consumers.add(e);
    if (aborted) break;
  }
  send({ type: 'detected', detected: consumers.detected() });
  const finished = consumers.finish(await alertsArrived);
  // Its entries are made as they are written, on the main thread (lanes.ts puts the checklist there).
  if (finished.checklist !== null) throw new Error('internal: a worker lane ran the checklist');
  send({ type: 'finished', finished });
  port.close();
} catch (err) {
  const e = err as Error & { exitCode?: number };
  send({ type: 'error', message: e.message, name: e.name, ...(typeof e.exitCode === 'number' ? { exitCode: e.exitCode } : {}) });
  port.close();
}
