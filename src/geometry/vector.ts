// Flat-vector arithmetic for the estimators. Vectors are float32 (what ONNX Runtime takes and
// returns); every reduction accumulates in float64, so sums over 10⁶ entries stay accurate.
import { Rng } from '../data/rng';

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/** y ← y + α·x, in place. */
export function axpy(alpha: number, x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

/** out ← a + α·x (out may be a). */
export function addScaled(a: Float32Array, alpha: number, x: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + alpha * x[i];
  return out;
}

export function scale(x: Float32Array, alpha: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
}

/** v / (‖v‖ + 1e-6), in place: PyHessian's `normalization`, kept so results line up with it. */
export function normalizePyHessian(v: Float32Array): void {
  scale(v, 1 / (norm(v) + 1e-6));
}

/**
 * Removes from w its components along each vector of `basis` (modified Gram-Schmidt, in order),
 * then normalizes it as PyHessian's `orthnormal` does.
 */
export function orthonormalize(w: Float32Array, basis: readonly Float32Array[]): void {
  for (const v of basis) axpy(-dot(w, v), v, w);
  normalizePyHessian(w);
}

/** Fills `out` with independent ±1 entries (Rademacher), 32 per random word. */
export function fillRademacher(rng: Rng, out: Float32Array): void {
  for (let i = 0; i < out.length; i += 32) {
    const bits = rng.nextU32();
    const end = Math.min(out.length, i + 32);
    for (let k = i; k < end; k++) out[k] = (bits >>> (k - i)) & 1 ? 1 : -1;
  }
}

/** Fills `out` with independent standard normal entries. */
export function fillGaussian(rng: Rng, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.nextGaussian();
}
