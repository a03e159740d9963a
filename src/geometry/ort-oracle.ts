// The GeometryOracle on ONNX Runtime: the eval graph for losses, and the gradient and exact-HVP
// graphs of hvp-graph.ts, run batch by batch and averaged with sample weights (as PyHessian's
// dataloader_hv_product does). BatchNorm uses running statistics throughout.
import * as ort from 'onnxruntime-node';
import { TrainingArtifacts } from '../autodiff/artifacts';
import { serializeModel } from '../onnx/io';
import { cloneModel } from '../onnx/ir';
import { Batch, asTensorLike, countCorrect, validateBatch } from '../runtime/batch';
import { SessionConfig, sessionOptions } from '../runtime/execution-providers';
import { GeometryError } from './errors';
import { GradientGraph, HvpGraph, SecondOrderSpec, buildGradientGraph, buildHvpGraph, pruneDeadNodes } from './hvp-graph';
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

interface BatchFeeds {
  readonly feeds: Record<string, ort.Tensor>;
  readonly labels: BigInt64Array;
  readonly samples: number;
}

export class OrtGeometryOracle implements GeometryOracle {
  readonly size: number;
  readonly counts: PassCounts = { forward: 0, gradient: 0, hvp: 0 };
  private batches: BatchFeeds[] = [];
  private bufferFeeds: Record<string, ort.Tensor> = {};
  private readonly offsets: number[];
  private gradientGraph: GradientGraph | undefined;
  private hvpGraph: HvpGraph | undefined;
  private readonly sessions = new Map<'eval' | 'gradient' | 'hvp', Promise<ort.InferenceSession>>();

  constructor(readonly artifacts: TrainingArtifacts, private readonly options: OrtOracleOptions = {}) {
    let offset = 0;
    this.offsets = artifacts.params.map((p) => { const o = offset; offset += p.dims.reduce((a, b) => a * b, 1); return o; });
    this.size = offset;
    if (options.fdStep !== undefined && !(options.fdStep > 0)) throw new GeometryError(`the finite-difference step must be above 0, got ${options.fdStep}`);
    this.setBuffers(artifacts.initialValues);
  }

  get hvpMode(): HvpMode {
    return this.options.hvp ?? 'exact';
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
    this.artifacts.params.forEach((p, i) => {
      const v = values.get(p.name);
      if (!v) throw new GeometryError(`no value for parameter '${p.name}'`);
      w.set(v, this.offsets[i]);
    });
    return w;
  }

  /** Parameter tensors by name as views into `w` (filter normalization works per tensor). */
  views(w: Float32Array): { name: string; dims: readonly number[]; data: Float32Array }[] {
    return this.artifacts.params.map((p, i) => ({ name: p.name, dims: p.dims, data: w.subarray(this.offsets[i], this.offsets[i] + p.dims.reduce((a, b) => a * b, 1)) }));
  }

  /** BatchNorm running statistics to use (names not given keep their values). */
  setBuffers(values: ReadonlyMap<string, Float32Array>): void {
    for (const b of this.artifacts.buffers) {
      const v = values.get(b.name);
      if (v) this.bufferFeeds[b.name] = new ort.Tensor('float32', Float32Array.from(v), [...b.dims]);
      else if (!this.bufferFeeds[b.name]) throw new GeometryError(`no value for the BatchNorm statistic '${b.name}'`);
    }
  }

  /** The batches every later call averages over (their arrays are referenced, not copied). */
  setBatches(batches: readonly Batch[]): void {
    if (batches.length === 0) throw new GeometryError('no data: the geometry needs at least one batch');
    this.batches = batches.map((batch) => {
      const samples = validateBatch(batch, this.artifacts.dataInputs, this.artifacts.numClasses);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(batch.inputs)) { const x = asTensorLike(t, name); feeds[name] = new ort.Tensor('float32', x.data, [...x.dims]); }
      feeds.labels = new ort.Tensor('int64', batch.labels, [batch.labels.length]);
      return { feeds, labels: batch.labels, samples };
    });
  }

  async evaluate(w: Float32Array, batches: readonly number[] = allBatches(this)): Promise<{ loss: number; accuracy: number }> {
    const session = await this.session('eval');
    let loss = 0;
    let correct = 0;
    let total = 0;
    for (const i of batches) {
      const bf = this.batches[i];
      const out = await session.run(this.feeds(bf, w));
      const logits = out[session.outputNames[1]];
      loss += Number(out.loss.data[0]) * bf.samples;
      correct += countCorrect(logits.data as Float32Array, bf.labels, logits.dims[1]);
      total += bf.samples;
      this.counts.forward++;
      dispose(out);
    }
    return { loss: loss / total, accuracy: correct / total };
  }

  async gradient(w: Float32Array, out: Float32Array, batches: readonly number[] = allBatches(this)): Promise<number> {
    const session = await this.session('gradient');
    const names = (this.gradientGraph as GradientGraph).grads;
    const acc = new Float64Array(this.size);
    let loss = 0;
    const total = batches.reduce((s, i) => s + this.batches[i].samples, 0);
    for (const i of batches) {
      const bf = this.batches[i];
      const res = await session.run(this.feeds(bf, w));
      this.accumulate(res, names, acc, bf.samples / total);
      loss += Number(res.loss.data[0]) * bf.samples / total;
      this.counts.gradient++;
      dispose(res);
    }
    out.set(acc);
    return loss;
  }

  async hvp(w: Float32Array, v: Float32Array, out: Float32Array, batches: readonly number[] = allBatches(this)): Promise<void> {
    if (this.hvpMode === 'finite-difference') return finiteDifferenceHvp(this, w, v, out, this.options.fdStep ?? DEFAULT_FD_STEP, batches);
    const session = await this.session('hvp');
    const { vs, hvs } = this.hvpGraph as HvpGraph;
    const vFeeds: Record<string, ort.Tensor> = {};
    this.artifacts.params.forEach((p, k) => { vFeeds[vs[k]] = new ort.Tensor('float32', this.slice(v, k), [...p.dims]); });
    const acc = new Float64Array(this.size);
    const total = batches.reduce((s, i) => s + this.batches[i].samples, 0);
    for (const i of batches) {
      const bf = this.batches[i];
      const res = await session.run({ ...this.feeds(bf, w), ...vFeeds });
      this.accumulate(res, hvs, acc, bf.samples / total);
      this.counts.hvp++;
      dispose(res);
    }
    out.set(acc);
  }

  /** Creates the sessions now (otherwise on first use), so timings exclude compilation. */
  async prepare(kinds: readonly ('eval' | 'gradient' | 'hvp')[] = ['eval', 'gradient', this.hvpMode === 'exact' ? 'hvp' : 'gradient']): Promise<void> {
    for (const k of kinds) await this.session(k, false);
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }

  private slice(w: Float32Array, k: number): Float32Array {
    const p = this.artifacts.params[k];
    return w.subarray(this.offsets[k], this.offsets[k] + p.dims.reduce((a, b) => a * b, 1));
  }

  private feeds(bf: BatchFeeds, w: Float32Array): Record<string, ort.Tensor> {
    const f: Record<string, ort.Tensor> = { ...bf.feeds, ...this.bufferFeeds };
    this.artifacts.params.forEach((p, k) => { f[p.name] = new ort.Tensor('float32', this.slice(w, k), [...p.dims]); });
    return f;
  }

  private accumulate(res: ort.InferenceSession.OnnxValueMapType, names: readonly string[], acc: Float64Array, weight: number): void {
    names.forEach((name, k) => {
      const data = res[name].data as Float32Array;
      const o = this.offsets[k];
      for (let j = 0; j < data.length; j++) acc[o + j] += data[j] * weight;
    });
  }

  private async session(kind: 'eval' | 'gradient' | 'hvp', needBatches = true): Promise<ort.InferenceSession> {
    if (needBatches && this.batches.length === 0) throw new GeometryError('no data: call setBatches before evaluating');
    let s = this.sessions.get(kind);
    if (!s) {
      // Graphs from the eval graph: BatchNorm on running statistics (see buildGeometryGraphs).
      const spec: SecondOrderSpec = { loss: 'loss', params: this.artifacts.params };
      let model = this.artifacts.evalModel;
      if (kind === 'eval') { model = cloneModel(model); pruneDeadNodes(model.graph); }
      if (kind === 'gradient') model = (this.gradientGraph ??= buildGradientGraph(model, spec)).model;
      if (kind === 'hvp') model = (this.hvpGraph ??= buildHvpGraph(model, spec)).model;
      s = ort.InferenceSession.create(serializeModel(model), sessionOptions(this.options));
      this.sessions.set(kind, s);
    }
    return s;
  }
}

function dispose(out: ort.InferenceSession.OnnxValueMapType): void {
  for (const t of Object.values(out)) t.dispose();
}
