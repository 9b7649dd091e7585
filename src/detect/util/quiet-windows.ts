/**
 * Sliding windows whose owner outlives them: a bola-enumeration group lives a week for its id
 * history, a data-exfiltration actor 30 days for its hourly history, but each window matters only
 * for its length after the last request. A window is slid at its owner's next request; one whose
 * owner went quiet would keep its last requests until then. QuietWindows holds the windows that hold
 * requests and slides them all every window length of event time as well, releasing the storage of
 * those left empty. Sliding early changes nothing when the owner's next request would drop the same
 * requests first and nothing reads the window in between: the detectors' results stay the same.
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

  /** Called per event: at most once per window length, slides every held window to `now`. */
  trim(now: number): void {
    if (now < this.next) return;
    this.next = now + this.windowMs;
    const cutoff = now - this.windowMs;
    for (const s of this.held) {
      if (this.slide(s, cutoff)) {
        this.held.delete(s);
        this.release(s);
      }
    }
  }
}
