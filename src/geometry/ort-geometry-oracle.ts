// The GeometryOracle on ONNX Runtime: the eval graph for losses, and the gradient and exact-HVP
// graphs of hvp-graph.ts (each with its contract), run through the runtime's session layer
// (graph-session.ts) batch by batch and averaged with sample weights (as PyHessian's
// dataloader_hv_product does). BatchNorm uses running statistics throughout.
import { TrainingArtifacts } from '../autodiff/artifacts';
import { serializeModel } from '../onnx/io';
import { Batch, countCorrect, validateBatch } from '../runtime/batch';
import { batchArrays } from '../runtime/eval-session';
import { SessionConfig, sessionOptions } from '../runtime/execution-providers';
import { BatchArrays, GraphFeeds, GraphOutputs, GraphSession, ParameterOutput } from '../runtime/graph-session';
import { NamedView, layoutSize, parameterLayout } from '../runtime/parameter-store';
import { GeometryError } from './errors';
import { ANALYZE_OPTIONS } from './geometry-options';
import { GeometryGraphKind, buildContractGraph } from './hvp-graph';
import { DEFAULT_FD_STEP, GeometryOracle, allBatches, finiteDifferenceHvp } from './oracle';

export type HvpMode = 'exact' | 'finite-difference';

export interface OrtOracleOptions extends SessionConfig {
  /** How Hessian-vector products are computed. Default: 'exact' (reverse-over-reverse graph). */
  readonly hvp?: HvpMode;
  /** Length of the perturbation εv of the finite-difference HVP, in weight units. Default: 1e-2. */
  readonly fdStep?: number;
}

/** Passes run so far, per batch, by graph (for cost reports). */
export interface PassCounts {
  forward: number;
  gradient: number;
  hvp: number;
}

interface OracleBatch {
  readonly arrays: BatchArrays;
  readonly samples: number;
}

export class OrtGeometryOracle implements GeometryOracle {
  readonly size: number;
  readonly counts: PassCounts = { forward: 0, gradient: 0, hvp: 0 };
  private batches: OracleBatch[] = [];
  private readonly buffers = new Map<string, Float32Array>();
  private readonly layout: readonly NamedView[];
  private readonly sessions = new Map<GeometryGraphKind, Promise<GraphSession>>();

  constructor(readonly artifacts: TrainingArtifacts, private readonly options: OrtOracleOptions = {}) {
    this.layout = parameterLayout(artifacts.params);
    this.size = layoutSize(this.layout);
    if (options.fdStep !== undefined && !(options.fdStep > 0)) throw new GeometryError(`the finite-difference step must be above 0, got ${options.fdStep}`);
    this.setBuffers(artifacts.initialValues);
  }

  get hvpMode(): HvpMode {
    return this.options.hvp ?? ANALYZE_OPTIONS.hvp.default;
  }

  get batchCount(): number {
    return this.batches.length;
  }

  batchSamples(i: number): number {
    return this.batches[i].samples;
  }

  /** The initial parameter values of the model, as one flat vector in oracle order. */
  initialWeights(): Float32Array {
    return this.flatten(this.artifacts.initialValues);
  }

  /** Named parameter values (any map holding every parameter) as one flat vector in oracle order. */
  flatten(values: ReadonlyMap<string, Float32Array>): Float32Array {
    const w = new Float32Array(this.size);
    for (const v of this.layout) {
      const data = values.get(v.name);
      if (!data) throw new GeometryError(`no value for parameter '${v.name}'`);
      w.set(data, v.offset);
    }
    return w;
  }

  /** Parameter tensors by name as views into `w` (filter normalization works per tensor). */
  views(w: Float32Array): { name: string; dims: readonly number[]; data: Float32Array }[] {
    return this.layout.map((v) => ({ name: v.name, dims: v.dims, data: w.subarray(v.offset, v.offset + v.size) }));
  }

  /** BatchNorm running statistics to use (names not given keep their values). */
  setBuffers(values: ReadonlyMap<string, Float32Array>): void {
    for (const b of this.artifacts.buffers) {
      const v = values.get(b.name);
      if (v) this.buffers.set(b.name, Float32Array.from(v));
      else if (!this.buffers.has(b.name)) throw new GeometryError(`no value for the BatchNorm statistic '${b.name}'`);
    }
  }

  /** The batches every later call averages over (their arrays are referenced, not copied). */
  setBatches(batches: readonly Batch[]): void {
    if (batches.length === 0) throw new GeometryError('no data: the geometry needs at least one batch');
    this.batches = batches.map((batch) => ({ samples: validateBatch(batch, this.artifacts.dataInputs, this.artifacts.numClasses), arrays: batchArrays(batch) }));
  }

  async evaluate(w: Float32Array, batches: readonly number[] = allBatches(this)): Promise<{ loss: number; accuracy: number }> {
    const session = await this.session('eval');
    let loss = 0;
    let correct = 0;
    let total = 0;
    for (const i of batches) {
      const b = this.batches[i];
      await session.run(this.feeds(b, w), (out) => {
        const logits = out.logits();
        loss += out.loss() * b.samples;
        correct += countCorrect(logits.data, b.arrays.labels, logits.classes);
      });
      total += b.samples;
      this.counts.forward++;
    }
    return { loss: loss / total, accuracy: correct / total };
  }

  async gradient(w: Float32Array, out: Float32Array, batches: readonly number[] = allBatches(this)): Promise<number> {
    const session = await this.session('gradient');
    const acc = new Float64Array(this.size);
    let loss = 0;
    const total = batches.reduce((s, i) => s + this.batches[i].samples, 0);
    for (const i of batches) {
      const b = this.batches[i];
      loss += await session.run(this.feeds(b, w), (res) => {
        accumulate(res, 'grads', acc, b.samples / total);
        return res.loss() * b.samples / total;
      });
      this.counts.gradient++;
    }
    out.set(acc);
    return loss;
  }

  async hvp(w: Float32Array, v: Float32Array, out: Float32Array, batches: readonly number[] = allBatches(this)): Promise<void> {
    if (this.hvpMode === 'finite-difference') return finiteDifferenceHvp(this, w, v, out, this.options.fdStep ?? DEFAULT_FD_STEP, batches);
    const session = await this.session('hvp');
    const acc = new Float64Array(this.size);
    const total = batches.reduce((s, i) => s + this.batches[i].samples, 0);
    for (const i of batches) {
      const b = this.batches[i];
      await session.run({ ...this.feeds(b, w), direction: v }, (res) => accumulate(res, 'hvps', acc, b.samples / total));
      this.counts.hvp++;
    }
    out.set(acc);
  }

  /** Creates the sessions now (otherwise on first use), so timings exclude compilation. */
  async prepare(kinds: readonly GeometryGraphKind[] = ['eval', 'gradient', this.hvpMode === 'exact' ? 'hvp' : 'gradient']): Promise<void> {
    for (const k of kinds) await this.session(k, false);
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }

  private feeds(b: OracleBatch, w: Float32Array): GraphFeeds {
    return { batch: b.arrays, weights: w, buffers: this.buffers };
  }

  private async session(kind: GeometryGraphKind, needBatches = true): Promise<GraphSession> {
    if (needBatches && this.batches.length === 0) throw new GeometryError('no data: call setBatches before evaluating');
    let s = this.sessions.get(kind);
    if (!s) {
      // Graphs from the eval graph: BatchNorm on running statistics (see buildGeometryGraphs).
      const { model, contract } = buildContractGraph(this.artifacts, kind);
      s = GraphSession.create(serializeModel(model), sessionOptions(this.options), { contract, params: this.layout, buffers: this.artifacts.buffers });
      this.sessions.set(kind, s);
    }
    return s;
  }
}

/** Adds weight × each parameter's output of `role` into the float64 accumulator. */
function accumulate(res: GraphOutputs, role: ParameterOutput, acc: Float64Array, weight: number): void {
  res.forEachParameter(role, (data, v) => {
    for (let j = 0; j < data.length; j++) acc[v.offset + j] += data[j] * weight;
  });
}
