// analyzeGeometry: the paper's Table 3 figures (‖g‖, Tr(H), C(w) = Tr(H)/‖g‖, λ_max, accuracy),
// each estimate with its error bar or residual, optionally the spectral density and the
// approximation ratio of one-step ascent, for any model crsam can train.
// Everything is computed with BatchNorm on running statistics (see buildGeometryGraphs).
import { Batch } from '../runtime/batch';
import { SessionConfig } from '../runtime/execution-providers';
import { AscentOptions, AscentResult, approximationRatio } from './ascent';
import { CurvatureDensityOptions, CurvatureEigenOptions, CurvatureTraceOptions, DEFAULT_EIGEN_METHOD, DEFAULT_TRACE_METHOD, EigenMethod, measureCurvature } from './curvature';
import { SpectralDensity } from './density';
import { ANALYZE_OPTIONS, EIGEN_MAX_ITER } from './geometry-options';
import { GeometryError } from './errors';
import { gradientNorms } from './gradient-norm';
import { HvpMode, OrtGeometryOracle } from './ort-geometry-oracle';
import { GeometryModel, geometryWeights } from './sources';
import { TraceMethod, TraceStop } from './trace';

export type GeometryPhase = 'evaluate' | 'gradient' | 'trace' | 'eigenvalues' | 'density' | 'ascent';

/** Progress of a running analysis. */
export interface GeometryProgress {
  readonly phase: GeometryPhase;
  /** Units done in this phase (batches, probes, iterations). */
  readonly done: number;
  /** Most units the phase can take (the trace and power iteration may stop earlier). */
  readonly total: number;
  /** The running estimate (trace, eigenvalue), when the phase has one. */
  readonly estimate?: number;
}

export interface AnalyzeGeometryOptions extends SessionConfig {
  /** The model: a Model, a Trainer (its current weights), or a file or run folder resolved by resolveGeometryModel. Required. */
  readonly model: GeometryModel;
  /** The data the figures are computed on (copied by the caller if its arrays are reused). Required. */
  readonly batches: Iterable<Batch>;
  /** Trace estimate (its defaults: CurvatureTraceOptions); false skips it (and C(w)). Default: true. */
  readonly trace?: boolean | CurvatureTraceOptions;
  /** How many top eigenvalues (Lanczos also gives λ_min); 0 skips them. Default: 1. */
  readonly eigenvalues?: number;
  /** Eigenvalue settings (their defaults: CurvatureEigenOptions). */
  readonly eigen?: CurvatureEigenOptions;
  /** Spectral density (stochastic Lanczos quadrature); true uses its defaults. Default: false. */
  readonly density?: boolean | CurvatureDensityOptions;
  /** Approximation ratio of one-step vs multi-step ascent (docs/geometry.md); true uses AscentOptions' defaults. Default: false. */
  readonly approximationRatio?: boolean | Pick<AscentOptions, 'rho' | 'steps' | 'stepSize'>;
  /** Batches for the approximation ratio (the paper uses training data). Default: `batches`. */
  readonly ascentBatches?: Iterable<Batch>;
  /** Exact Hessian-vector products, or central differences of gradients. Default: 'exact'. */
  readonly hvp?: HvpMode;
  /** Perturbation length of the finite-difference HVP, in weight units. Default: 1e-2. */
  readonly fdStep?: number;
  /** Seed of the trace probes and power-iteration start vectors. Default: 0. */
  readonly seed?: number;
  /** Receives progress. Default: none. */
  readonly onProgress?: (p: GeometryProgress) => void;
}

export interface GeometryReport {
  /** The model's name (file, run folder, or graph name). */
  readonly model: string;
  readonly parameters: number;
  readonly samples: number;
  readonly batches: number;
  /** Mean cross-entropy and accuracy (fraction) at w. */
  readonly loss: number;
  readonly accuracy: number;
  /** ‖∇L‖ as the mean of per-batch norms (the paper's and authors' figure). */
  readonly gradNorm: number;
  /** ‖∇L‖ of the full-batch gradient (free with the per-batch norms). */
  readonly gradNormFullBatch: number;
  /** Tr(H) estimate; absent when skipped. */
  readonly trace?: number;
  /** Its standard error (from the probes' variance) and confidence interval at `traceLevel`. */
  readonly traceStandardError?: number;
  readonly traceInterval?: readonly [number, number];
  readonly traceLevel?: number;
  readonly traceMethod?: TraceMethod;
  /** Why the trace stopped: the relative-SE rule, PyHessian's rule, or the HVP budget. */
  readonly traceStop?: TraceStop;
  readonly traceHvps?: number;
  /** vᵀHv per random probe (Hutch++: of the deflated probes). */
  readonly traceSamples?: readonly number[];
  /** Whether a stopping rule fired before the budget ran out. */
  readonly traceConverged?: boolean;
  /** C(w) = Tr(H) / ‖g‖ (eq. 4), with ‖g‖ = `gradNorm`, and its error bar (the trace's / ‖g‖). */
  readonly normalizedTrace?: number;
  readonly normalizedTraceStandardError?: number;
  readonly normalizedTraceInterval?: readonly [number, number];
  /** Top eigenvalues (Lanczos: largest algebraic first; power: largest magnitude first); `lambdaMax` is the first. */
  readonly eigenvalues?: readonly number[];
  readonly lambdaMax?: number;
  /** ‖Hy − θy‖ of each eigenvalue (Lanczos; NaN for power iteration). */
  readonly eigenResiduals?: readonly number[];
  /** λ_min and its residual (Lanczos only). */
  readonly lambdaMin?: number;
  readonly lambdaMinResidual?: number;
  readonly eigenMethod?: EigenMethod;
  readonly eigenConverged?: boolean;
  readonly eigenHvps?: number;
  /** Power: iterations per eigenvalue; Lanczos: [steps]. */
  readonly eigenIterations?: readonly number[];
  /** Spectral density on a grid (when asked for). */
  readonly density?: SpectralDensity;
  readonly approximationRatio?: AscentResult;
  readonly settings: {
    readonly hvp: HvpMode;
    readonly batchNorm: 'running-statistics';
    readonly seed: number;
    readonly traceMethod: TraceMethod;
    readonly traceMaxIter: number;
    /** Relative-SE target (absent when PyHessian's rule `traceTol` was used). */
    readonly traceRelTol?: number;
    readonly traceTol?: number;
    readonly eigenMethod: EigenMethod;
    readonly eigenMaxIter: number;
    readonly eigenTol: number;
  };
  /** What the analysis cost: passes over single batches, and seconds per phase. */
  readonly cost: {
    readonly forwardPasses: number;
    readonly gradientPasses: number;
    readonly hvpPasses: number;
    readonly seconds: Readonly<Record<'setup' | 'gradient' | 'trace' | 'eigenvalues' | 'density' | 'ascent' | 'total', number>>;
  };
}

/** Computes the geometry figures of a model on the given batches. */
export async function analyzeGeometry(options: AnalyzeGeometryOptions): Promise<GeometryReport> {
  const start = Date.now();
  const resolved = geometryWeights(options.model);
  const batches = [...options.batches];
  const seed = options.seed ?? ANALYZE_OPTIONS.seed.default;
  const traceOpts = onOff(options.trace ?? ANALYZE_OPTIONS.trace.default);
  const topK = options.eigenvalues ?? ANALYZE_OPTIONS['top-k'].default;
  if (!(Number.isInteger(topK) && topK >= 0)) throw new GeometryError(`the number of eigenvalues must be a whole number ≥ 0, got ${topK}`);
  const arOpts = onOff(options.approximationRatio ?? ANALYZE_OPTIONS.ar.default);
  const oracle = new OrtGeometryOracle(resolved.artifacts, { ...sessionConfig(options), hvp: options.hvp, fdStep: options.fdStep });
  const progress = options.onProgress ?? (() => undefined);
  const seconds = { setup: 0, gradient: 0, trace: 0, eigenvalues: 0, density: 0, ascent: 0, total: 0 };
  const lap = (() => { let t = Date.now(); return () => { const now = Date.now(); const s = (now - t) / 1000; t = now; return s; }; })();
  const densityOpts = onOff(options.density ?? ANALYZE_OPTIONS.density.default);
  try {
    oracle.setBuffers(resolved.buffers);
    oracle.setBatches(batches);
    const w = oracle.flatten(resolved.params);
    await oracle.prepare(['eval', 'gradient', ...(traceOpts || topK > 0 || densityOpts ? [oracle.hvpMode === 'exact' ? 'hvp' as const : 'gradient' as const] : [])]);
    seconds.setup = lap();
    progress({ phase: 'evaluate', done: 0, total: 1 });
    const ev = await oracle.evaluate(w);
    progress({ phase: 'gradient', done: 0, total: batches.length });
    const gn = await gradientNorms(oracle, w);
    progress({ phase: 'gradient', done: batches.length, total: batches.length });
    seconds.gradient = lap();
    const curv = await measureCurvature(oracle, w, gn.mean, {
      trace: traceOpts ?? false, eigenvalues: topK, eigen: options.eigen, density: densityOpts, seed,
      onProgress: (phase, done, total, estimate) => progress({ phase, done, total, estimate }),
    });
    Object.assign(seconds, curv.seconds);
    lap();
    let ar: AscentResult | undefined;
    if (arOpts) {
      const ascentBatches = options.ascentBatches ? [...options.ascentBatches] : undefined;
      if (ascentBatches) oracle.setBatches(ascentBatches);
      ar = await approximationRatio(oracle, w, { ...arOpts, onBatch: (done, total) => progress({ phase: 'ascent', done, total }) });
      seconds.ascent = lap();
    }
    seconds.total = (Date.now() - start) / 1000;
    const eigenMethod = options.eigen?.method ?? DEFAULT_EIGEN_METHOD;
    return {
      model: resolved.label, parameters: oracle.size, samples: batches.reduce((s, b) => s + b.labels.length, 0), batches: batches.length,
      loss: ev.loss, accuracy: ev.accuracy, gradNorm: gn.mean, gradNormFullBatch: gn.fullBatch,
      ...curvatureFields(curv),
      ...(ar ? { approximationRatio: ar } : {}),
      settings: {
        hvp: oracle.hvpMode, batchNorm: 'running-statistics', seed, traceMethod: traceOpts?.method ?? DEFAULT_TRACE_METHOD, traceMaxIter: traceOpts?.maxIter ?? ANALYZE_OPTIONS['trace-iters'].default,
        ...(traceOpts?.tol !== undefined ? { traceTol: traceOpts.tol } : { traceRelTol: traceOpts?.relTol ?? ANALYZE_OPTIONS['trace-rel-se'].default }),
        eigenMethod, eigenMaxIter: options.eigen?.maxIter ?? EIGEN_MAX_ITER[eigenMethod], eigenTol: options.eigen?.tol ?? ANALYZE_OPTIONS['eigen-tol'].default,
      },
      cost: { forwardPasses: oracle.counts.forward, gradientPasses: oracle.counts.gradient, hvpPasses: oracle.counts.hvp, seconds },
    };
  } finally {
    await oracle.close();
  }
}

/** A `boolean | settings` option as settings, or undefined when off (true: the settings' defaults). */
function onOff<T extends object>(o: boolean | T): T | undefined {
  return o === true ? {} as T : o || undefined;
}

/** The report's flat fields for a curvature result. */
function curvatureFields(c: Awaited<ReturnType<typeof measureCurvature>>): Partial<GeometryReport> {
  const t = c.trace;
  const n = c.normalizedTrace;
  const e = c.eigen;
  return {
    ...(t && n ? {
      trace: t.trace, traceStandardError: t.standardError, traceInterval: t.interval, traceLevel: t.level, traceMethod: t.method, traceStop: t.stop,
      traceHvps: t.hvps, traceSamples: t.samples, traceConverged: t.converged,
      normalizedTrace: n.value, normalizedTraceStandardError: n.standardError, normalizedTraceInterval: n.interval,
    } : {}),
    ...(e ? {
      eigenvalues: e.values, lambdaMax: e.values[0], eigenResiduals: e.residuals, eigenMethod: e.method, eigenConverged: e.converged, eigenHvps: e.hvps, eigenIterations: e.iterations,
      ...(e.lambdaMin !== undefined ? { lambdaMin: e.lambdaMin, lambdaMinResidual: e.lambdaMinResidual } : {}),
    } : {}),
    ...(c.density ? { density: c.density } : {}),
  };
}

/** Just the session settings of a larger options object. */
export function sessionConfig(o: SessionConfig): SessionConfig {
  return { device: o.device, deviceId: o.deviceId, threads: o.threads, graphOptimizationLevel: o.graphOptimizationLevel };
}
