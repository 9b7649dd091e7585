/**
 * A file written newest first, read oldest first. Exports from a SIEM or Log Analytics (the portal
 * sorts by time, descending) list the newest record first; read as they are, every event is late,
 * and the detectors' windows, paces and id orders come out backwards (a walk of ids 400..1 at a
 * pace no window holds). A file whose first events step back in time is held whole and handed on
 * reversed, up to a bound on the events held; beyond it, it is read as it is and the summary says so.
 */
import type { ApiEvent } from '../normalise/event.js';

/** Steps between events (of different times) looked at before the order is decided. */
const SAMPLE_STEPS = 32;
/** Share of those steps that go back in time for a file to count as newest first. */
const BACKWARD_SHARE = 0.8;
/** Events of a newest-first file held to be reversed (about 1 KB each, with their records). */
export const MAX_REVERSED_EVENTS = 200_000;
/** Batch size of the reversed events handed on. */
const BATCH = 4096;
/** Events looked at, at most, before the order is decided (a file of few distinct times has few steps). */
const SAMPLE_MAX_EVENTS = 10_000;

/** Events held for reversal by all the files of one run read at the same time (overlapping exports). */
export interface ReverseBudget {
  held: number;
}

/** What was done with a file's order: read as written, reversed, or too long to reverse. */
export type FileOrderVerdict = 'as-written' | 'reversed' | 'newest-first-too-large';

export class FileOrder {
  private state: 'sampling' | 'streaming' | 'holding' | 'too-large' = 'sampling';
  private pending: ApiEvent[] = [];
  private back = 0;
  private forward = 0;
  private last = NaN;
  /** Of the budget's events, this file's. */
  private heldHere = 0;

  constructor(
    private readonly maxEvents = MAX_REVERSED_EVENTS,
    private readonly budget: ReverseBudget = { held: 0 },
  ) {}

  get verdict(): FileOrderVerdict {
    return this.state === 'holding' ? 'reversed' : this.state === 'too-large' ? 'newest-first-too-large' : 'as-written';
  }

  /** The next events in file order; returns those to hand on now. */
  push(events: ApiEvent[]): ApiEvent[] {
    switch (this.state) {
      case 'streaming':
      case 'too-large':
        return events;
      case 'sampling':
        for (const e of events) this.step(e.ts);
        for (const e of events) this.pending.push(e);
        if (this.back + this.forward < SAMPLE_STEPS && this.pending.length < SAMPLE_MAX_EVENTS) return [];
        return this.decide();
      case 'holding':
        for (const e of events) this.pending.push(e);
        this.heldHere += events.length;
        this.budget.held += events.length;
        if (this.budget.held <= this.maxEvents) return [];
        this.state = 'too-large';
        return this.take();
    }
  }

  /** The end of the file: what is still held, oldest first when the file was newest first. */
  end(): ApiEvent[][] {
    if (this.state === 'sampling') {
      const ready = this.decide();
      if (this.verdict !== 'reversed') return [ready];
    } else if (this.verdict !== 'reversed') return [this.take()];
    const all = this.take().reverse();
    const out: ApiEvent[][] = [];
    for (let i = 0; i < all.length; i += BATCH) out.push(all.slice(i, i + BATCH));
    return out;
  }

  private step(ts: number): void {
    if (ts < this.last) this.back++;
    else if (ts > this.last) this.forward++;
    this.last = ts;
  }

  private decide(): ApiEvent[] {
    const steps = this.back + this.forward;
    // A handful of steps (a short file) decides too, when they all go back.
    const newestFirst = steps >= 4 && this.back >= BACKWARD_SHARE * steps;
    if (!newestFirst) this.state = 'streaming';
    else if (this.budget.held + this.pending.length > this.maxEvents) this.state = 'too-large';
    else {
      this.state = 'holding';
      this.heldHere = this.pending.length;
      this.budget.held += this.heldHere;
      return [];
    }
    return this.take();
  }

  /** Events handed on (or dropped, the read stopped early) leave the budget. */
  private take(): ApiEvent[] {
    const p = this.pending;
    this.budget.held -= this.heldHere;
    this.heldHere = 0;
    this.pending = [];
    return p;
  }

  /** The read stopped before the end (explain found its entry, a peek): what is held is let go. */
  release(): void {
    this.take();
  }
}
