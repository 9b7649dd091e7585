import { describe, expect, it } from 'vitest';
import { QuietWindows } from '../../src/detect/util/quiet-windows.js';

describe('QuietWindows (windows slid on a timer of event time)', () => {
  it('slides the held windows once per window length, to a window and the slack before now, and releases only those left empty', () => {
    /** A window of request times. */
    type W = { name: string; times: number[]; released: boolean };
    const slides: Array<[string, number]> = [];
    const qw = new QuietWindows<W>(
      600,
      100,
      (w, cutoff) => {
        slides.push([w.name, cutoff]);
        w.times = w.times.filter((t) => t >= cutoff);
        return w.times.length === 0;
      },
      (w) => {
        w.released = true;
      },
    );
    const a: W = { name: 'a', times: [100, 650], released: false };
    const b: W = { name: 'b', times: [900], released: false };
    const gone: W = { name: 'gone', times: [50], released: false };
    for (const w of [a, b, gone]) qw.add(w);
    qw.delete(gone);
    qw.trim(1000); // the first call slides
    expect(slides).toEqual([['a', 300], ['b', 300]]);
    expect([a.times, a.released, b.released]).toEqual([[650], false, false]);
    qw.trim(1500); // within a window length of the last pass: nothing
    expect(slides).toHaveLength(2);
    qw.trim(1600);
    expect(slides.slice(2)).toEqual([['a', 900], ['b', 900]]);
    expect([a.released, b.released, gone.released]).toEqual([true, false, false]);
    qw.trim(2300); // a released window is no longer held
    expect(slides.slice(4)).toEqual([['b', 1600]]);
    expect(b.released).toBe(true);
  });
});
