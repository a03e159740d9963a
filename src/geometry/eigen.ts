// Top-k Hessian eigenvalues by power iteration with deflation, as PyHessian computes them: each
// new vector is kept orthonormal to the eigenvectors already found, and an eigenvalue is final
// once two successive Rayleigh quotients differ by less than `tol` relative (the earlier one is
// reported, as PyHessian does). Power iteration finds the eigenvalues of largest magnitude, and
// on an indefinite spectrum with |λ_min| ≈ λ_max it does not converge: lanczos.ts is the default
// in analyze; this stays for PyHessian parity and as a cheaper option where it works.
import { Rng } from '../core/rng';
import { GeometryError } from './errors';
import { ANALYZE_OPTIONS, EIGEN_MAX_ITER } from './geometry-options';
import { EstimatorOptions, GeometryOracle } from './oracle';
import { dot, normalize, orthogonalize } from '../optim/vector';
import { fillGaussian } from './probes';

/** PyHessian's `normalization` divides by ‖v‖ + 1e-6; kept so results line up with it. */
const PYHESSIAN_EPS = 1e-6;

export interface EigenOptions extends EstimatorOptions {
  /** How many eigenvalues. Default: 1. */
  readonly topK?: number;
  /** Most iterations per eigenvalue. Default: 100 (PyHessian). */
  readonly maxIter?: number;
  /** Relative change between iterations that ends one eigenvalue. Default: 1e-3 (PyHessian). */
  readonly tol?: number;
  /** Fills the start vector of eigenvalue `k` instead of the seeded generator. Default: none. */
  readonly start?: (k: number, out: Float32Array) => void;
  /** Called after every iteration. Default: none. */
  readonly onIteration?: (k: number, i: number, estimate: number) => void;
}

export interface EigenResult {
  readonly method: 'power';
  /** Eigenvalues, in the order found (largest magnitude first). */
  readonly eigenvalues: readonly number[];
  /** The unit eigenvectors, same order. */
  readonly eigenvectors: readonly Float32Array[];
  /** Hessian-vector products spent on each eigenvalue. */
  readonly iterations: readonly number[];
  /** Whether each stopped by the tolerance rather than `maxIter`. */
  readonly converged: readonly boolean[];
}

export async function topEigenvalues(oracle: GeometryOracle, w: Float32Array, options: EigenOptions = {}): Promise<EigenResult> {
  const topK = options.topK ?? ANALYZE_OPTIONS['top-k'].default;
  const maxIter = options.maxIter ?? EIGEN_MAX_ITER.power;
  const tol = options.tol ?? ANALYZE_OPTIONS['eigen-tol'].default;
  if (!(Number.isInteger(topK) && topK >= 1)) throw new GeometryError(`the number of eigenvalues must be a whole number ≥ 1, got ${topK}`);
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new GeometryError(`power iteration needs maxIter ≥ 1, got ${maxIter}`);
  if (topK > oracle.size) throw new GeometryError(`asked for ${topK} eigenvalues of a ${oracle.size}-parameter Hessian`);
  const rng = new Rng(options.seed ?? 0, 'power-iteration');
  const eigenvalues: number[] = [];
  const eigenvectors: Float32Array[] = [];
  const iterations: number[] = [];
  const converged: boolean[] = [];
  for (let k = 0; k < topK; k++) {
    let v = new Float32Array(oracle.size);
    if (options.start) options.start(k, v);
    else fillGaussian(rng, v);
    normalize(v, PYHESSIAN_EPS);
    let hv = new Float32Array(oracle.size);
    let eigenvalue: number | undefined;
    let done = false;
    let i = 0;
    for (; i < maxIter && !done; i++) {
      orthogonalize(v, eigenvectors);
      normalize(v, PYHESSIAN_EPS);
      await oracle.hvp(w, v, hv, options.batches);
      // The Rayleigh quotient; PyHessian takes vᵀHv with ‖v‖ = 1/(1 + 1e-6), 2e-6 lower.
      const estimate = dot(hv, v) / dot(v, v);
      options.onIteration?.(k, i, estimate);
      // The normalized Hv becomes the next iterate; the old buffer takes the next product.
      [v, hv] = [hv, v];
      normalize(v, PYHESSIAN_EPS);
      if (eigenvalue === undefined) eigenvalue = estimate;
      else if (Math.abs(eigenvalue - estimate) / (Math.abs(eigenvalue) + 1e-6) < tol) done = true;
      else eigenvalue = estimate;
    }
    eigenvalues.push(eigenvalue as number);
    eigenvectors.push(v);
    iterations.push(i);
    converged.push(done);
  }
  return { method: 'power', eigenvalues, eigenvectors, iterations, converged };
}
