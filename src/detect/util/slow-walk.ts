/**
 * scraping's low-and-slow signal: one actor's reads of one route template with ids, for as long as
 * they keep coming (a gap ends the walk). A scraper that stays under any per-minute rate still has to
 * bring new ids hour after hour with little repetition; the look-alikes do not: a shopper reads a few
 * dozen products a day, a monitor re-reads one URL, a syncing app re-reads the same objects, a
 * paging job has no ids (see paging.ts). So each hour of the walk (counted from its first request)
 * is judged on the ids new to the walk and on their share of that hour's requests.
 *
 * There is a walk per (actor, route) active within the gap, so it is kept small. Most walks never
 * come near the bar (on the bench data, 175 of 36,807 actor-route-hours reach 100 requests): until
 * an hour of the walk has had `minIds` requests it keeps counters and that hour's ids in a plain
 * array; only then does it make its Set of ids and its samples (no object per id either way). So a
 * walk's ids are those from the start of the hour in which it got busy, and its samples those from
 * the request that made it busy.
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
  /**
   * Distinct ids in the order of their first request (a Set keeps it), once the walk is busy: the
   * sequence test reads them. Until then, `coldIds` holds the hour's ids (fewer than minIds).
   */
  private ids: Set<IdKey> | null = null;
  private coldIds: IdKey[] = [];
  idsBeyondCap = 0;
  /** Requests since the ids are tracked (the hour the walk got busy, from its start). */
  trackedRequests = 0;
  /** When the ids began to be tracked (the start of the walk's hour in which it got busy). */
  trackedFrom = NaN;
  /** The requests that brought a new id (the walk, not the re-reads) since it got busy: the first five and the last five. */
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
    let ids = this.ids;
    if (ids === null) {
      if (this.hourRequests < this.bar.minIds) {
        this.coldIds.push(key);
        return;
      }
      ids = this.becomeBusy();
    }
    this.trackedRequests++;
    const before = ids.size;
    if (before < MAX_WALK_IDS) {
      if (ids.add(key).size === before) return;
    } else {
      if (ids.has(key)) return;
      this.idsBeyondCap++;
    }
    this.hourNew++;
    this.samples.add(e);
  }

  /** The hour's requests reached minIds: track ids from the start of this hour on. */
  private becomeBusy(): Set<IdKey> {
    const ids = new Set<IdKey>(this.coldIds);
    this.coldIds = [];
    this.ids = ids;
    this.hourNew = ids.size;
    this.trackedRequests = this.hourRequests - 1;
    this.trackedFrom = this.start + this.hour * HOUR_MS;
    return ids;
  }

  private meets(newIds: number, requests: number): boolean {
    return newIds >= this.bar.minIds && newIds >= this.bar.minShare * requests;
  }

  private closeHour(next: number): void {
    if (this.ids === null) {
      // Not busy yet: this hour's ids are forgotten, and the walk goes on from the next one.
      this.coldIds.length = 0;
      this.hour = next;
      this.hourRequests = 0;
      return;
    }
    if (this.meets(this.hourNew, this.hourRequests)) this.fullHours++;
    const list = (this.perHour ??= []);
    // A gap shorter than the walk's gap can still skip a clock hour of the walk: it brought nothing.
    for (let h = this.hour; h < next && list.length < MAX_LISTED_HOURS; h++) list.push(h === this.hour ? this.hourNew : 0);
    this.hour = next;
    this.hourNew = 0;
    this.hourRequests = 0;
  }

  /** Distinct ids since the walk got busy. */
  get distinct(): number {
    return (this.ids?.size ?? 0) + this.idsBeyondCap;
  }

  /** Hours that met the bar, the one under way included. */
  get qualifyingHours(): number {
    if (this.ids === null) return 0;
    return this.fullHours + (this.meets(this.hourNew, this.hourRequests) ? 1 : 0);
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
    for (const k of this.ids ?? []) if (typeof k === 'number') s.add(k);
    return s;
  }

  /** The first and the last `n` ids, as text. */
  sampleIds(n = 5): string[] {
    const all = [...(this.ids ?? [])];
    const pick = all.length <= 2 * n ? all : [...all.slice(0, n), ...all.slice(all.length - n)];
    return pick.map(String);
  }
}
