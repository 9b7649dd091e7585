/** Robust statistics and sequence analysis shared by the detectors. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median absolute deviation (unscaled). */
export function mad(xs: readonly number[], med = median(xs)): number {
  return median(xs.map((x) => Math.abs(x - med)));
}

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) ** 2;
  return { mean, std: Math.sqrt(v / xs.length) };
}

/** Coefficient of variation sigma/mu (NaN for fewer than 2 values or a zero mean). */
export function cv(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const { mean, std } = meanStd(xs);
  return mean === 0 ? NaN : std / mean;
}

function ranks(xs: readonly number[]): number[] {
  const idx = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]![1]] = avg;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation between request order and value (1 = strictly increasing walk). */
export function spearmanWithOrder(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return NaN;
  const rv = ranks(values);
  const mo = (n + 1) / 2;
  let num = 0;
  let dv = 0;
  let dord = 0;
  for (let i = 0; i < n; i++) {
    const a = i + 1 - mo;
    const b = rv[i]! - mo;
    num += a * b;
    dord += a * a;
    dv += b * b;
  }
  return dv === 0 ? 0 : num / Math.sqrt(dord * dv);
}

/**
 * Streaming sequence analysis of numeric ids in request order: the longest run of a constant non-zero
 * stride (repeats of the same id are skipped), plus a bounded sample for rank correlation and coverage.
 */
export class SequenceStats {
  private prev: number | null = null;
  private step = 0;
  private run = 1;
  longestRun = 0;
  longestStride = 0;
  /** First and last id of the longest constant-stride run. */
  runFrom = NaN;
  runTo = NaN;
  private runStart = NaN;
  private readonly sample: number[] = [];
  private readonly distinct = new Set<number>();
  min = Infinity;
  max = -Infinity;
  count = 0;

  constructor(private readonly cap = 5000) {}

  add(id: number): void {
    if (!Number.isFinite(id)) return;
    this.count++;
    if (this.distinct.size < this.cap) this.distinct.add(id);
    if (this.sample.length < this.cap) this.sample.push(id);
    if (id < this.min) this.min = id;
    if (id > this.max) this.max = id;
    if (this.prev === null) {
      this.prev = id;
      this.run = 1;
      this.runStart = id;
      if (this.longestRun === 0) {
        this.longestRun = 1;
        this.runFrom = this.runTo = id;
      }
      return;
    }
    const d = id - this.prev;
    if (d === 0) return;
    if (d === this.step) this.run++;
    else {
      this.step = d;
      this.run = 2;
      this.runStart = this.prev;
    }
    if (this.run > this.longestRun) {
      this.longestRun = this.run;
      this.longestStride = this.step;
      this.runFrom = this.runStart;
      this.runTo = id;
    }
    this.prev = id;
  }

  get distinctCount(): number {
    return this.distinct.size;
  }

  /** Rank correlation of id with request order, over distinct ids in first-seen order. */
  spearman(): number {
    const seen = new Set<number>();
    const firstSeen: number[] = [];
    for (const v of this.sample) {
      if (!seen.has(v)) {
        seen.add(v);
        firstSeen.push(v);
      }
    }
    return Math.abs(spearmanWithOrder(firstSeen));
  }

  /** distinct / (max - min + 1): close to 1 when a range is swept densely (only meaningful for stride 1). */
  coverage(): number {
    if (this.distinct.size < 2) return NaN;
    return this.distinct.size / (this.max - this.min + 1);
  }

  /** Whether the ids form a walk by the given thresholds. */
  isWalk(t: { sequentialRun: number; spearman: number; coverage: number; minIds: number }): boolean {
    const n = this.distinct.size;
    if (this.longestRun >= t.sequentialRun) return true;
    if (n >= t.minIds && this.spearman() >= t.spearman) return true;
    return n >= t.minIds && this.coverage() >= t.coverage;
  }
}
