// The curvature figures of one point (trace with its error bar, λ_max / λ_min with their
// residuals, optionally the spectral density), as analyze and the training tracker both take
// them: one place decides the defaults and how results are summarized.
//
// Defaults, chosen by measurement (tools/measure-geometry.ts on the exact-Hessian fixtures, 20
// seeds; tools/measure-geometry-zoo.ts on resnet20; shared 2-core machine; README "The paper's
// geometry" has the table):
// - Eigenvalues: Lanczos. It found λ_max and λ_min to < 0.03 % in 17–40 HVPs on the four
//   fixtures and resnet20, with measured residuals ≤ 1e-3·‖H‖. Power iteration (PyHessian)
//   stopped after 9–89 HVPs 0.1–1.7 % off λ_max while claiming convergence, gives no λ_min, and
//   on an indefinite spectrum with |λ_min| ≈ λ_max does not converge; it stays as
//   `method: 'power'` for PyHessian parity.
// - Trace: Hutch++ with a sketch of ⌊budget/6⌋. Reported SE at 100 HVPs, Hutchinson / Hutch++:
//   tanh-init 17.5 / 19.7 %, relu-init 6.9 / 7.9 %, cnn-bn 5.2 / 5.0 %, tanh-trained 0.37 /
//   0.42 % (flat spectra: the sketch captures little); resnet20 at 60 HVPs 20 / 8.0 % (a few large
//   eigenvalues carry ‖H‖_F, which Hutch++ computes exactly). Chosen for the conv nets, where
//   HVPs cost seconds; on small models raising the budget is cheap. Both are reported with their
//   error bars; neither reaches SE/|Tr| ≤ 2 % within 100 HVPs on the random-init models.
import { spectralDensity, DensityOptions, SpectralDensity } from './density';
import { topEigenvalues } from './eigen';
import { hutchPlusPlusTrace } from './hutchpp';
import { ANALYZE_OPTIONS, EIGEN_MAX_ITER } from './geometry-options';
import { lanczosEigenvalues } from './lanczos';
import { GeometryOracle } from './oracle';
import { ErrorBar, divideErrorBar } from './stats';
import { TraceMethod, TraceOptions, TraceResult, hutchinsonTrace } from './trace';

export type EigenMethod = 'lanczos' | 'power';

export const DEFAULT_TRACE_METHOD: TraceMethod = ANALYZE_OPTIONS['trace-method'].default;
export const DEFAULT_EIGEN_METHOD: EigenMethod = ANALYZE_OPTIONS['eigen-method'].default;

/** The density settings a caller chooses (the seed, batches and progress come from the analysis). */
export type CurvatureDensityOptions = Omit<DensityOptions, 'seed' | 'batches' | 'onIteration'>;

export interface CurvatureTraceOptions extends Pick<TraceOptions, 'maxIter' | 'relTol' | 'minProbes' | 'tol' | 'level' | 'sketch' | 'probe'> {
  /** Estimator. Default: 'hutch++' (see the measurement above). */
  readonly method?: TraceMethod;
}

export interface CurvatureEigenOptions {
  /** Estimator. Default: 'lanczos'. */
  readonly method?: EigenMethod;
  /** Lanczos: most steps (default 80); power: most iterations per eigenvalue (default 100). */
  readonly maxIter?: number;
  /** Lanczos: relative residual ‖Hy − θy‖/‖H‖ that counts as converged (default 1e-3); power: PyHessian's relative change (default 1e-3). */
  readonly tol?: number;
  /** Power iteration only: start vector of eigenvalue k. Default: seeded Gaussian. */
  readonly start?: (k: number, out: Float32Array) => void;
}

export interface CurvatureOptions {
  /** Trace settings; false skips the trace (and C(w)). Default: on, with the defaults above. */
  readonly trace?: false | CurvatureTraceOptions;
  /** How many top eigenvalues (Lanczos also gives λ_min); 0 skips them. Default: 1. */
  readonly eigenvalues?: number;
  readonly eigen?: CurvatureEigenOptions;
  /** Spectral density by stochastic Lanczos quadrature; false or absent skips it. */
  readonly density?: false | CurvatureDensityOptions;
  /** Seed of every probe and start vector. Default: 0. */
  readonly seed?: number;
  /** Progress: phase, HVPs done, most HVPs, running estimate. */
  readonly onProgress?: (phase: 'trace' | 'eigenvalues' | 'density', done: number, total: number, estimate?: number) => void;
}

export interface EigenSummary {
  readonly method: EigenMethod;
  /** Top eigenvalues: Lanczos, largest algebraic first; power, largest magnitude first. */
  readonly values: readonly number[];
  /** ‖Hy − θy‖ of each (Lanczos, measured; NaN for power iteration, which does not measure it). */
  readonly residuals: readonly number[];
  /** λ_min (Lanczos only) and its residual. */
  readonly lambdaMin?: number;
  readonly lambdaMinResidual?: number;
  /** Lanczos: every residual ≤ tol·‖H‖; power: PyHessian's rule fired for every eigenvalue. */
  readonly converged: boolean;
  readonly hvps: number;
  /** Power: iterations per eigenvalue; Lanczos: [steps]. */
  readonly iterations: readonly number[];
}

export interface CurvatureResult {
  readonly trace?: TraceResult;
  /** C(w) = Tr(H)/‖g‖ with the trace's error bar divided by ‖g‖ (exact given the batches). */
  readonly normalizedTrace?: ErrorBar;
  readonly eigen?: EigenSummary;
  readonly density?: SpectralDensity;
  /** Seconds per phase. */
  readonly seconds: { readonly trace: number; readonly eigenvalues: number; readonly density: number };
}

async function eigenSummary(oracle: GeometryOracle, w: Float32Array, topK: number, o: CurvatureEigenOptions, seed: number, progress: CurvatureOptions['onProgress']): Promise<EigenSummary> {
  if ((o.method ?? DEFAULT_EIGEN_METHOD) === 'power') {
    const maxIter = o.maxIter ?? EIGEN_MAX_ITER.power;
    const p = await topEigenvalues(oracle, w, { topK, maxIter, tol: o.tol, start: o.start, seed, onIteration: (k, i, e) => progress?.('eigenvalues', k * maxIter + i + 1, topK * maxIter, e) });
    return { method: 'power', values: p.eigenvalues, residuals: p.eigenvalues.map(() => NaN), converged: p.converged.every(Boolean), hvps: p.iterations.reduce((a, b) => a + b, 0), iterations: p.iterations };
  }
  const maxSteps = o.maxIter ?? EIGEN_MAX_ITER.lanczos;
  const l = await lanczosEigenvalues(oracle, w, { topK, maxSteps, tol: o.tol, seed, onIteration: (i, e) => progress?.('eigenvalues', i, maxSteps, e) });
  return {
    method: 'lanczos', values: l.top.map((e) => e.value), residuals: l.top.map((e) => e.residual),
    ...(l.bottom ? { lambdaMin: l.bottom.value, lambdaMinResidual: l.bottom.residual } : {}),
    converged: l.converged, hvps: l.hvps, iterations: [l.steps],
  };
}

/** Trace, eigenvalues and density at w; `gradNorm` (‖g‖ of the same batches) gives C(w). */
export async function measureCurvature(oracle: GeometryOracle, w: Float32Array, gradNorm: number, options: CurvatureOptions = {}): Promise<CurvatureResult> {
  const seed = options.seed ?? 0;
  const progress = options.onProgress;
  const seconds = { trace: 0, eigenvalues: 0, density: 0 };
  let t = Date.now();
  const lap = () => { const now = Date.now(); const s = (now - t) / 1000; t = now; return s; };
  let trace: TraceResult | undefined;
  if (options.trace !== false) {
    const o = options.trace ?? {};
    const maxIter = o.maxIter ?? ANALYZE_OPTIONS['trace-iters'].default;
    const run = (o.method ?? DEFAULT_TRACE_METHOD) === 'hutch++' ? hutchPlusPlusTrace : hutchinsonTrace;
    trace = await run(oracle, w, { ...o, seed, onIteration: (i, e) => progress?.('trace', i + 1, maxIter, Number.isNaN(e) ? undefined : e) });
    seconds.trace = lap();
  }
  const topK = options.eigenvalues ?? ANALYZE_OPTIONS['top-k'].default;
  const eigen = topK > 0 ? await eigenSummary(oracle, w, topK, options.eigen ?? {}, seed, progress) : undefined;
  seconds.eigenvalues = lap();
  let density: SpectralDensity | undefined;
  if (options.density) {
    density = await spectralDensity(oracle, w, { ...options.density, seed, onIteration: (i, total) => progress?.('density', i, total) });
    seconds.density = lap();
  }
  return { trace, normalizedTrace: trace ? divideErrorBar(trace, gradNorm) : undefined, eigen, density, seconds };
}
