#!/usr/bin/env node
// What "parse each line once" would cost and save (docs/performance.md, "Where it stands"): the
// events of a file, read and mapped on one thread, are packed into column batches (numbers in a
// Float64Array, strings as ids into a per-batch table sent as one buffer), handed to a worker by
// transfer, and made into objects again there. Prints the per-event time of packing and unpacking,
// to set against that of reading and mapping a line (`npm run bench`: ingest + normalise).
//
//   npm run build && node scripts/bench-transfer.mjs bench-data/flat-102MB-seed42.ndjson
import fs from 'node:fs';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { openSource } from '../dist/ingest/index.js';
import { DEFAULT_INGEST_LIMITS } from '../dist/ingest/types.js';
import { createNormaliser } from '../dist/normalise/normaliser.js';

const NUMBERS = ['ts', 'status', 'bytesOut', 'bytesIn', 'latencyMs'];
const STRINGS = ['ip', 'user', 'apiKey', 'sessionId', 'method', 'path', 'query', 'host', 'userAgent', 'requestId', 'auth', 'action', 'country', 'route', 'format'];
const BATCH = 4096;
const SEP = '\u0000';

/** Events [from, to) as columns; the buffers are transferable. */
function pack(events, from, to) {
  const n = to - from;
  const nums = new Float64Array(n * NUMBERS.length);
  const strs = new Int32Array(n * STRINGS.length);
  const ids = new Map();
  const table = [];
  for (let i = 0; i < n; i++) {
    const e = events[from + i];
    for (let k = 0; k < NUMBERS.length; k++) {
      const v = e[NUMBERS[k]];
      nums[i * NUMBERS.length + k] = v === undefined ? NaN : v;
    }
    for (let k = 0; k < STRINGS.length; k++) {
      const v = e[STRINGS[k]];
      let id = -1;
      if (v !== undefined) {
        id = ids.get(v);
        if (id === undefined) {
          id = table.length;
          ids.set(v, id);
          table.push(v);
        }
      }
      strs[i * STRINGS.length + k] = id;
    }
  }
  const text = Buffer.from(table.join(SEP), 'utf8');
  return { n, nums: nums.buffer, strs: strs.buffer, text: text.buffer.slice(text.byteOffset, text.byteOffset + text.length) };
}

/** The objects again. */
function unpack(b) {
  const nums = new Float64Array(b.nums);
  const strs = new Int32Array(b.strs);
  const table = Buffer.from(b.text).toString('utf8').split(SEP);
  const out = new Array(b.n);
  for (let i = 0; i < b.n; i++) {
    const e = {};
    for (let k = 0; k < NUMBERS.length; k++) {
      const v = nums[i * NUMBERS.length + k];
      if (!Number.isNaN(v)) e[NUMBERS[k]] = v;
    }
    for (let k = 0; k < STRINGS.length; k++) {
      const id = strs[i * STRINGS.length + k];
      if (id >= 0) e[STRINGS[k]] = table[id];
    }
    out[i] = e;
  }
  return out;
}

const perEvent = (ms, n) => ((ms * 1000) / n).toFixed(2);
const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

if (isMainThread) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/bench-transfer.mjs FILE.ndjson');
    process.exit(2);
  }
  const events = [];
  const normaliser = createNormaliser({}, () => {});
  const source = { path: file, kind: 'file', size: fs.statSync(file).size };
  for await (const batch of openSource(source, DEFAULT_INGEST_LIMITS, () => {}).batches()) {
    for (const r of batch) normaliser.push(r, events);
  }
  normaliser.flush(events);
  console.log(`${events.length} events`);
  for (let round = 0; round < 3; round++) {
    let t0 = process.hrtime.bigint();
    const batches = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(pack(events, i, Math.min(events.length, i + BATCH)));
    const packMs = since(t0);
    const bytes = batches.reduce((a, b) => a + b.nums.byteLength + b.strs.byteLength + b.text.byteLength, 0);
    const worker = new Worker(new URL(import.meta.url));
    const unpacked = new Promise((resolve) => worker.on('message', resolve));
    t0 = process.hrtime.bigint();
    for (const b of batches) worker.postMessage(b, [b.nums, b.strs, b.text]);
    worker.postMessage(null);
    const unpackMs = await unpacked;
    console.log(`pack ${perEvent(packMs, events.length)} µs/event (${(bytes / events.length).toFixed(0)} bytes), unpack in a worker ${perEvent(unpackMs, events.length)} µs/event`);
    await worker.terminate();
  }
} else {
  let ms = 0;
  parentPort.on('message', (b) => {
    if (b === null) {
      parentPort.postMessage(ms);
      return;
    }
    const t0 = process.hrtime.bigint();
    unpack(b);
    ms += since(t0);
  });
}
