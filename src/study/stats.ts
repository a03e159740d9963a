// The statistics of a study report: mean and sample standard deviation over seeds, and the
// difference of two treatments paired by seed with a Student-t confidence interval. Pairing by
// seed removes what the seed does to both runs alike (initialization, data order), which is most
// of the run-to-run spread, so small differences can be told from noise with three seeds.

/** Two-sided 95 % quantiles of Student's t, t(0.975; df) for df = 1…30 (standard tables). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** t(0.975; df); beyond the table the normal quantile's 1.96 is within 2 % of the truth. */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`degrees of freedom must be a whole number ≥ 1, got ${df}`);
  return df <= T975.length ? T975[df - 1] : 1.96;
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n − 1 in the denominator); NaN for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Mean ± std of one figure over the runs of a treatment. */
export interface Summary {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

export function summarize(xs: readonly number[]): Summary {
  const finite = xs.filter(Number.isFinite);
  return { mean: mean(finite), std: sampleStd(finite), n: finite.length };
}

/** `a − b` over runs paired by seed, with its 95 % confidence interval. */
export interface PairedDifference {
  readonly mean: number;
  /** 95 % confidence interval of the mean difference; NaN bounds with fewer than two pairs. */
  readonly low: number;
  readonly high: number;
  /** Pairs used (seeds where both runs have a finite value). */
  readonly n: number;
}

export function pairedDifference(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): PairedDifference {
  const d: number[] = [];
  for (const [seed, x] of a) {
    const y = b.get(seed);
    if (y !== undefined && Number.isFinite(x) && Number.isFinite(y)) d.push(x - y);
  }
  const m = mean(d);
  if (d.length < 2) return { mean: m, low: NaN, high: NaN, n: d.length };
  const half = tQuantile975(d.length - 1) * sampleStd(d) / Math.sqrt(d.length);
  return { mean: m, low: m - half, high: m + half, n: d.length };
}
