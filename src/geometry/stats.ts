// Error bars of Monte Carlo estimates: the sample mean, its standard error from the sample
// variance, and a Student-t confidence interval (the probe count is often small, 10–100).

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

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) { const q = Math.sqrt(-2 * Math.log(p)); return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Student-t quantile with `df` degrees of freedom (Cornish-Fisher expansion; within 0.3 % of the exact value for df ≥ 3). */
export function studentQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/** Mean, standard error and t-interval of samples, optionally shifted by a constant (Hutch++'s exact part). */
export function meanWithError(samples: readonly number[], level = 0.95, offset = 0): ErrorBar {
  const n = samples.length;
  const mean = samples.reduce((s, x) => s + x, 0) / Math.max(1, n);
  if (n < 2) return { value: offset + mean, standardError: Infinity, interval: [-Infinity, Infinity], level };
  const variance = samples.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const se = Math.sqrt(variance / n);
  const half = studentQuantile(0.5 + level / 2, n - 1) * se;
  return { value: offset + mean, standardError: se, interval: [offset + mean - half, offset + mean + half], level };
}

/** y = x / c for a constant c: the error bar scales with it (C(w) = Tr(H)/‖g‖). */
export function divideErrorBar(e: ErrorBar, c: number): ErrorBar {
  const lo = e.interval[0] / c;
  const hi = e.interval[1] / c;
  return { value: e.value / c, standardError: e.standardError / Math.abs(c), interval: lo <= hi ? [lo, hi] : [hi, lo], level: e.level };
}
