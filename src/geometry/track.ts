// Geometry during training (`crsam train --track-geometry N`, Fig. 1–2): every N epochs the loop
// hands the trainer and a few fixed batches to a tracker, which returns ‖g‖, Tr(H), λ_max and
// C(w) at the trainer's current weights. The tracker keeps its ONNX Runtime sessions between
// calls, and uses the same probes every time, so epoch-to-epoch changes are not probe noise.
import { Batch } from '../runtime/batch';
import { SessionConfig } from '../runtime/execution-providers';
import { Trainer } from '../train/trainer';
import { sessionConfig } from './analyze';
import { topEigenvalues } from './eigen';
import { gradientNorms } from './gradient-norm';
import { HvpMode, OrtGeometryOracle } from './ort-oracle';
import { hutchinsonTrace } from './trace';

export interface TrackGeometryOptions extends SessionConfig {
  /** Most Hutchinson probes per measurement. Default: 100 (PyHessian). */
  readonly traceMaxIter?: number;
  /** Relative tolerance of the trace. Default: 1e-3 (PyHessian). */
  readonly traceTol?: number;
  /** Most power iterations for λ_max. Default: 100 (PyHessian). */
  readonly eigenMaxIter?: number;
  /** Relative tolerance of λ_max. Default: 1e-3 (PyHessian). */
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
  /** Hutchinson Tr(H). */
  readonly trace: number;
  /** Top Hessian eigenvalue (largest magnitude). */
  readonly lambdaMax: number;
  /** C(w) = Tr(H) / gradNorm. */
  readonly cw: number;
  /** Mean loss and accuracy on the batches. */
  readonly loss: number;
  readonly accuracy: number;
  readonly samples: number;
  /** Hessian-vector products spent on the trace and on λ_max. */
  readonly traceIterations: number;
  readonly eigenIterations: number;
  /** Wall time of the measurement. */
  readonly seconds: number;
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
    const trace = await hutchinsonTrace(this.oracle, w, { maxIter: o.traceMaxIter, tol: o.traceTol, seed: o.seed });
    const eigen = await topEigenvalues(this.oracle, w, { maxIter: o.eigenMaxIter, tol: o.eigenTol, seed: o.seed });
    return {
      gradNorm: gn.mean, gradNormFullBatch: gn.fullBatch, trace: trace.trace, lambdaMax: eigen.eigenvalues[0], cw: trace.trace / gn.mean,
      loss: ev.loss, accuracy: ev.accuracy, samples: list.reduce((s, b) => s + b.labels.length, 0),
      traceIterations: trace.samples.length, eigenIterations: eigen.iterations[0], seconds: (Date.now() - t0) / 1000,
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
