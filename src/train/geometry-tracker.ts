// Geometry during training (`crsam train --track-geometry N`, Fig. 1–2): every N epochs the loop
// hands the trainer and a few fixed batches to a tracker, which returns ‖g‖, Tr(H), λ_max, λ_min
// and C(w) at the trainer's current weights, each with its error bar or residual. The tracker keeps its ONNX Runtime sessions between
// calls, and uses the same probes every time, so epoch-to-epoch changes are not probe noise.
import { Batch } from '../runtime/batch';
import { SessionConfig } from '../runtime/execution-providers';
import { sessionConfig } from '../geometry/analyze';
import { CurvatureEigenOptions, CurvatureTraceOptions, measureCurvature } from '../geometry/curvature';
import { gradientNorms } from '../geometry/gradient-norm';
import { HvpMode, OrtGeometryOracle } from '../geometry/ort-geometry-oracle';
import { TraceMethod } from '../geometry/trace';
import { Trainer } from './trainer';

export interface TrackGeometryOptions extends SessionConfig {
  /** Most HVPs of the trace per measurement. Default: 100. */
  readonly traceMaxIter?: number;
  /** Relative standard error that stops the trace. Default: 0.02. */
  readonly traceRelTol?: number;
  /** Trace estimator. Default: the analyze default (Hutch++, see curvature.ts). */
  readonly traceMethod?: TraceMethod;
  /** Most Lanczos steps for λ_max and λ_min. Default: 80. */
  readonly eigenMaxIter?: number;
  /** Relative residual that counts λ as converged. Default: 1e-3. */
  readonly eigenTol?: number;
  /** Exact or finite-difference Hessian-vector products. Default: 'exact'. */
  readonly hvp?: HvpMode;
  /** Seed of the probes and start vector (the same at every measurement). Default: 0. */
  readonly seed?: number;
}

/** The geometry at one point of training (BatchNorm on running statistics). */
export interface GeometrySnapshot {
  /** Mean of per-batch gradient norms. */
  readonly gradNorm: number;
  readonly gradNormFullBatch: number;
  /** Tr(H) estimate, its standard error and 95 % interval. */
  readonly trace: number;
  readonly traceStandardError: number;
  readonly traceInterval: readonly [number, number];
  readonly traceConverged: boolean;
  /** Top algebraic Hessian eigenvalue and its residual ‖Hy − λy‖ (Lanczos). */
  readonly lambdaMax: number;
  readonly lambdaMaxResidual: number;
  /** Bottom eigenvalue and its residual. */
  readonly lambdaMin: number;
  readonly lambdaMinResidual: number;
  readonly eigenConverged: boolean;
  /** C(w) = Tr(H) / gradNorm, and its standard error. */
  readonly cw: number;
  readonly cwStandardError: number;
  /** Mean loss and accuracy on the batches. */
  readonly loss: number;
  readonly accuracy: number;
  readonly samples: number;
  /** Hessian-vector products spent on the trace and on the eigenvalues. */
  readonly traceIterations: number;
  readonly eigenIterations: number;
  /** Wall time of the measurement. */
  readonly seconds: number;
}

/**
 * A snapshot as the numeric metrics columns of an epoch record (the same keys every epoch: NaN
 * where the geometry was not measured). Booleans are 1/0. The *Se, *Low/*High and *Residual
 * columns are the error bars a plot draws.
 */
export function geometryMetrics(g?: GeometrySnapshot): Record<string, number> {
  const m = (f: (s: GeometrySnapshot) => number) => (g ? f(g) : NaN);
  return {
    gradNorm: m((s) => s.gradNorm), hessianTrace: m((s) => s.trace), hessianTraceSe: m((s) => s.traceStandardError),
    hessianTraceLow: m((s) => s.traceInterval[0]), hessianTraceHigh: m((s) => s.traceInterval[1]), hessianTraceConverged: m((s) => Number(s.traceConverged)),
    lambdaMax: m((s) => s.lambdaMax), lambdaMaxResidual: m((s) => s.lambdaMaxResidual), lambdaMin: m((s) => s.lambdaMin), lambdaMinResidual: m((s) => s.lambdaMinResidual),
    eigenConverged: m((s) => Number(s.eigenConverged)), normalizedTrace: m((s) => s.cw), normalizedTraceSe: m((s) => s.cwStandardError),
    traceHvps: m((s) => s.traceIterations), eigenHvps: m((s) => s.eigenIterations), geometrySeconds: m((s) => s.seconds),
  };
}

export class GeometryTracker {
  private constructor(private readonly trainer: Trainer, private readonly oracle: OrtGeometryOracle, private readonly options: TrackGeometryOptions) {}

  /** A tracker for `trainer` (sessions are built on the first measurement). */
  static create(trainer: Trainer, options: TrackGeometryOptions = {}): GeometryTracker {
    return new GeometryTracker(trainer, new OrtGeometryOracle(trainer.artifacts, { ...sessionConfig(options), hvp: options.hvp }), options);
  }

  /** Measures at the trainer's current parameters and running statistics, on `batches`. */
  async measure(batches: Iterable<Batch>): Promise<GeometrySnapshot> {
    const t0 = Date.now();
    const o = this.options;
    const list = [...batches];
    this.oracle.setBatches(list);
    this.oracle.setBuffers(this.trainer.buffers());
    const w = this.oracle.flatten(this.trainer.parameters());
    const ev = await this.oracle.evaluate(w);
    const gn = await gradientNorms(this.oracle, w);
    const trace: CurvatureTraceOptions = { method: o.traceMethod, maxIter: o.traceMaxIter, relTol: o.traceRelTol };
    const eigen: CurvatureEigenOptions = { method: 'lanczos', maxIter: o.eigenMaxIter, tol: o.eigenTol };
    const c = await measureCurvature(this.oracle, w, gn.mean, { trace, eigenvalues: 1, eigen, seed: o.seed });
    const t = c.trace;
    const n = c.normalizedTrace;
    const e = c.eigen;
    if (!t || !n || !e) throw new Error('measureCurvature skipped a figure it was asked for');
    return {
      gradNorm: gn.mean, gradNormFullBatch: gn.fullBatch,
      trace: t.trace, traceStandardError: t.standardError, traceInterval: t.interval, traceConverged: t.converged,
      lambdaMax: e.values[0], lambdaMaxResidual: e.residuals[0], lambdaMin: e.lambdaMin ?? NaN, lambdaMinResidual: e.lambdaMinResidual ?? NaN, eigenConverged: e.converged,
      cw: n.value, cwStandardError: n.standardError,
      loss: ev.loss, accuracy: ev.accuracy, samples: list.reduce((s, b) => s + b.labels.length, 0),
      traceIterations: t.hvps, eigenIterations: e.hvps, seconds: (Date.now() - t0) / 1000,
    };
  }

  async close(): Promise<void> {
    await this.oracle.close();
  }
}

/** One measurement without keeping a tracker (builds and releases its sessions). */
export async function measureGeometry(trainer: Trainer, batches: Iterable<Batch>, options: TrackGeometryOptions = {}): Promise<GeometrySnapshot> {
  const tracker = GeometryTracker.create(trainer, options);
  try {
    return await tracker.measure(batches);
  } finally {
    await tracker.close();
  }
}

/** One line for the training log from an epoch's geometry metrics; undefined when not measured. */
export function formatGeometryMetrics(m: Readonly<Record<string, number>> | undefined): string | undefined {
  if (!m || !Number.isFinite(m.hessianTrace)) return undefined;
  const p = (v: number, d = 4) => (Number.isFinite(v) ? String(Number(v.toPrecision(d))) : String(v));
  const star = (ok: number) => (ok === 1 ? '' : ' (not converged)');
  return `geometry: ‖g‖ ${p(m.gradNorm)}, Tr(H) ${p(m.hessianTrace)} ± ${p(m.hessianTraceSe, 2)}${star(m.hessianTraceConverged)}, `
    + `λ_max ${p(m.lambdaMax)} (residual ${p(m.lambdaMaxResidual, 2)}), λ_min ${p(m.lambdaMin)} (residual ${p(m.lambdaMinResidual, 2)})${star(m.eigenConverged)}, `
    + `C(w) ${p(m.normalizedTrace)} ± ${p(m.normalizedTraceSe, 2)}; ${m.traceHvps + m.eigenHvps} HVPs, ${p(m.geometrySeconds, 3)} s`;
}
