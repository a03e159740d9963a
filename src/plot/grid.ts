// Rectilinear value grids (landscapes): validation, bilinear sampling and refinement. Contouring
// itself is d3-contour's (contour.ts); these only prepare its input and cut 1-D slices.

/** Values on a rectilinear grid: `z[i][j]` is the value at (`x[i]`, `y[j]`). */
export interface Grid {
  /** Strictly increasing x coordinates (length nx ≥ 2). */
  readonly x: readonly number[];
  /** Strictly increasing y coordinates (length ny ≥ 2). */
  readonly y: readonly number[];
  /** nx rows of ny values; NaN/±Infinity mark missing values. */
  readonly z: readonly (readonly number[])[];
}

/**
 * Returns the grid with both axes ascending (reversing where given descending) and throws a
 * RangeError naming the problem for ragged or non-monotonic input, so a transposed z fails here
 * rather than as a silently wrong picture.
 */
export function normalizeGrid(g: Grid): Grid {
  const nx = g.x.length;
  const ny = g.y.length;
  if (nx < 2 || ny < 2) throw new RangeError(`contour: need at least 2×2 grid points, got ${nx}×${ny}`);
  if (g.z.length !== nx) throw new RangeError(`contour: z has ${g.z.length} rows but x has ${nx} values (z[i][j] is at x[i], y[j])`);
  g.z.forEach((row, i) => {
    if (row.length !== ny) throw new RangeError(`contour: z[${i}] has ${row.length} values but y has ${ny}`);
  });
  const dir = (a: readonly number[], name: string): 1 | -1 => {
    const up = a[1] > a[0];
    for (let k = 1; k < a.length; k++) {
      const ok = Number.isFinite(a[k]) && Number.isFinite(a[k - 1]) && (up ? a[k] > a[k - 1] : a[k] < a[k - 1]);
      if (!ok) throw new RangeError(`contour: ${name} must be finite and strictly monotonic (at index ${k})`);
    }
    return up ? 1 : -1;
  };
  const dx = dir(g.x, 'x');
  const dy = dir(g.y, 'y');
  if (dx === 1 && dy === 1) return g;
  const x = dx === 1 ? g.x : [...g.x].reverse();
  const y = dy === 1 ? g.y : [...g.y].reverse();
  const rows = dx === 1 ? g.z : [...g.z].reverse();
  return { x, y, z: rows.map((r) => (dy === 1 ? r : [...r].reverse())) };
}

/** Index k with a[k] ≤ v ≤ a[k+1] in an ascending array, or -1 outside. */
function locate(a: readonly number[], v: number): number {
  if (!(v >= a[0] && v <= a[a.length - 1])) return -1;
  let lo = 0;
  let hi = a.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Bilinear interpolation; corners with zero weight are ignored so one NaN only spoils its cells. */
function blend(z00: number, z10: number, z01: number, z11: number, u: number, v: number): number {
  let s = 0;
  const add = (z: number, w: number): void => {
    if (w > 0) s += z * w;
  };
  add(z00, (1 - u) * (1 - v));
  add(z10, u * (1 - v));
  add(z01, (1 - u) * v);
  add(z11, u * v);
  return s;
}

/** Value at (x, y) by bilinear interpolation; NaN outside the grid or next to missing values. */
export function sampleGrid(g: Grid, x: number, y: number): number {
  const i = locate(g.x, x);
  const j = locate(g.y, y);
  if (i < 0 || j < 0) return NaN;
  const u = (x - g.x[i]) / (g.x[i + 1] - g.x[i]);
  const v = (y - g.y[j]) / (g.y[j + 1] - g.y[j]);
  return blend(g.z[i][j], g.z[i + 1][j], g.z[i][j + 1], g.z[i + 1][j + 1], u, v);
}

/** Subdivides every cell `factor` times each way by bilinear interpolation: smoother iso-lines
 *  that match the bilinear shading of the PNG heat map. */
export function refineGrid(g: Grid, factor: number): Grid {
  const f = Math.max(1, Math.floor(factor));
  if (f === 1) return g;
  const sub = (a: readonly number[]): number[] => {
    const out: number[] = [];
    for (let k = 0; k + 1 < a.length; k++) for (let s = 0; s < f; s++) out.push(a[k] + ((a[k + 1] - a[k]) * s) / f);
    out.push(a[a.length - 1]);
    return out;
  };
  const x = sub(g.x);
  const y = sub(g.y);
  const nx = g.x.length;
  const ny = g.y.length;
  const z = x.map((_, I) => {
    const i = Math.min(Math.floor(I / f), nx - 2);
    const u = (I - i * f) / f;
    return y.map((__, J) => {
      const j = Math.min(Math.floor(J / f), ny - 2);
      const v = (J - j * f) / f;
      return blend(g.z[i][j], g.z[i + 1][j], g.z[i][j + 1], g.z[i + 1][j + 1], u, v);
    });
  });
  return { x, y, z };
}
