/**
 * Reorder buffer: events held in event-time order. An event is released once the newest event time
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
    a.source.line - b.source.line ||
    (a.source.record ?? 1) - (b.source.record ?? 1)
  );
}

export class ReorderBuffer {
  /**
   * Buffered events, sorted by compareEvents from `head` on. Logs are mostly in time order, so an
   * event usually goes at the end (O(1)); one that arrives out of order is placed by a short scan
   * back, or a binary search when it is far back. Cheaper than a heap, which pays O(log n) event
   * comparisons on every release.
   */
  private buf: Array<EnrichedEvent | undefined> = [];
  private head = 0;
  private maxSeen = -Infinity;
  private lastReleased = -Infinity;
  /** Events that arrived after a later event had already been released. */
  late = 0;
  lateMaxMs = 0;

  constructor(private readonly latenessMs: number) {}

  get size(): number {
    return this.buf.length - this.head;
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
    this.releaseUpTo(this.maxSeen - this.latenessMs, release);
  }

  drain(release: (e: EnrichedEvent) => void): void {
    this.releaseUpTo(Infinity, release);
  }

  private releaseUpTo(cutoff: number, release: (e: EnrichedEvent) => void): void {
    const b = this.buf;
    while (this.head < b.length && b[this.head]!.ts <= cutoff) {
      const e = b[this.head]!;
      // Let go of it now: the released prefix is dropped only now and then, and would otherwise
      // keep up to as many events again as the window holds (with their records) alive.
      b[this.head] = undefined;
      this.lastReleased = e.ts;
      this.head++;
      release(e);
    }
    if (this.head === b.length) {
      b.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= b.length) {
      // Drop the released prefix now and then (amortised O(1) per event).
      this.buf = b.slice(this.head);
      this.head = 0;
    }
  }

  private insert(e: EnrichedEvent): void {
    const b = this.buf;
    let i = b.length;
    let steps = 0;
    while (i > this.head && compareEvents(b[i - 1]!, e) > 0) {
      i--;
      if (++steps === 16) {
        i = this.upperBound(e, i);
        break;
      }
    }
    if (i === b.length) b.push(e);
    else b.splice(i, 0, e);
  }

  /** First index in [head, end) whose event sorts after `e`. */
  private upperBound(e: EnrichedEvent, end: number): number {
    let lo = this.head;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareEvents(this.buf[mid]!, e) > 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
