// Hessian trace estimates with error bars. Hutchinson: Tr(H) ≈ mean_i v_iᵀHv_i over Rademacher
// probes v_i; its standard error comes from the probes' sample variance, and the default stopping
// rule is on that error (SE/|Tr| ≤ relTol, after minProbes), not on successive means: PyHessian's
// rule ("running mean moved < tol") says nothing about the error and stops on noise. The PyHessian
// rule stays available (`tol`) so runs can be compared with PyHessian probe for probe.
// Hutch++ (hutchpp.ts) shares the options and result. See docs/geometry.md.
import { Rng } from '../core/rng';
import { dot } from '../optim/vector';
import { GeometryError } from './errors';
import { ANALYZE_OPTIONS } from './geometry-options';
import { EstimatorOptions, GeometryOracle } from './oracle';
import { fillRademacher } from './probes';
import { ErrorBar, meanWithError } from './stats';

export type TraceMethod = 'hutchinson' | 'hutch++';

export interface TraceOptions extends EstimatorOptions {
  /** Most Hessian-vector products in all (Hutchinson: probes). Default: 100. */
  readonly maxIter?: number;
  /** Stop once the standard error is at most this fraction of |Tr|. Default: 0.02. */
  readonly relTol?: number;
  /** Fewest probes before the standard-error rule may stop (the variance needs a few). Default: 10. */
  readonly minProbes?: number;
  /** PyHessian's rule instead: stop once the running mean moves by less than `tol` relative. Default: not used. */
  readonly tol?: number;
  /** Confidence level of the interval. Default: 0.95. */
  readonly level?: number;
  /** Hutch++ only: size of the low-rank sketch (it costs 2 HVPs per column). Default: ⌊maxIter/6⌋ (at least 1). */
  readonly sketch?: number;
  /** Fills probe `i` instead of the seeded generator (for exact comparisons with other tools). Default: none. */
  readonly probe?: (i: number, out: Float32Array) => void;
  /** Called after every HVP with the running estimate. Default: none. */
  readonly onIteration?: (i: number, estimate: number) => void;
}

export type TraceStop = 'relative-se' | 'pyhessian-tol' | 'budget';

export interface TraceResult extends ErrorBar {
  readonly method: TraceMethod;
  /** The estimate (= `value`). */
  readonly trace: number;
  /** The random probes' vᵀHv (Hutch++: of the deflated probes), in order. */
  readonly samples: readonly number[];
  /** Hutch++: Tr(QᵀHQ), the exactly computed low-rank part (0 for Hutchinson). */
  readonly lowRank: number;
  /** Hutch++: rank of the sketch Q (0 for Hutchinson). */
  readonly sketch: number;
  /** Hessian-vector products spent. */
  readonly hvps: number;
  /** Why it stopped. */
  readonly stop: TraceStop;
  /** Whether a stopping rule fired before the budget ran out. */
  readonly converged: boolean;
}

/** The shared loop: draws probes, takes `sample(v)`, and stops by the chosen rule. */
export async function probeLoop(
  options: TraceOptions, budget: number, offset: number, first: number,
  draw: (i: number) => void, sample: () => Promise<number>,
): Promise<{ samples: number[]; stop: TraceStop }> {
  const relTol = options.relTol ?? ANALYZE_OPTIONS['trace-rel-se'].default;
  const minProbes = Math.max(2, options.minProbes ?? 10);
  if (!(relTol >= 0)) throw new GeometryError(`the trace's relative tolerance must not be negative, got ${relTol}`);
  if (options.tol !== undefined && !(options.tol >= 0)) throw new GeometryError(`the trace tolerance must not be negative, got ${options.tol}`);
  const samples: number[] = [];
  let sum = 0;
  let previous = 0;
  for (let i = 0; i < budget; i++) {
    draw(i);
    const s = await sample();
    samples.push(s);
    sum += s;
    const mean = offset + sum / samples.length;
    options.onIteration?.(first + i, mean);
    if (options.tol !== undefined) {
      if (Math.abs(mean - previous) / (Math.abs(previous) + 1e-6) < options.tol) return { samples, stop: 'pyhessian-tol' };
      previous = mean;
    } else if (samples.length >= minProbes && meanWithError(samples).standardError <= relTol * Math.abs(mean)) {
      return { samples, stop: 'relative-se' };
    }
  }
  return { samples, stop: 'budget' };
}

export function checkBudget(maxIter: number): void {
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new GeometryError(`the trace needs maxIter ≥ 1, got ${maxIter}`);
}

/** Hutchinson's estimate with its standard error and confidence interval. */
export async function hutchinsonTrace(oracle: GeometryOracle, w: Float32Array, options: TraceOptions = {}): Promise<TraceResult> {
  const maxIter = options.maxIter ?? ANALYZE_OPTIONS['trace-iters'].default;
  checkBudget(maxIter);
  const rng = new Rng(options.seed ?? 0, 'hutchinson');
  const v = new Float32Array(oracle.size);
  const hv = new Float32Array(oracle.size);
  const { samples, stop } = await probeLoop(options, maxIter, 0, 0,
    (i) => { if (options.probe) options.probe(i, v); else fillRademacher(rng, v); },
    async () => { await oracle.hvp(w, v, hv, options.batches); return dot(hv, v); });
  const e = meanWithError(samples, options.level ?? 0.95);
  return { ...e, method: 'hutchinson', trace: e.value, samples, lowRank: 0, sketch: 0, hvps: samples.length, stop, converged: stop !== 'budget' };
}
