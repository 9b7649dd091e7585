/**
 * Reorder buffer: a binary min-heap on event time. An event is released once the newest event time
 * seen is at least `latenessMs` past it, so input out of order within the lateness reaches detectors
 * sorted. Ties are broken on the event's content (path, ip, user, request id) and only then on its
 * source, so the order does not depend on how the input was split into files.
 */
import type { EnrichedEvent } from '../enrich/types.js';

function str(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

export function compareEvents(a: EnrichedEvent, b: EnrichedEvent): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  return (
    str(a.path, b.path) ||
    str(a.query, b.query) ||
    str(a.ip, b.ip) ||
    str(a.user, b.user) ||
    str(a.method, b.method) ||
    (a.status ?? 0) - (b.status ?? 0) ||
    str(a.requestId, b.requestId) ||
    str(a.userAgent, b.userAgent) ||
    (a.bytesOut ?? 0) - (b.bytesOut ?? 0) ||
    str(a.source.file, b.source.file) ||
    a.source.line - b.source.line
  );
}

export class ReorderBuffer {
  private heap: EnrichedEvent[] = [];
  private maxSeen = -Infinity;
  private lastReleased = -Infinity;
  /** Events that arrived after a later event had already been released. */
  late = 0;
  lateMaxMs = 0;

  constructor(private readonly latenessMs: number) {}

  get size(): number {
    return this.heap.length;
  }

  push(e: EnrichedEvent, release: (e: EnrichedEvent) => void): void {
    if (e.ts < this.lastReleased) {
      // Too late to be put in order: analysed now, and counted.
      this.late++;
      if (this.lastReleased - e.ts > this.lateMaxMs) this.lateMaxMs = this.lastReleased - e.ts;
      release(e);
      return;
    }
    if (e.ts > this.maxSeen) this.maxSeen = e.ts;
    this.insert(e);
    const cutoff = this.maxSeen - this.latenessMs;
    while (this.heap.length > 0 && this.heap[0]!.ts <= cutoff) release(this.pop());
  }

  drain(release: (e: EnrichedEvent) => void): void {
    while (this.heap.length > 0) release(this.pop());
  }

  private insert(e: EnrichedEvent): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compareEvents(h[p]!, e) <= 0) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): EnrichedEvent {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && compareEvents(h[r]!, h[l]!) < 0 ? r : l;
        if (compareEvents(last, h[c]!) <= 0) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    this.lastReleased = top.ts;
    return top;
  }
}
