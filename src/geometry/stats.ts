// Error bars of Monte Carlo estimates: the sample mean, its standard error from the sample
// variance, and a Student-t confidence interval (the probe count is often small, 10–100).
import { mean as meanOf, sampleStd, studentQuantile } from '../core/statistics';

/** A Monte Carlo estimate with its error bar. */
export interface ErrorBar {
  /** The estimate. */
  readonly value: number;
  /** Standard error (sample standard deviation / √count); Infinity with fewer than 2 samples. */
  readonly standardError: number;
  /** Two-sided confidence interval [low, high] at `level`. */
  readonly interval: readonly [number, number];
  /** Confidence level of `interval`, e.g. 0.95. */
  readonly level: number;
}

/** Mean, standard error and t-interval of samples, optionally shifted by a constant (Hutch++'s exact part). */
export function meanWithError(samples: readonly number[], level = 0.95, offset = 0): ErrorBar {
  const n = samples.length;
  const mean = n ? meanOf(samples) : 0;
  if (n < 2) return { value: offset + mean, standardError: Infinity, interval: [-Infinity, Infinity], level };
  const se = sampleStd(samples) / Math.sqrt(n);
  const half = studentQuantile(0.5 + level / 2, n - 1) * se;
  return { value: offset + mean, standardError: se, interval: [offset + mean - half, offset + mean + half], level };
}

/** y = x / c for a constant c: the error bar scales with it (C(w) = Tr(H)/‖g‖). */
export function divideErrorBar(e: ErrorBar, c: number): ErrorBar {
  const lo = e.interval[0] / c;
  const hi = e.interval[1] / c;
  return { value: e.value / c, standardError: e.standardError / Math.abs(c), interval: lo <= hi ? [lo, hi] : [hi, lo], level: e.level };
}
