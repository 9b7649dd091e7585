/**
 * bola-enumeration's slow tier: one actor's walk over object ids of one route that are foreign to it
 * and that it had never used before, for as long as new ones keep coming (a pause ends it). An
 * attacker who walks ids at a request a minute never fills the fast tier's 10-minute window, but has
 * to bring new foreign ids hour after hour; the look-alikes do not (a customer re-reads a few own
 * orders, a mobile app polls the same ids, a nightly job reads ids it has read before).
 *
 * Mirrors scraping's SlowWalk (util/slow-walk.ts: hours counted from the walk's first id, each judged
 * on the ids it brings), without its sets of ids: whether an id is new comes from the group's own-id
 * history (util/id-history.ts), so a walk is counters, the stride run of its ids, ten samples and ten
 * ids, the same size for an hour as for a week.
 */
import { bump, Samples, type SampleSource } from './evidence.js';
import { SequenceStats } from './stats.js';
import { WRITE_METHODS } from './rules.js';
import { HOUR_MS } from './slow-walk.js';
import type { IdKey } from './id-history.js';

/** Hours whose figures the evidence lists. */
const MAX_LISTED_HOURS = 48;

export interface WalkStep extends SampleSource {
  id: string;
  numeric: number | undefined;
  method: string;
}

const isOk = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;

export class ForeignWalk {
  /** The last request that brought a new foreign id. */
  last: number;
  /** New foreign ids: each counted at its first request, the one that made it new. */
  ids: number;
  okIds = 0;
  writeIds = 0;
  writeOkIds = 0;
  /** The most foreign ids its group's window held at a new id of the walk (since the walk was kept). */
  peak = 0;
  /** Reported while still open (--follow): the final report then updates that alert. */
  reported = false;
  /** A privileged role seen on the walk's requests. */
  role: string | null = null;
  /** Status classes of the new ids since the walk was kept (its first hour's earlier ids are in okIds only). */
  readonly statuses = new Map<string, number>();
  readonly methods = new Map<string, number>();
  readonly ips = new Map<string, number>();
  /** The first request of each new id (the walk, not the re-reads): the first five and the last five. */
  readonly samples = new Samples();
  readonly firstIds: string[] = [];
  readonly lastIds: string[] = [];
  /**
   * The stride run, range and count of the numeric ids, in O(1): a cap of 0 keeps no id set or
   * sample (the rank correlation is not used here, and coverage is counted below).
   */
  readonly seq = new SequenceStats(0);
  private numericIds = 0;
  /** The hour being counted (0 = the walk's first), and its new ids. */
  private hour = 0;
  private hourNew: number;
  /** Finished hours that met the bar. */
  private fullHours = 0;
  /** New ids of each finished hour, for the evidence (made when the first hour ends). */
  private perHour: number[] | null = null;

  /**
   * @param start the walk's first new foreign id
   * @param minIds new ids an hour must bring to count
   * @param before what the walk's first hour brought before this object was made: its new ids, those
   *   answered 2xx, and its writes (counted; their requests are not kept, but for the first: addFirst)
   */
  constructor(
    readonly start: number,
    private readonly minIds: number,
    before: { ids: number; ok: number; writes: number; writeOk: number },
  ) {
    this.last = start;
    this.ids = before.ids;
    this.hourNew = before.ids;
    this.okIds = before.ok;
    this.writeIds = before.writes;
    this.writeOkIds = before.writeOk;
  }

  /** The walk's first request, already counted in `before`: kept as its first sample. */
  addFirstSample(x: WalkStep): void {
    this.samples.add(x);
    bump(this.methods, x.method, 1, 10);
    if (x.ip !== undefined) bump(this.ips, x.ip, 1, 50);
  }

  /**
   * An id of the walk's first hour from before it was kept (already counted in `before`), in the
   * order of first use, recovered from the actor's id history: into the sampled ids and the sequence.
   */
  addEarlier(key: IdKey): void {
    const id = String(key);
    this.pushId(id);
    const numeric = typeof key === 'number' ? key : /^\d{1,15}$/.test(key) ? Number(key) : undefined;
    if (numeric !== undefined) {
      this.numericIds++;
      this.seq.add(numeric);
    }
  }

  private pushId(id: string): void {
    if (this.firstIds.length < 5) this.firstIds.push(id);
    else {
      this.lastIds.push(id);
      if (this.lastIds.length > 5) this.lastIds.shift();
    }
  }

  /** Count the first request to a new foreign id. */
  add(x: WalkStep, role: string | null, statusClass: string): void {
    const h = Math.floor((x.ts - this.start) / HOUR_MS);
    // A request later than the lateness (out of order) counts in the hour under way.
    if (h > this.hour) this.closeHour(h);
    this.ids++;
    this.hourNew++;
    if (x.ts > this.last) this.last = x.ts;
    const ok = isOk(x.status);
    if (ok) this.okIds++;
    if (WRITE_METHODS.has(x.method)) {
      this.writeIds++;
      if (ok) this.writeOkIds++;
    }
    if (role !== null && this.role === null) this.role = role;
    bump(this.statuses, statusClass, 1, 20);
    bump(this.methods, x.method, 1, 10);
    if (x.ip !== undefined) bump(this.ips, x.ip, 1, 50);
    this.samples.add(x);
    this.pushId(x.id);
    if (x.numeric !== undefined) {
      this.numericIds++;
      this.seq.add(x.numeric);
    }
  }

  private closeHour(next: number): void {
    if (this.hourNew >= this.minIds) this.fullHours++;
    const list = (this.perHour ??= []);
    // A pause shorter than the walk's gap can still skip a clock hour of the walk: it brought nothing.
    for (let h = this.hour; h < next && list.length < MAX_LISTED_HOURS; h++) list.push(h === this.hour ? this.hourNew : 0);
    this.hour = next;
    this.hourNew = 0;
  }

  /** Hours that met the bar, the one under way included. */
  get qualifyingHours(): number {
    return this.fullHours + (this.hourNew >= this.minIds ? 1 : 0);
  }

  /** New ids in each hour of the walk, the one under way last. */
  newIdsPerHour(): number[] {
    const out = this.perHour ? [...this.perHour] : [];
    if (out.length < MAX_LISTED_HOURS) out.push(this.hourNew);
    return out;
  }

  /** Numeric ids over the range they span (1 when a range is swept densely); NaN for fewer than two. */
  coverage(): number {
    const s = this.seq;
    if (this.numericIds < 2 || s.max === s.min) return NaN;
    return Math.min(1, this.numericIds / (s.max - s.min + 1));
  }

  /**
   * Whether the ids were walked through a range: a constant-stride run of `sequentialRun`, or
   * `coverage` of the range swept over at least `minIds` ids. Not the rank correlation alone: over
   * hours, ids read in increasing order are also what any job reading a sorted list of its own
   * (scattered) objects shows.
   */
  dense(t: { sequentialRun: number; coverage: number; minIds: number }): boolean {
    if (this.seq.longestRun >= t.sequentialRun) return true;
    return this.numericIds >= t.minIds && this.coverage() >= t.coverage;
  }
}
