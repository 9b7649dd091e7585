// V8 settings for the commands that read logs, in one place for bin/apilog and the benchmarks.
//
// --max-semi-space-size=16: V8's default maximum semi-space on 64-bit, written out so that a Node
//   whose default differs runs the same. It was 64 until the seventeenth pass of docs/performance.md:
//   since less is allocated and kept per event, the larger young generation no longer buys time
//   (1 GB on two threads: 87-116 s with 16 against 80-130 s with 64 over four runs each), and it
//   cost about 220 MiB of peak memory (565-600 against 790-823 MiB). 4 would save about 12% more
//   (500 MB: 403-412 against 460-468 MiB) for about 10% more time (nineteenth pass): a user's
//   choice, through NODE_OPTIONS (respawnFlags below).
// --heap-growing-percent=50: the old generation is collected once it has grown by half since the
//   last full collection, instead of V8's default of up to four times for a large heap. Most of
//   what is promoted (events held in the 5-minute reorder window, window entries) dies soon after,
//   so the default let peak RSS reach 4-5 times the live state. 100 (doubling) took 1 GB with two
//   threads from 1,794 to about 950 MB; 50, when set, took it to 845-900 MB and the peak of 5 GB to
//   1.11-1.13x that of 500 MB (1.11-1.29x with 100), for about 7% more time (docs/performance.md).
export const SEMI_SPACE_MB = 16;
export const V8_FLAGS = [`--max-semi-space-size=${SEMI_SPACE_MB}`, '--heap-growing-percent=50'];

/**
 * The settings to run the analysis with, or null when Node needs no re-run. With
 * --max-semi-space-size (or --heap-growing-percent) on Node's command line the user chose the heap
 * settings, or this is the re-run process (none are added);
 * with it in NODE_OPTIONS (`NODE_OPTIONS=--max-semi-space-size=4 npx apilog analyze …` trades
 * time for memory, docs/performance.md), only the old generation's bound is added, since a
 * semi-space on the command line would override theirs and --heap-growing-percent is not allowed
 * in NODE_OPTIONS.
 */
export function respawnFlags(execArgv, nodeOptions) {
  // V8 takes its flags with dashes or underscores (--max_semi_space_size).
  const named = (a, name) => a.replace(/_/g, '-').startsWith(name);
  const semi = (a) => named(a, '--max-semi-space-size');
  // The re-run process has them on its command line (the semi-space, or the bound alone): it must
  // not run Node again itself.
  if (execArgv.some((a) => semi(a) || named(a, '--heap-growing-percent'))) return null;
  if ((nodeOptions ?? '').split(/\s+/).some(semi)) return V8_FLAGS.filter((f) => !semi(f));
  return V8_FLAGS;
}
