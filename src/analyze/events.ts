/**
 * Inputs -> one stream of canonical events in time order: expand paths, read each source through
 * ingest and normalise, and merge the sources by event time. Shared by analyze, explain and
 * baseline.
 */
import { expandInputs, type Expanded, type InputSource } from '../ingest/index.js';
import { SET_ASIDE, isUnreadable, losesInput, type IngestIssue, type IngestLimits } from '../ingest/types.js';
import type { ApiEvent } from '../normalise/event.js';
import { mergeByTime, type TimedStream } from './merge.js';
import { timedSource, type SourceOptions, type SourceResult } from './sources.js';
import { dropRepeats } from './repeats.js';
import { UsageError } from './options.js';

export interface EventStreamOptions {
  inputs: string[];
  include: string[];
  exclude: string[];
  /** The command's own output file (-o): never read as an input. */
  outputFile?: string;
  logFormat?: string;
  map: Record<string, string>;
  /** Zone of timestamps without an offset (--input-tz). */
  inputTz?: string;
  /** rules' trustedProxies (src/normalise/forwarded.ts). */
  trustedProxies?: readonly string[];
  limits: IngestLimits;
  from?: number;
  to?: number;
  /** The bytes of a source this thread does not open itself (see ReadOptions.stream). */
  streamOf?: SourceOptions['streamOf'];
  /** Told of each record left out as a repeat of one already read (src/analyze/repeats.ts). */
  onRepeat?: (dropped: ApiEvent) => void;
}

export interface EventStream {
  sources: InputSource[];
  /** Filled in as each source is read to its end. */
  results: Map<string, SourceResult>;
  /** Bytes read so far, over all sources. */
  bytesRead(): number;
  batches: AsyncGenerator<ApiEvent[]>;
  /** Records left out as repeats of one already read (overlapping rotated files; src/analyze/repeats.ts). */
  repeated(): number;
}

export { isUnreadable, losesInput } from '../ingest/types.js';

/** An unreadable input's message, naming the file when the message does not ("binary content…"). */
export function unreadableMessage(i: IngestIssue): string {
  return i.message.includes(i.file) ? i.message : `${i.file}: ${i.message}`;
}

/**
 * Lines (records) left out as malformed or not mappable, over the files of a summary. The issues
 * told along the way cannot be counted instead: past the first 20 of a kind, one issue stands for
 * all the others. Whole-file problems (unreadable, a damaged gzip) are not lines, and records a
 * format knew and set aside (Caddy's startup lines) are expected, not lost.
 */
export function skippedLines(files: ReadonlyArray<{ malformed: number; skipped: Record<string, number> }>): number {
  let n = 0;
  for (const f of files) {
    n += f.malformed;
    for (const [kind, k] of Object.entries(f.skipped)) if (kind !== SET_ASIDE && !losesInput(kind as IngestIssue['kind'])) n += k;
  }
  return n;
}


/** Said (exit 2) when the paths, --include and --exclude name no file at all and none was unreadable. */
export const NO_INPUT_FILES = 'no input files matched (check the paths and --include/--exclude)';

/** `expanded`: the inputs already expanded by the caller (so folders are walked once). */
export async function openEventStream(
  opts: EventStreamOptions,
  onIssue: (i: IngestIssue) => void,
  expanded?: Expanded,
): Promise<EventStream> {
  expanded ??= await expandInputs(opts.inputs, {
    include: opts.include,
    exclude: opts.exclude,
    dropIdentical: true,
    ...(opts.outputFile !== undefined ? { skip: [opts.outputFile] } : {}),
  });
  for (const i of expanded.issues) onIssue(i);
  const sources = expanded.sources;
  if (sources.length === 0 && !expanded.issues.some((i) => isUnreadable(i.kind))) {
    throw new UsageError(NO_INPUT_FILES);
  }
  const results = new Map<string, SourceResult>();
  let bytes = 0;
  const onBytes = (d: number): void => {
    bytes += d;
  };
  const sourceOpts = {
    limits: opts.limits,
    map: opts.map,
    ...(opts.logFormat ? { logFormat: opts.logFormat } : {}),
    ...(opts.inputTz ? { inputTz: opts.inputTz } : {}),
    ...(opts.trustedProxies && opts.trustedProxies.length > 0 ? { trustedProxies: opts.trustedProxies } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.streamOf ? { streamOf: opts.streamOf } : {}),
    // One budget for the files of this stream: overlapping newest-first exports are held at once.
    reverseBudget: { held: 0 },
  };
  const streams: Array<TimedStream<ApiEvent>> = [];
  for (const s of sources) {
    streams.push(await timedSource(s, sourceOpts, onIssue, (r) => results.set(r.source.path, r), onBytes));
  }
  // Overlaps are between files: one file is passed on as it is (the usual single large log pays nothing).
  const merged = mergeByTime(streams);
  const filtered = sources.length > 1 ? dropRepeats(merged, undefined, opts.onRepeat) : { batches: merged, repeated: () => 0 };
  return { sources, results, bytesRead: () => bytes, batches: filtered.batches, repeated: filtered.repeated };
}
