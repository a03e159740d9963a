// What the estimators need from a model: loss, gradient and Hessian-vector products of the mean
// loss over a fixed set of batches, at any weights. The ONNX Runtime oracle implements it for real
// models; tests implement it analytically (quadratics with a known Hessian).
import { axpy, norm } from '../optim/vector';

/** Loss-curvature access over a fixed list of batches. */
export interface GeometryOracle {
  /** Number of trainable scalars (the length of every vector). */
  readonly size: number;
  /** Number of batches. */
  readonly batchCount: number;
  /** Samples in batch `i`. */
  batchSamples(i: number): number;
  /** Mean loss and accuracy over `batches` (default: all; sample-weighted) at weights `w`. */
  evaluate(w: Float32Array, batches?: readonly number[]): Promise<{ readonly loss: number; readonly accuracy: number }>;
  /** Writes the sample-weighted mean gradient over `batches` (default all) at `w` into `out`; returns the loss. */
  gradient(w: Float32Array, out: Float32Array, batches?: readonly number[]): Promise<number>;
  /** Writes the sample-weighted mean Hessian-vector product H(w)·v over `batches` (default all) into `out`. */
  hvp(w: Float32Array, v: Float32Array, out: Float32Array, batches?: readonly number[]): Promise<void>;
}

/** What every Hessian estimator takes besides its own settings. */
export interface EstimatorOptions {
  /** Seed of the random probes or start vectors. Default: 0. */
  readonly seed?: number;
  /** Batches the Hessian averages over. Default: all of the oracle's. */
  readonly batches?: readonly number[];
}

/** All batch indices of an oracle. */
export function allBatches(oracle: Pick<GeometryOracle, 'batchCount'>): number[] {
  return Array.from({ length: oracle.batchCount }, (_, i) => i);
}

/** Default step of the finite-difference HVP: the length of the perturbation εv, in weight units. */
export const DEFAULT_FD_STEP = 1e-2;

/**
 * The central-difference Hessian-vector product (g(w+εv) − g(w−εv)) / (2ε), with ε chosen so the
 * perturbation εv has length `step`: two gradient evaluations, exact for quadratics up to rounding.
 * The difference is taken over the weights as actually stored (float32), so rounding of w ± εv
 * does not bias the result. On smooth models it agrees with the exact product; on ReLU networks
 * (piecewise quadratic) a step that moves pre-activations across zero adds the kinks' jumps,
 * relu'' = δ, which the exact product (like PyTorch's double backward) leaves out, so the two
 * differ there at any step size.
 */
export async function finiteDifferenceHvp(oracle: GeometryOracle, w: Float32Array, v: Float32Array, out: Float32Array, step = DEFAULT_FD_STEP, batches?: readonly number[]): Promise<void> {
  const vn = norm(v);
  if (vn === 0) { out.fill(0); return; }
  const eps = step / vn;
  const plus = Float32Array.from(w);
  const minus = Float32Array.from(w);
  axpy(plus, eps, v);
  axpy(minus, -eps, v);
  // The stored perturbation differs from εv by float32 rounding; project the difference onto v.
  let along = 0;
  for (let i = 0; i < v.length; i++) along += (plus[i] - minus[i]) * v[i];
  const twoEps = along / (vn * vn);
  const gMinus = new Float32Array(w.length);
  await oracle.gradient(plus, out, batches);
  await oracle.gradient(minus, gMinus, batches);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - gMinus[i]) / twoEps;
}
