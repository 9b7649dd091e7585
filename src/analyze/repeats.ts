/**
 * Records read twice: rotated files that overlap (copytruncate copies the log, then truncates it,
 * and lines written in between land in both files), a partial copy beside the whole log, or two
 * layers logging one request (a gateway and the sidecar or application behind it pass the request
 * id on, and log it a few milliseconds apart). Files with the same content are read once already
 * (src/ingest/identical.ts); these overlap only in part. Counted twice, a credential attack
 * doubles its failures and its peak rate.
 *
 * A record is a repeat when an earlier one had the same request id within `SAME_REQUEST_MS`: a
 * request id names one request, and the time rules out an id a gateway reused. The first record
 * read is kept (in time order, the outer layer's). Records without a request id are never dropped
 * (two identical lines can be two requests). The merged stream is in time order
 * up to small disorder, so ids are remembered for `windowMs` of event time only: memory follows
 * the request rate, not the input. Used only when there are several input files.
 */
import type { ApiEvent } from '../normalise/event.js';

const WINDOW_MS = 120_000;
/** Two records of one request id this close in time are one request logged twice. */
export const SAME_REQUEST_MS = 2_000;

export interface RepeatFilter {
  batches: AsyncGenerator<ApiEvent[]>;
  /** Records dropped as repeats so far. */
  repeated(): number;
}

/** `onRepeat` is told of each record dropped (`apilog explain --line` names a line it left out). */
export function dropRepeats(input: AsyncGenerator<ApiEvent[]>, windowMs = WINDOW_MS, onRepeat?: (dropped: ApiEvent) => void): RepeatFilter {
  // request id -> event time, in insertion order (roughly time order): pruned from the front. (No
  // key built per event: the id itself is the key, the time compared on a hit.)
  const seen = new Map<string, number>();
  let newest = -Infinity;
  let repeated = 0;

  function prune(): void {
    const cutoff = newest - windowMs;
    for (const [id, ts] of seen) {
      if (ts >= cutoff) break;
      seen.delete(id);
    }
  }

  async function* run(): AsyncGenerator<ApiEvent[]> {
    try {
      for await (const batch of input) {
        let out: ApiEvent[] | null = null;
        for (let i = 0; i < batch.length; i++) {
          const e = batch[i]!;
          if (e.requestId === undefined) {
            out?.push(e);
            continue;
          }
          const t = seen.get(e.requestId);
          if (t !== undefined && (t === e.ts || (e.ts - t <= SAME_REQUEST_MS && t - e.ts <= SAME_REQUEST_MS))) {
            repeated++;
            onRepeat?.(e);
            // Copy on the first repeat: most batches have none and pass through as they are.
            out ??= batch.slice(0, i);
            continue;
          }
          seen.set(e.requestId, e.ts);
          if (e.ts > newest) newest = e.ts;
          out?.push(e);
        }
        if (seen.size > 1024) prune();
        yield out ?? batch;
      }
    } finally {
      await input.return(undefined);
    }
  }

  return { batches: run(), repeated: () => repeated };
}
