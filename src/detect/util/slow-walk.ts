/**
 * scraping's low-and-slow signal: one actor's reads of one route template with ids, for as long as
 * they keep coming (a gap ends the walk). A scraper that stays under any per-minute rate still has to
 * bring new ids hour after hour with little repetition; the look-alikes do not: a shopper reads a few
 * dozen products a day, a monitor re-reads one URL, a syncing app re-reads the same objects, a
 * paging job has no ids (see paging.ts). So each hour of the walk (counted from its first request)
 * is judged on the ids new to the walk and on their share of that hour's requests.
 *
 * There is a walk per (actor, route) active within the gap, so it is kept small: counters, the ids
 * (no object per id) and at most ten samples. "New" means not read in the last `memoryHours` to
 * twice that (two generations of ids, the older dropped as each fills its span): a walk that lasts
 * for days (a heavy user who never pauses for the gap) holds the ids of a few hours, not of all its
 * days. On the bench's 1 GB file, one Set per walk for its whole life had held 322,000 ids at the end
 * and grew with the input.
 */
import type { IdKey } from './id-history.js';
import { Samples, type SampleSource } from './evidence.js';
import { SequenceStats } from './stats.js';

export const HOUR_MS = 3_600_000;
/** Ids a generation holds (a memory bound); beyond it each request counts as a new id. */
const MAX_GENERATION_IDS = 50_000;
/** Hours whose figures the evidence lists. */
const MAX_LISTED_HOURS = 48;

/** What makes an hour of a walk count (scraping's slowMinIdsPerHour and slowMinDistinctShare). */
export interface HourBar {
  minIds: number;
  minShare: number;
  /** Hours a generation of ids spans (scraping's slowMinHours): ids are remembered this long or up to twice it. */
  memoryHours: number;
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
  /** Ids read in the current generation and the one before, each in the order of its first request. */
  private ids = new Set<IdKey>();
  private older: Set<IdKey> | null = null;
  /** The walk hour at which the current generation began. */
  private generationFrom = 0;
  /** Ids new when read (not in either generation): the walk's distinct ids, as far as it remembers. */
  newIds = 0;
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
    const ids = this.ids;
    if (this.older !== null && this.older.has(key)) return;
    const before = ids.size;
    if (before < MAX_GENERATION_IDS) {
      if (ids.add(key).size === before) return;
    } else if (ids.has(key)) return;
    this.newIds++;
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
    if (next - this.generationFrom >= this.bar.memoryHours) {
      // A pause of a whole generation's span leaves nothing to compare with: both go.
      this.older = next - this.generationFrom >= 2 * this.bar.memoryHours ? null : this.ids;
      this.ids = new Set();
      this.generationFrom = next;
    }
  }

  /** Distinct ids of the walk, as far as it remembers them (an id read again after its memory counts twice). */
  get distinct(): number {
    return this.newIds;
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

  /** The numeric ids it remembers, in the order they were first requested, through the sequence tests. */
  sequence(): SequenceStats {
    const s = new SequenceStats();
    for (const k of this.older ?? []) if (typeof k === 'number') s.add(k);
    for (const k of this.ids) if (typeof k === 'number') s.add(k);
    return s;
  }

  /** The first and the last `n` ids it remembers, as text. */
  sampleIds(n = 5): string[] {
    const all = [...(this.older ?? []), ...this.ids];
    const pick = all.length <= 2 * n ? all : [...all.slice(0, n), ...all.slice(all.length - n)];
    return pick.map(String);
  }
}
