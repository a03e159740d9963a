// Hutchinson's Hessian trace estimate Tr(H) ≈ mean_i v_iᵀHv_i over Rademacher probes v_i, with
// PyHessian's stopping rule: stop once the running mean moves by less than `tol` relative (the
// first probe never stops it: the previous mean is taken as 0).
import { Rng } from '../data/rng';
import { GeometryError } from './errors';
import { GeometryOracle } from './oracle';
import { dot, fillRademacher } from './vector';

export interface TraceOptions {
  /** Most probes. Default: 100 (PyHessian). */
  readonly maxIter?: number;
  /** Relative change of the running mean that stops the estimate. Default: 1e-3 (PyHessian). */
  readonly tol?: number;
  /** Seed of the Rademacher probes. Default: 0. */
  readonly seed?: number;
  /** Fills probe `i` instead of the seeded generator (for exact comparisons with other tools). Default: none. */
  readonly probe?: (i: number, out: Float32Array) => void;
  /** Batches the Hessian averages over. Default: all of the oracle's. */
  readonly batches?: readonly number[];
  /** Called after every probe with the running estimate. Default: none. */
  readonly onIteration?: (i: number, estimate: number) => void;
}

export interface TraceResult {
  /** The estimate: the mean of `samples`. */
  readonly trace: number;
  /** vᵀHv of every probe, in order. */
  readonly samples: readonly number[];
  /** Whether the stopping rule fired before `maxIter`. */
  readonly converged: boolean;
}

export async function hutchinsonTrace(oracle: GeometryOracle, w: Float32Array, options: TraceOptions = {}): Promise<TraceResult> {
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-3;
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new GeometryError(`the trace needs maxIter ≥ 1, got ${maxIter}`);
  if (!(tol >= 0)) throw new GeometryError(`the trace tolerance must not be negative, got ${tol}`);
  const rng = new Rng(options.seed ?? 0, 'hutchinson');
  const v = new Float32Array(oracle.size);
  const hv = new Float32Array(oracle.size);
  const samples: number[] = [];
  let sum = 0;
  let previous = 0;
  for (let i = 0; i < maxIter; i++) {
    if (options.probe) options.probe(i, v);
    else fillRademacher(rng, v);
    await oracle.hvp(w, v, hv, options.batches);
    const s = dot(hv, v);
    samples.push(s);
    sum += s;
    const mean = sum / samples.length;
    options.onIteration?.(i, mean);
    if (Math.abs(mean - previous) / (Math.abs(previous) + 1e-6) < tol) return { trace: mean, samples, converged: true };
    previous = mean;
  }
  return { trace: sum / samples.length, samples, converged: false };
}
