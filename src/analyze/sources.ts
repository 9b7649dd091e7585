/**
 * Per-file event streams: ingest -> normalise for one input source, with the bookkeeping the
 * summary needs (format, confidence, counts, missing fields).
 */
import { openSource, type ByteSource, type InputSource } from '../ingest/index.js';
import { createNormaliser, type FileNormaliser } from '../normalise/index.js';
import type { ApiEvent } from '../normalise/event.js';
import type { FileStats, IngestIssue, IngestLimits } from '../ingest/types.js';
import type { TimedStream } from './merge.js';
import { FileOrder, MAX_REVERSED_EVENTS, type FileOrderVerdict, type ReverseBudget } from './file-order.js';

export interface SourceOptions {
  limits: IngestLimits;
  logFormat?: string;
  map: Record<string, string>;
  /** Zone of timestamps without an offset (--input-tz). */
  inputTz?: string;
  /** Events held for reversal by the run's files together (file-order.ts); absent: this file's own. */
  reverseBudget?: ReverseBudget;
  /** rules' trustedProxies: callers in them give way to the record's X-Forwarded-For. */
  trustedProxies?: readonly string[];
  /** Keep events with from <= ts <= to. */
  from?: number;
  to?: number;
  /** The bytes of a source this thread does not open itself (see ReadOptions.stream). */
  streamOf?: (source: InputSource) => ByteSource | undefined;
}

/** What a fully read source reports to the summary. */
export interface SourceResult {
  source: InputSource;
  stats: FileStats;
  normaliser: FileNormaliser;
  /** Read as written, or reversed because it was written newest first (file-order.ts). */
  order: FileOrderVerdict;
}

const noop = (): void => undefined;

/** Read a source through ingest and normalise; yields batches of events. */
export async function* readEvents(
  source: InputSource,
  opts: SourceOptions,
  onIssue: (i: IngestIssue) => void,
  onDone: (r: SourceResult) => void,
  onBytes?: (delta: number) => void,
): AsyncGenerator<ApiEvent[]> {
  const stream = opts.streamOf?.(source);
  // Where a damaged .gz (or one over --max-decompressed) stops, a responder needs the time the
  // readable part ends at, not only a byte count: the issue is said once the part before it is read.
  const cut: IngestIssue[] = [];
  const onReadIssue = (i: IngestIssue): void => {
    if (i.kind === 'gzip-error' || i.kind === 'decompressed-too-large') cut.push(i);
    else onIssue(i);
  };
  let lastTs = NaN;
  const reader = openSource(source, opts.limits, onReadIssue, stream === undefined ? {} : { stream });
  const normaliser = createNormaliser({ file: source.path, format: opts.logFormat, map: opts.map, inputTz: opts.inputTz, ...(opts.trustedProxies ? { trustedProxies: opts.trustedProxies } : {}) }, onIssue);
  const { from, to } = opts;
  const filter = from !== undefined || to !== undefined;
  const order = new FileOrder(MAX_REVERSED_EVENTS, opts.reverseBudget);
  let lastBytes = 0;
  let cutSaid = false;
  // `read`: the part before the damage was read to its end, so its last time is known.
  const sayCut = (read: boolean): void => {
    if (cutSaid) return;
    cutSaid = true;
    // A file written newest first loses its older records past the damage, not its later ones.
    const lost = order.verdict === 'as-written' ? 'later' : 'earlier';
    for (const i of cut) onIssue(read && Number.isFinite(lastTs) ? { ...i, message: `${i.message} (the last one from ${new Date(lastTs).toISOString()}: ${lost} records in this file are lost)` } : i);
  };
  try {
    for await (const batch of reader.batches()) {
      const out: ApiEvent[] = [];
      for (const rec of batch) normaliser.push(rec, out);
      if (out.length > 0) lastTs = out[out.length - 1]!.ts;
      if (onBytes) {
        onBytes(reader.stats.bytes - lastBytes);
        lastBytes = reader.stats.bytes;
      }
      const ready = order.push(out);
      yield filter ? ready.filter((e) => inRange(e.ts, from, to)) : ready;
    }
    const tail: ApiEvent[] = [];
    normaliser.flush(tail);
    if (tail.length > 0) lastTs = tail[tail.length - 1]!.ts;
    if (onBytes) onBytes(reader.stats.bytes - lastBytes);
    const last = order.push(tail);
    const rest = order.end();
    sayCut(true);
    onDone({ source, stats: reader.stats, normaliser, order: order.verdict });
    yield filter ? last.filter((e) => inRange(e.ts, from, to)) : last;
    for (const b of rest) yield filter ? b.filter((e) => inRange(e.ts, from, to)) : b;
  } finally {
    // A reader that stops early (explain, once its entry is found) must still hear of the damage.
    sayCut(false);
    order.release();
  }
}

function inRange(ts: number, from: number | undefined, to: number | undefined): boolean {
  return (from === undefined || ts >= from) && (to === undefined || ts <= to);
}

/**
 * Whether a source can be read only once: stdin, and files that are not regular files (a FIFO,
 * `<(zcat …)` process substitution as /dev/fd/N, a character device). expandInputs gives a size
 * to regular files only.
 */
export function readableOnce(source: InputSource): boolean {
  return source.kind === 'stdin' || source.size === undefined;
}

/**
 * Wrap a source as a TimedStream for the merge: peek its first event time (reading only until the
 * first event comes out), then re-open it from the start when the merge reaches it. A source that
 * cannot be re-read (stdin, a pipe) keeps its peeked stream open and continues where the peek
 * stopped.
 */
export async function timedSource(
  source: InputSource,
  opts: SourceOptions,
  onIssue: (i: IngestIssue) => void,
  onDone: (r: SourceResult) => void,
  onBytes?: (delta: number) => void,
): Promise<TimedStream<ApiEvent>> {
  if (readableOnce(source)) {
    const it = readEvents(source, opts, onIssue, onDone, onBytes);
    const buffered: ApiEvent[][] = [];
    let firstTs: number | null = null;
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      buffered.push(r.value);
      if (r.value.length > 0) {
        firstTs = r.value[0]!.ts;
        break;
      }
    }
    if (firstTs === null) {
      // Empty stdin or pipe: nothing to merge, but it was read in full, so its stats are already reported.
      return { firstTs: null, open: () => it };
    }
    return {
      firstTs,
      open: () =>
        (async function* () {
          yield* buffered;
          yield* { [Symbol.asyncIterator]: () => it };
        })(),
    };
  }

  // A throwaway read to find the first timestamp; its issues and stats are not counted.
  const peek = readEvents(source, opts, noop, noop);
  let firstTs: number | null = null;
  for await (const batch of peek) {
    if (batch.length > 0) {
      firstTs = batch[0]!.ts;
      break;
    }
  }
  await peek.return(undefined);
  if (firstTs === null) {
    // No events at all: read it once for real so its issues and stats are reported.
    for await (const _ of readEvents(source, opts, onIssue, onDone, onBytes)) {
      // drain
    }
    return { firstTs: null, open: () => emptyIterator() };
  }
  return { firstTs, open: () => readEvents(source, opts, onIssue, onDone, onBytes) };
}

async function* emptyIterator(): AsyncGenerator<ApiEvent[]> {
  // yields nothing
}
