// V8 settings for the commands that read logs, in one place for bin/apilog and the benchmarks.
//
// --max-semi-space-size=64: analysis allocates many short-lived objects per event; with V8's
//   default young generation a batch's records outlive scavenges, get promoted, and garbage
//   collection takes a third of the run. A 64 MB semi-space nearly halves reading and mapping.
// --heap-growing-percent=50: the old generation is collected once it has grown by half since the
//   last full collection, instead of V8's default of up to four times for a large heap. Most of
//   what is promoted (events held in the 5-minute reorder window, window entries) dies soon after,
//   so the default let peak RSS reach 4-5 times the live state. 100 (doubling) took 1 GB with two
//   threads from 1,794 to about 950 MB; 50, when set, took it to 845-900 MB and the peak of 5 GB to
//   1.11-1.13x that of 500 MB (1.11-1.29x with 100), for about 7% more time (docs/performance.md).
export const V8_FLAGS = ['--max-semi-space-size=64', '--heap-growing-percent=50'];
