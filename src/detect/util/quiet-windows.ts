/**
 * Sliding windows whose owner outlives them: a bola-enumeration group lives a week for its id
 * history, a data-exfiltration actor 30 days for its hourly history, but each window matters only
 * for its length after the last request. A window is slid at its owner's next request; one whose
 * owner went quiet would keep its last requests until then. QuietWindows holds the windows that
 * received requests since they were last emptied, and slides them all every window length of event
 * time as well, to a cutoff `slackMs` further back than the owner's next request would, releasing
 * the storage of those left empty.
 *
 * Why the slack: events reach the detectors in time order, except those later than the reorder
 * buffer tolerates (reported as analysed out of order). A request `d` late, whose own slide
 * starts `d` further back, finds the same window as before as long as `d` is at most `slackMs`;
 * a request later than that may find older requests already gone. For input in time order the
 * detectors' results are the same: the owner's next request would drop the same requests first,
 * and nothing reads a window in between.
 */
export class QuietWindows<S> {
  private readonly held = new Set<S>();
  private next = -Infinity;

  /**
   * @param slide drops the requests of `s` before `cutoff`; true when none is left.
   * @param release lets go of the storage of an emptied window.
   */
  constructor(
    private readonly windowMs: number,
    private readonly slackMs: number,
    private readonly slide: (s: S, cutoff: number) => boolean,
    private readonly release: (s: S) => void,
  ) {}

  /** `s`'s window is about to hold a request. */
  add(s: S): void {
    this.held.add(s);
  }

  /** `s` is gone. */
  delete(s: S): void {
    this.held.delete(s);
  }

  /**
   * Called per event: at most once per window length, slides every held window to
   * `now - windowMs - slackMs`.
   */
  trim(now: number): void {
    if (now < this.next) return;
    this.next = now + this.windowMs;
    const cutoff = now - this.windowMs - this.slackMs;
    for (const s of this.held) {
      if (this.slide(s, cutoff)) {
        this.held.delete(s);
        this.release(s);
      }
    }
  }
}

/** How late (event time) a request may reach a detector and still find its window as it would have: an hour, or a window if longer. */
export function quietSlack(windowMs: number): number {
  return Math.max(windowMs, 3_600_000);
}
