// V8 settings for the commands that read logs, in one place for bin/apilog and the benchmarks.
//
// --max-semi-space-size=64: analysis allocates many short-lived objects per event; with V8's
//   default young generation a batch's records outlive scavenges, get promoted, and garbage
//   collection takes a third of the run. A 64 MB semi-space nearly halves reading and mapping.
// --heap-growing-percent=100: the old generation is collected once it has doubled since the last
//   full collection, instead of V8's default of up to four times for a large heap. Most of what is
//   promoted (events held in the 5-minute reorder window, window entries) dies soon after, so the
//   default let peak RSS reach 4-5 times the live state: 1,794 -> 1,306 MB on 1 GB with two
//   threads, for about 8% more time (docs/performance.md).
export const V8_FLAGS = ['--max-semi-space-size=64', '--heap-growing-percent=100'];
