// Quadratic oracles with a chosen spectrum: H = Q·diag(λ)·Qᵀ with a random orthogonal Q.
import { Rng } from '../../src/core/rng';
import { QuadraticOracle } from './quadratic-oracle';

/** A random symmetric matrix Q·diag(λ)·Qᵀ with the given eigenvalues (Q from Gram-Schmidt). */
export function withEigenvalues(lambdas: readonly number[], seed: number): QuadraticOracle {
  const n = lambdas.length;
  const rng = new Rng(seed);
  const q: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = Float64Array.from({ length: n }, () => rng.nextGaussian());
    for (let pass = 0; pass < 2; pass++) for (const u of q) { let d = 0; for (let i = 0; i < n; i++) d += v[i] * u[i]; for (let i = 0; i < n; i++) v[i] -= d * u[i]; }
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i] * v[i];
    const norm = Math.sqrt(s);
    for (let i = 0; i < n; i++) v[i] /= norm;
    q.push(v);
  }
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const u = q[k];
    const l = lambdas[k];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += l * u[i] * u[j];
  }
  return new QuadraticOracle(a, new Float64Array(n));
}
