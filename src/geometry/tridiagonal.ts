// Eigen-decomposition of a small symmetric tridiagonal matrix (the Lanczos matrix T), by the
// implicit QL method with Wilkinson shifts (EISPACK tql2). T has at most a few hundred rows, so
// a dense O(m³) method in float64 costs nothing next to one Hessian-vector product.

export interface TridiagonalEigen {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Eigenvectors as rows: vectors[i] belongs to values[i] (unit length). */
  readonly vectors: readonly Float64Array[];
}

/** Eigenvalues and eigenvectors of the symmetric tridiagonal matrix with diagonal `alpha` and off-diagonal `beta` (length m − 1). */
export function tridiagonalEigen(alpha: ArrayLike<number>, beta: ArrayLike<number>): TridiagonalEigen {
  const n = alpha.length;
  const d = Float64Array.from(alpha);
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = beta[i];
  // z[i][k]: component i of eigenvector k; starts as the identity.
  const z = Array.from({ length: n }, (_, i) => { const r = new Float64Array(n); r[i] = 1; return r; });
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iter > 60) throw new RangeError('tridiagonal eigensolver did not converge');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        let f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) { d[i + 1] -= p; e[m] = 0; break; }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let k = 0; k < n; k++) {
          f = z[k][i + 1];
          z[k][i + 1] = s * z[k][i] + c * f;
          z[k][i] = c * z[k][i] - s * f;
        }
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a] - d[b]);
  return {
    values: Float64Array.from(order, (k) => d[k]),
    vectors: order.map((k) => Float64Array.from(z, (row) => row[k])),
  };
}
