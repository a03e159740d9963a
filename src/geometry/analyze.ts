// analyzeGeometry: the paper's Table 3 figures (‖g‖, Tr(H), C(w) = Tr(H)/‖g‖, λ_max, accuracy)
// and optionally the approximation ratio of one-step ascent, for any model crsam can train.
// Everything is computed with BatchNorm on running statistics (see buildGeometryGraphs).
import { Batch } from '../runtime/batch';
import { SessionConfig } from '../runtime/execution-providers';
import { AscentOptions, AscentResult, approximationRatio } from './ascent';
import { EigenOptions, topEigenvalues } from './eigen';
import { GeometryError } from './errors';
import { gradientNorms } from './gradient-norm';
import { HvpMode, OrtGeometryOracle } from './ort-oracle';
import { GeometryModel, resolveGeometryModel } from './sources';
import { TraceOptions, hutchinsonTrace } from './trace';

export type GeometryPhase = 'evaluate' | 'gradient' | 'trace' | 'eigenvalues' | 'ascent';

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
  /** The model: an .onnx file, a `crsam train` run folder, a Model, or a Trainer (its current weights). Required. */
  readonly model: GeometryModel;
  /** The data the figures are computed on (copied by the caller if its arrays are reused). Required. */
  readonly batches: Iterable<Batch>;
  /** Hutchinson trace, with PyHessian's defaults (maxIter 100, tol 1e-3); false skips it (and C(w)). Default: true. */
  readonly trace?: boolean | Pick<TraceOptions, 'maxIter' | 'tol' | 'probe'>;
  /** How many top eigenvalues (power iteration with deflation); 0 skips them. Default: 1. */
  readonly eigenvalues?: number;
  /** Power-iteration settings. Default: maxIter 100, tol 1e-3 (PyHessian). */
  readonly eigen?: Pick<EigenOptions, 'maxIter' | 'tol' | 'start'>;
  /** Approximation ratio of one-step vs 20-step ascent (SPEC §2); true uses its defaults (ρ 0.1, 20 steps). Default: false. */
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
  /** Hutchinson Tr(H) estimate; absent when skipped. */
  readonly trace?: number;
  /** vᵀHv per probe. */
  readonly traceSamples?: readonly number[];
  readonly traceConverged?: boolean;
  /** C(w) = Tr(H) / ‖g‖ (eq. 4), with ‖g‖ = `gradNorm`. */
  readonly normalizedTrace?: number;
  /** Top eigenvalues, largest magnitude first; `lambdaMax` is the first. */
  readonly eigenvalues?: readonly number[];
  readonly lambdaMax?: number;
  readonly eigenIterations?: readonly number[];
  readonly approximationRatio?: AscentResult;
  readonly settings: {
    readonly hvp: HvpMode;
    readonly batchNorm: 'running-statistics';
    readonly seed: number;
    readonly traceMaxIter: number;
    readonly traceTol: number;
    readonly eigenMaxIter: number;
    readonly eigenTol: number;
  };
  /** What the analysis cost: passes over single batches, and seconds per phase. */
  readonly cost: {
    readonly forwardPasses: number;
    readonly gradientPasses: number;
    readonly hvpPasses: number;
    readonly seconds: Readonly<Record<'setup' | 'gradient' | 'trace' | 'eigenvalues' | 'ascent' | 'total', number>>;
  };
}

/** Computes the geometry figures of a model on the given batches. */
export async function analyzeGeometry(options: AnalyzeGeometryOptions): Promise<GeometryReport> {
  const start = Date.now();
  const resolved = resolveGeometryModel(options.model);
  const batches = [...options.batches];
  const seed = options.seed ?? 0;
  const traceOpts = options.trace === false ? undefined : options.trace === true || options.trace === undefined ? {} : options.trace;
  const topK = options.eigenvalues ?? 1;
  if (!(Number.isInteger(topK) && topK >= 0)) throw new GeometryError(`the number of eigenvalues must be a whole number ≥ 0, got ${topK}`);
  const arOpts = options.approximationRatio === true ? {} : options.approximationRatio || undefined;
  const oracle = new OrtGeometryOracle(resolved.artifacts, { ...sessionConfig(options), hvp: options.hvp, fdStep: options.fdStep });
  const progress = options.onProgress ?? (() => undefined);
  const seconds = { setup: 0, gradient: 0, trace: 0, eigenvalues: 0, ascent: 0, total: 0 };
  const lap = (() => { let t = Date.now(); return () => { const now = Date.now(); const s = (now - t) / 1000; t = now; return s; }; })();
  try {
    oracle.setBuffers(resolved.buffers);
    oracle.setBatches(batches);
    const w = oracle.flatten(resolved.params);
    await oracle.prepare(['eval', 'gradient', ...(traceOpts || topK > 0 ? [oracle.hvpMode === 'exact' ? 'hvp' as const : 'gradient' as const] : [])]);
    seconds.setup = lap();
    progress({ phase: 'evaluate', done: 0, total: 1 });
    const ev = await oracle.evaluate(w);
    progress({ phase: 'gradient', done: 0, total: batches.length });
    const gn = await gradientNorms(oracle, w);
    progress({ phase: 'gradient', done: batches.length, total: batches.length });
    seconds.gradient = lap();
    let trace;
    if (traceOpts) {
      const maxIter = traceOpts.maxIter ?? 100;
      trace = await hutchinsonTrace(oracle, w, { ...traceOpts, seed, onIteration: (i, estimate) => progress({ phase: 'trace', done: i + 1, total: maxIter, estimate }) });
      seconds.trace = lap();
    }
    let eigen;
    if (topK > 0) {
      const maxIter = options.eigen?.maxIter ?? 100;
      eigen = await topEigenvalues(oracle, w, { ...options.eigen, topK, seed, onIteration: (k, i, estimate) => progress({ phase: 'eigenvalues', done: k * maxIter + i + 1, total: topK * maxIter, estimate }) });
      seconds.eigenvalues = lap();
    }
    let ar: AscentResult | undefined;
    if (arOpts) {
      const ascentBatches = options.ascentBatches ? [...options.ascentBatches] : undefined;
      if (ascentBatches) oracle.setBatches(ascentBatches);
      ar = await approximationRatio(oracle, w, { ...arOpts, onBatch: (done, total) => progress({ phase: 'ascent', done, total }) });
      seconds.ascent = lap();
    }
    seconds.total = (Date.now() - start) / 1000;
    return {
      model: resolved.label, parameters: oracle.size, samples: batches.reduce((s, b) => s + b.labels.length, 0), batches: batches.length,
      loss: ev.loss, accuracy: ev.accuracy, gradNorm: gn.mean, gradNormFullBatch: gn.fullBatch,
      ...(trace ? { trace: trace.trace, traceSamples: trace.samples, traceConverged: trace.converged, normalizedTrace: trace.trace / gn.mean } : {}),
      ...(eigen ? { eigenvalues: eigen.eigenvalues, lambdaMax: eigen.eigenvalues[0], eigenIterations: eigen.iterations } : {}),
      ...(ar ? { approximationRatio: ar } : {}),
      settings: {
        hvp: oracle.hvpMode, batchNorm: 'running-statistics', seed,
        traceMaxIter: traceOpts?.maxIter ?? 100, traceTol: traceOpts?.tol ?? 1e-3, eigenMaxIter: options.eigen?.maxIter ?? 100, eigenTol: options.eigen?.tol ?? 1e-3,
      },
      cost: { forwardPasses: oracle.counts.forward, gradientPasses: oracle.counts.gradient, hvpPasses: oracle.counts.hvp, seconds },
    };
  } finally {
    await oracle.close();
  }
}

/** Just the session settings of a larger options object. */
export function sessionConfig(o: SessionConfig): SessionConfig {
  return { device: o.device, deviceId: o.deviceId, threads: o.threads, graphOptimizationLevel: o.graphOptimizationLevel };
}
