// The statistics of a study report: mean and sample standard deviation over seeds, and the
// difference of two treatments paired by seed with a Student-t confidence interval. Pairing by
// seed removes what the seed does to both runs alike (initialization, data order), which is most
// of the run-to-run spread, so small differences can be told from noise with three seeds.
import { T975_TABLE_MAX_DF, mean, sampleStd, studentQuantile } from '../core/statistics';

export { mean, sampleStd } from '../core/statistics';

/** t(0.975; df), from the shared table (src/core/statistics.ts); beyond it the normal quantile's 1.96 is within 2 % of the truth. */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`degrees of freedom must be a whole number ≥ 1, got ${df}`);
  return df <= T975_TABLE_MAX_DF ? studentQuantile(0.975, df) : 1.96;
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
