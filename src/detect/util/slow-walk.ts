/**
 * scraping's low-and-slow signal: one actor's reads of one route template with ids, for as long as
 * they keep coming (a gap ends the walk). A scraper that stays under any per-minute rate still has to
 * bring new ids hour after hour with little repetition; the look-alikes do not: a shopper reads a few
 * dozen products a day, a monitor re-reads one URL, a syncing app re-reads the same objects, a
 * paging job has no ids (see paging.ts). So each hour of the walk (counted from its first request)
 * is judged on the ids new to the walk and on their share of that hour's requests.
 *
 * There is a walk per (actor, route) active within the gap, so it is kept small: counters, the Set
 * of ids (no object per id) and at most ten samples.
 */
import type { IdKey } from './id-history.js';
import { Samples, type SampleSource } from './evidence.js';
import { SequenceStats } from './stats.js';

export const HOUR_MS = 3_600_000;
/** Ids a walk remembers (a memory bound); beyond it each request counts as a new id. */
const MAX_WALK_IDS = 50_000;
/** Hours whose figures the evidence lists. */
const MAX_LISTED_HOURS = 48;

/** What makes an hour of a walk count (scraping's slowMinIdsPerHour and slowMinDistinctShare). */
export interface HourBar {
  minIds: number;
  minShare: number;
}

export class SlowWalk {
  last: number;
  requests = 0;
  /** Requests answered 2xx. */
  ok = 0;
  /** The actor's highest 60 s request count during the walk (all its routes). */
  peak = 0;
  /** Reported while still open (--follow): the final report then updates that alert. */
  reported = false;
  /** Distinct ids in the order of their first request (a Set keeps it): the sequence test reads them. */
  readonly ids = new Set<IdKey>();
  idsBeyondCap = 0;
  /** The requests that brought a new id (the walk, not the re-reads): the first five and the last five. */
  readonly samples = new Samples();
  /** The hour being counted (0 = the walk's first), and its new ids and requests. */
  private hour = 0;
  private hourNew = 0;
  private hourRequests = 0;
  /** Finished hours that met the bar. */
  private fullHours = 0;
  /** New ids of each finished hour, for the evidence (made when the first hour ends). */
  private perHour: number[] | null = null;

  constructor(
    readonly start: number,
    private readonly bar: HourBar,
  ) {
    this.last = start;
  }

  /** Count one request to id `key`. */
  add(e: SampleSource, key: IdKey, ok: boolean): void {
    const h = Math.floor((e.ts - this.start) / HOUR_MS);
    // A request later than the lateness (out of order) counts in the hour under way.
    if (h > this.hour) this.closeHour(h);
    this.requests++;
    this.hourRequests++;
    if (ok) this.ok++;
    if (e.ts > this.last) this.last = e.ts;
    const before = this.ids.size;
    if (before < MAX_WALK_IDS) {
      if (this.ids.add(key).size === before) return;
    } else {
      if (this.ids.has(key)) return;
      this.idsBeyondCap++;
    }
    this.hourNew++;
    this.samples.add(e);
  }

  private meets(newIds: number, requests: number): boolean {
    return newIds >= this.bar.minIds && newIds >= this.bar.minShare * requests;
  }

  private closeHour(next: number): void {
    if (this.meets(this.hourNew, this.hourRequests)) this.fullHours++;
    const list = (this.perHour ??= []);
    // A gap shorter than the walk's gap can still skip a clock hour of the walk: it brought nothing.
    for (let h = this.hour; h < next && list.length < MAX_LISTED_HOURS; h++) list.push(h === this.hour ? this.hourNew : 0);
    this.hour = next;
    this.hourNew = 0;
    this.hourRequests = 0;
  }

  get distinct(): number {
    return this.ids.size + this.idsBeyondCap;
  }

  /** Hours that met the bar, the one under way included. */
  get qualifyingHours(): number {
    return this.fullHours + (this.meets(this.hourNew, this.hourRequests) ? 1 : 0);
  }

  /** Hours the walk has lasted into (the one under way included). */
  get hours(): number {
    return this.hour + 1;
  }

  /** New ids in each hour of the walk, the one under way last. */
  newIdsPerHour(): number[] {
    const out = this.perHour ? [...this.perHour] : [];
    if (out.length < MAX_LISTED_HOURS) out.push(this.hourNew);
    return out;
  }

  /** The numeric ids in the order they were first requested, through the sequence tests. */
  sequence(): SequenceStats {
    const s = new SequenceStats();
    for (const k of this.ids) if (typeof k === 'number') s.add(k);
    return s;
  }

  /** The first and the last `n` ids, as text. */
  sampleIds(n = 5): string[] {
    const all = [...this.ids];
    const pick = all.length <= 2 * n ? all : [...all.slice(0, n), ...all.slice(all.length - n)];
    return pick.map(String);
  }
}
