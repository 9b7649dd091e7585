import { describe, expect, it } from 'vitest';
import { mergeByTime, type TimedStream } from '../../src/analyze/merge.js';

interface Ev {
  ts: number;
  src: string;
}

/** A stream over fixed batches that records when it was opened, relative to merge output. */
function stream(src: string, times: number[][], log: string[]): TimedStream<Ev> {
  const first = times.flat()[0];
  return {
    firstTs: first ?? null,
    open: () => {
      log.push(`open ${src}`);
      return (async function* () {
        for (const b of times) yield b.map((ts) => ({ ts, src }));
      })();
    },
  };
}

async function collectAll(streams: Array<TimedStream<Ev>>, batchSize = 3): Promise<Ev[]> {
  const out: Ev[] = [];
  for await (const b of mergeByTime(streams, batchSize)) out.push(...b);
  return out;
}

describe('mergeByTime', () => {
  it('interleaves overlapping files in time order, whatever order they are given in', async () => {
    const log: string[] = [];
    const a = () => stream('a', [[1, 4], [7, 10]], log);
    const b = () => stream('b', [[2, 3], [], [8]], log);
    const c = () => stream('c', [[5, 6, 9]], log);
    const ab = await collectAll([a(), b(), c()]);
    const ba = await collectAll([c(), b(), a()]);
    expect(ab.map((e) => e.ts)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ba).toEqual(ab);
  });

  it('opens rotated files one after another, not all at once', async () => {
    const log: string[] = [];
    const day1 = stream('day1', [[1, 2, 3]], log);
    const day2 = stream('day2', [[10, 11]], log);
    const day3 = stream('day3', [[20]], log);
    const seen: string[] = [];
    for await (const batch of mergeByTime([day3, day1, day2], 1)) {
      for (const e of batch) seen.push(`${e.src}@${e.ts} after [${log.join(',')}]`);
    }
    // day2 is opened only once the merge has reached day1's last event.
    expect(seen[0]).toBe('day1@1 after [open day1]');
    expect(seen[2]).toBe('day1@3 after [open day1]');
    expect(seen[3]).toBe('day2@10 after [open day1,open day2]');
    expect(seen[5]).toBe('day3@20 after [open day1,open day2,open day3]');
  });

  it('skips streams with no events and yields nothing for no input', async () => {
    const log: string[] = [];
    expect(await collectAll([stream('empty', [], log)])).toEqual([]);
    expect(log).toEqual([]);
    expect(await collectAll([])).toEqual([]);
  });

  it('keeps a file\'s own out-of-order events in file order (the pipeline reorders within lateness)', async () => {
    const log: string[] = [];
    const out = await collectAll([stream('a', [[5, 3, 9]], log), stream('b', [[4]], log)]);
    expect(out.map((e) => `${e.src}${e.ts}`)).toEqual(['b4', 'a5', 'a3', 'a9']);
  });
});
