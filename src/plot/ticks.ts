// Axis tick selection and labelling. Ticks are "nice": multiples of 1, 2 or 5 × 10^k on linear
// axes, and 1/2/5 × 10^k (or whole decades) on log axes, so a reader can interpolate by eye.

/** Cleans binary-float noise (0.30000000000000004 → 0.3) from a tick computed as i·step. */
function tidy(v: number): number {
  const r = Number(v.toPrecision(12));
  return r === 0 ? 0 : r; // also turns -0 into 0
}

/** The nice step (1, 2 or 5 × 10^k) closest to splitting `span` into about `count` intervals. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const rough = span / Math.max(1, count);
  const p = Math.pow(10, Math.floor(Math.log10(rough)));
  const f = rough / p;
  const m = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
  return m * p;
}

/** Nice ticks inside [min, max] (inclusive, with float slack), about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) return [tidy(min)];
  const step = niceStep(max - min, count);
  const eps = step * 1e-9;
  const i0 = Math.ceil((min - eps) / step);
  const i1 = Math.floor((max + eps) / step);
  const out: number[] = [];
  for (let i = i0; i <= i1; i++) out.push(tidy(i * step));
  return out;
}

/** Widens [min, max] outward to multiples of the nice step, so the end ticks sit on the frame. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  const step = niceStep(max - min, count);
  return [tidy(Math.floor(min / step + 1e-9) * step), tidy(Math.ceil(max / step - 1e-9) * step)];
}

/** Major (labelled) and minor (grid-only) ticks of a log10 axis over [min, max], both > 0. */
export interface LogTicks {
  /** Labelled tick values. */
  readonly major: number[];
  /** Unlabelled intermediate values (2..9 × 10^k) for light gridlines. */
  readonly minor: number[];
}

/** Log-axis ticks: decades when the range spans several, 1-2-5 sequences when it spans few. */
export function logTicks(min: number, max: number, count = 6): LogTicks {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return { major: [], minor: [] };
  if (min > max) [min, max] = [max, min];
  const k0 = Math.floor(Math.log10(min));
  const k1 = Math.ceil(Math.log10(max));
  const decades = Math.log10(max / min);
  const mantissas = decades <= 1.2 ? [1, 2, 3, 5] : decades <= 2.5 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil(decades / Math.max(1, count)));
  const major: number[] = [];
  const minor: number[] = [];
  const inside = (v: number): boolean => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  for (let k = k0; k <= k1; k++) {
    const p = Math.pow(10, k);
    for (let m = 1; m <= 9; m++) {
      const v = tidy(m * p);
      if (!inside(v)) continue;
      const isMajor = every === 1 ? mantissas.includes(m) : m === 1 && (k - k0) % every === 0;
      // Over many decades only the unlabelled decades stay as minor gridlines.
      if (isMajor) major.push(v);
      else if (m === 1 || decades <= 6) minor.push(v);
    }
  }
  if (major.length < 2) {
    // Less than a decade between two majors: fall back to linear nice ticks for the labels.
    return { major: niceTicks(min, max, Math.min(count, 4)).filter((v) => v > 0), minor };
  }
  return { major, minor };
}

/** Widens [min, max] (both > 0) outward to the nearest 1, 2 or 5 × 10^k. */
export function niceLogDomain(min: number, max: number): [number, number] {
  const down = (v: number): number => {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    const m = v / p;
    return tidy((m >= 5 ? 5 : m >= 2 ? 2 : 1) * p);
  };
  const up = (v: number): number => {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    const m = v / p;
    return tidy((m <= 1 + 1e-9 ? 1 : m <= 2 + 1e-9 ? 2 : m <= 5 + 1e-9 ? 5 : 10) * p);
  };
  return [down(min), up(max)];
}

function stripExp(s: string): string {
  // "2.50e-5" → "2.5e-5", "1e+3" → "1e3": shorter labels read faster.
  const [m, e] = s.split('e');
  const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
  return `${mant}e${Number(e)}`;
}

/**
 * Formats tick values that share spacing `step` with just enough decimals to tell neighbours
 * apart; very large or small magnitudes switch to compact exponent form (1e-5, 2.5e6).
 */
export function formatTicks(values: readonly number[], step?: number): string[] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return values.map(String);
  const maxAbs = Math.max(...finite.map(Math.abs));
  let s = step;
  if (s === undefined || !(s > 0)) {
    const sorted = [...finite].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((v, i) => v - sorted[i]).filter((g) => g > 0);
    s = gaps.length > 0 ? Math.min(...gaps) : maxAbs || 1;
  }
  const useExp = maxAbs >= 1e15 || (maxAbs > 0 && maxAbs < 1e-3);
  // Step counts and dataset sizes read better as 20k, 1.5M than as 20000, 1.5e6.
  const si = !useExp && maxAbs >= 1e4 && s >= 1 ? SI.find(([unit]) => maxAbs >= unit) : undefined;
  return values.map((v) => {
    if (!Number.isFinite(v)) return String(v);
    if (si) return v === 0 ? '0' : formatFixed(v / si[0], (s as number) / si[0]) + si[1];
    if (useExp) {
      if (v === 0) return '0';
      const digits = Math.max(0, Math.min(6, Math.floor(Math.log10(Math.abs(v))) - Math.floor(Math.log10(s as number) + 1e-9)));
      return stripExp(v.toExponential(digits));
    }
    return formatFixed(v, s as number);
  });
}

const SI: readonly (readonly [number, string])[] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

function formatFixed(v: number, step: number): string {
  // Decimals needed to show `step` exactly (0.25 needs 2, 0.2 needs 1, 5 needs 0).
  let decimals = 0;
  while (decimals < 10 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6 * 10 ** decimals * step) decimals++;
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Formats log-axis labels: plain numbers from 0.001 to 99999, exponent form outside. */
export function formatLogTicks(values: readonly number[]): string[] {
  return values.map((v) => {
    if (!(v > 0) || !Number.isFinite(v)) return String(v);
    if (v >= 1e-3 && v < 1e5) return String(tidy(v));
    return stripExp(tidy(v).toExponential());
  });
}
