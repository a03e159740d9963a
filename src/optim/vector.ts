// Allocation-free BLAS-1 style helpers over flat Float32Array parameter/gradient vectors.
// Reductions accumulate in float64 (JS numbers) because a float32 running sum over millions of
// parameters loses several digits, which would make ‖g‖ and the SAM perturbation drift.

/** Throws when two vectors that must line up element by element do not. */
export function assertSameLength(a: Float32Array, b: Float32Array, what = 'vectors'): void {
  if (a.length !== b.length) {
    throw new RangeError(`The ${what} must have the same length (got ${a.length} and ${b.length}).`);
  }
}

/** Σ aᵢ·bᵢ, accumulated in float64. */
export function dot(a: Float32Array, b: Float32Array): number {
  assertSameLength(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Σ aᵢ², accumulated in float64. */
export function sumSquares(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** ‖a‖₂, accumulated in float64. NaN or ±Inf anywhere in `a` makes the result non-finite. */
export function norm(a: Float32Array): number {
  return Math.sqrt(sumSquares(a));
}

/** ‖T·g‖₂ with T = |w| + eta elementwise (the ASAM scaled gradient norm), in float64. */
export function scaledNorm(w: Float32Array, g: Float32Array, eta = 0): number {
  assertSameLength(w, g);
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    const t = (Math.abs(w[i]) + eta) * g[i];
    s += t * t;
  }
  return Math.sqrt(s);
}

/** a ← s·a, in place. */
export function scale(a: Float32Array, s: number): void {
  for (let i = 0; i < a.length; i++) a[i] *= s;
}

/** y ← y + alpha·x, in place. */
export function axpy(y: Float32Array, alpha: number, x: Float32Array): void {
  assertSameLength(y, x);
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

/** dst ← src. */
export function copy(dst: Float32Array, src: Float32Array): void {
  assertSameLength(dst, src);
  dst.set(src);
}

/** out ← a + s·b (`out` may alias `a` or `b`). */
export function addScaled(out: Float32Array, a: Float32Array, s: number, b: Float32Array): void {
  assertSameLength(out, a);
  assertSameLength(out, b);
  for (let i = 0; i < out.length; i++) out[i] = a[i] + s * b[i];
}

/**
 * out ← ca·a + cb·b + cc·c, each element computed in float64 and rounded once on store
 * (`out` may alias any input). Used for the CR-SAM combined gradient.
 */
export function combine3(
  out: Float32Array,
  ca: number,
  a: Float32Array,
  cb: number,
  b: Float32Array,
  cc: number,
  c: Float32Array,
): void {
  assertSameLength(out, a);
  assertSameLength(out, b);
  assertSameLength(out, c);
  for (let i = 0; i < out.length; i++) out[i] = ca * a[i] + cb * b[i] + cc * c[i];
}

/** True when every element is finite (no NaN, no ±Inf). */
export function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** a ← a / (‖a‖ + eps), in place; returns the norm before scaling. eps = 1e-6 is PyHessian's `normalization`. */
export function normalize(a: Float32Array, eps = 0): number {
  const n = norm(a);
  scale(a, 1 / (n + eps));
  return n;
}

/**
 * Removes from w its components along each vector of `basis` (modified Gram-Schmidt, in order;
 * the basis vectors are taken as unit vectors). Does not normalize w.
 */
export function orthogonalize(w: Float32Array, basis: readonly Float32Array[]): void {
  for (const v of basis) axpy(w, -dot(w, v), v);
}
