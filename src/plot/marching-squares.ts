// Scalar-grid geometry for contour plots: validation, bilinear refinement, iso-lines (marching
// squares, joined into polylines) and filled bands. All outputs are in data coordinates.

/** Values on a rectilinear grid: `z[i][j]` is the value at (`x[i]`, `y[j]`). */
export interface Grid {
  /** Strictly increasing x coordinates (length nx ≥ 2). */
  readonly x: readonly number[];
  /** Strictly increasing y coordinates (length ny ≥ 2). */
  readonly y: readonly number[];
  /** nx rows of ny values; NaN/±Infinity mark missing values. */
  readonly z: readonly (readonly number[])[];
}

/** A point in data coordinates. */
export type DataPt = readonly [number, number];

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
export function locate(a: readonly number[], v: number): number {
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

/** Iso-lines of `level` as polylines (closed loops repeat their first point). Cells with a
 *  missing corner are skipped. */
export function isolines(g: Grid, level: number): DataPt[][] {
  return trace(g, level, false);
}

/**
 * Boundary loops of the region where z ≥ `level`. Filled with the even-odd rule they give exactly
 * that region, and painting levels in increasing order gives filled contours with no seams between
 * bands. The grid is padded with a border below every level so all loops close along the edges;
 * missing values count as below every level (callers paint them over).
 */
export function superlevelRings(g: Grid, level: number): DataPt[][] {
  const nx = g.x.length;
  const ny = g.y.length;
  const x = [g.x[0], ...g.x, g.x[nx - 1]];
  const y = [g.y[0], ...g.y, g.y[ny - 1]];
  const z = x.map((_, i) =>
    y.map((__, j) => {
      if (i === 0 || j === 0 || i === nx + 1 || j === ny + 1) return -Infinity;
      const v = g.z[i - 1][j - 1];
      return Number.isFinite(v) ? v : -Infinity;
    }),
  );
  return trace({ x, y, z }, level, true).map((ring) => ring.filter((p, k) => k === 0 || p[0] !== ring[k - 1][0] || p[1] !== ring[k - 1][1]));
}

function trace(g: Grid, level: number, allowNegInf: boolean): DataPt[][] {
  const nx = g.x.length;
  const ny = g.y.length;
  const hId = (i: number, j: number): number => 2 * (i * ny + j);
  const vId = (i: number, j: number): number => 2 * (i * ny + j) + 1;
  const points = new Map<number, DataPt>();
  const cross = (id: number, xa: number, ya: number, za: number, xb: number, yb: number, zb: number): number => {
    if (!points.has(id)) {
      // A -Infinity end pins the crossing to the finite end (the padded border of superlevelRings).
      const t = za === -Infinity ? 1 : zb === -Infinity ? 0 : (level - za) / (zb - za);
      points.set(id, [xa + (xb - xa) * t, ya + (yb - ya) * t]);
    }
    return id;
  };
  const segments: [number, number][] = [];
  for (let i = 0; i + 1 < nx; i++) {
    for (let j = 0; j + 1 < ny; j++) {
      const c = [g.z[i][j], g.z[i + 1][j], g.z[i + 1][j + 1], g.z[i][j + 1]];
      if (!c.every((v) => Number.isFinite(v) || (allowNegInf && v === -Infinity))) continue;
      const up = c.map((v) => v >= level);
      if (up.every((b) => b === up[0])) continue;
      const [x0, x1, y0, y1] = [g.x[i], g.x[i + 1], g.y[j], g.y[j + 1]];
      // Edges counter-clockwise from the bottom: e0 (c0→c1), e1 (c1→c2), e2 (c3→c2), e3 (c0→c3).
      const edge = [
        () => cross(hId(i, j), x0, y0, c[0], x1, y0, c[1]),
        () => cross(vId(i + 1, j), x1, y0, c[1], x1, y1, c[2]),
        () => cross(hId(i, j + 1), x0, y1, c[3], x1, y1, c[2]),
        () => cross(vId(i, j), x0, y0, c[0], x0, y1, c[3]),
      ];
      const cut = [0, 1, 2, 3].filter((k) => up[k] !== up[(k + 1) % 4]);
      if (cut.length === 2) {
        segments.push([edge[cut[0]](), edge[cut[1]]()]);
      } else {
        // Saddle: the cell centre decides which diagonal pair is connected; every corner on the
        // other side of the centre gets cut off by its own segment (corner k sits between edges
        // k-1 and k).
        const centreUp = (c[0] + c[1] + c[2] + c[3]) / 4 >= level;
        for (let k = 0; k < 4; k++) if (up[k] !== centreUp) segments.push([edge[(k + 3) % 4](), edge[k]()]);
      }
    }
  }
  return joinSegments(segments, points);
}

/** Chains segments that share an edge crossing into polylines. */
function joinSegments(segments: readonly [number, number][], points: ReadonlyMap<number, DataPt>): DataPt[][] {
  const at = new Map<number, number[]>();
  segments.forEach(([a, b], s) => {
    for (const id of [a, b]) {
      const list = at.get(id);
      if (list) list.push(s);
      else at.set(id, [s]);
    }
  });
  const used = new Uint8Array(segments.length);
  const walk = (start: number, from: number): number[] => {
    const ids: number[] = [];
    let id = from;
    let seg = start;
    for (;;) {
      const next = (at.get(id) ?? []).find((s) => s !== seg && !used[s]);
      if (next === undefined) return ids;
      used[next] = 1;
      const [a, b] = segments[next];
      id = a === id ? b : a;
      ids.push(id);
      seg = next;
    }
  };
  const lines: DataPt[][] = [];
  for (let s = 0; s < segments.length; s++) {
    if (used[s]) continue;
    used[s] = 1;
    const [a, b] = segments[s];
    const forward = walk(s, b);
    const closed = forward.length > 0 && forward[forward.length - 1] === a;
    const backward = closed ? [] : walk(s, a);
    const ids = [...backward.reverse(), a, b, ...forward];
    lines.push(ids.map((id) => points.get(id) as DataPt));
  }
  return lines;
}

/** Runs of cells with a missing corner, as rectangles (painted grey over the bands). */
export function missingCells(g: Grid): DataPt[][] {
  const out: DataPt[][] = [];
  for (let i = 0; i + 1 < g.x.length; i++) {
    let start = -1;
    for (let j = 0; j + 1 <= g.y.length; j++) {
      const missing = j + 1 < g.y.length && ![g.z[i][j], g.z[i + 1][j], g.z[i][j + 1], g.z[i + 1][j + 1]].every(Number.isFinite);
      if (missing && start < 0) start = j;
      if (!missing && start >= 0) {
        const [x0, x1, y0, y1] = [g.x[i], g.x[i + 1], g.y[start], g.y[j]];
        out.push([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]);
        start = -1;
      }
    }
  }
  return out;
}

/** Ramer–Douglas–Peucker: drops vertices within `tol` of the simplified line (same units). Refined
 *  grids make long runs of nearly collinear points that only bloat the SVG. */
export function simplify<P extends readonly [number, number]>(run: readonly P[], tol: number): P[] {
  if (run.length < 3) return [...run];
  const keep = new Uint8Array(run.length);
  keep[0] = 1;
  keep[run.length - 1] = 1;
  const stack: [number, number][] = [[0, run.length - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop() as [number, number];
    const [ax, ay] = run[a];
    const dx = run[b][0] - ax;
    const dy = run[b][1] - ay;
    const len = Math.hypot(dx, dy);
    let worst = -1;
    let far = tol;
    for (let k = a + 1; k < b; k++) {
      const ex = run[k][0] - ax;
      const ey = run[k][1] - ay;
      const d = len > 0 ? Math.abs(ex * dy - ey * dx) / len : Math.hypot(ex, ey);
      if (d > far) {
        far = d;
        worst = k;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return run.filter((_, k) => keep[k] === 1);
}
