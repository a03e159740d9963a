// The one session layer: runs a compiled graph (training, eval, gradient, HVP) described by its
// GraphContract. It feeds the parameters from the flat vector through the parameter layout (each
// a view, no copy), the buffers, the batch and an optional direction; hands the outputs to the
// caller by role; and disposes them after. Every runner of graphs over flat parameters (the
// training pass, the eval session, the session workers, the geometry oracle) goes through here,
// so changing how parameters are fed is one edit.
import * as ort from 'onnxruntime-node';
import { TensorSpec } from '../autodiff/artifacts';
import { GraphContract } from '../autodiff/graph-contract';
import { NamedView } from './parameter-store';

/** What a session needs to know about the graph it runs: its contract and where values live. */
export interface GraphLayout {
  readonly contract: GraphContract;
  /** Parameter views in the flat vector, in contract.params order. */
  readonly params: readonly NamedView[];
  /** BatchNorm buffers, in contract.buffers order. */
  readonly buffers: readonly TensorSpec[];
}

/** A batch as plain arrays: data inputs by name, and the labels. */
export interface BatchArrays {
  readonly data: Readonly<Record<string, { readonly data: Float32Array; readonly dims: readonly number[] }>>;
  readonly labels: BigInt64Array<ArrayBufferLike>;
}

export interface GraphFeeds {
  readonly batch: BatchArrays;
  /** The flat parameter vector (layout order). */
  readonly weights: Float32Array;
  /** BatchNorm running statistics by buffer name. */
  readonly buffers: ReadonlyMap<string, Float32Array>;
  /** A flat direction v in the same layout, for graphs with direction inputs (HVP). */
  readonly direction?: Float32Array;
}

/** Per-parameter output roles. */
export type ParameterOutput = 'grads' | 'hvps';

/** The outputs of one run, by role; valid only inside the `read` callback of GraphSession.run. */
export class GraphOutputs {
  constructor(private readonly out: ort.InferenceSession.OnnxValueMapType, private readonly layout: GraphLayout) {}

  loss(): number {
    return Number(this.out[this.layout.contract.outputs.loss].data[0]);
  }

  /** Each sample's loss [N] (a view of the output). */
  sampleLosses(): Float32Array {
    return this.out[required(this.layout.contract.outputs.sampleLosses, 'sampleLosses')].data as Float32Array;
  }

  /** The class scores [N, classes] (a view of the output: copy what must outlive the callback). */
  logits(): { readonly data: Float32Array; readonly classes: number } {
    const t = this.out[required(this.layout.contract.outputs.logits, 'logits')];
    return { data: t.data as Float32Array, classes: t.dims[1] };
  }

  /** Calls `each` with every parameter's output of `role` and the parameter's place in the flat vector. */
  forEachParameter(role: ParameterOutput, each: (data: Float32Array, view: NamedView) => void): void {
    const names = required(this.layout.contract.outputs[role], role);
    this.layout.params.forEach((v, k) => each(this.out[names[k]].data as Float32Array, v));
  }

  /** Writes every parameter's output of `role` into `flat` at its layout offset. */
  writeFlat(role: ParameterOutput, flat: Float32Array): void {
    this.forEachParameter(role, (data, v) => flat.set(data, v.offset));
  }

  /** The updated running statistics, by buffer name. */
  bufferUpdates(): Map<string, Float32Array> {
    const names = required(this.layout.contract.outputs.bufferUpdates, 'bufferUpdates');
    return new Map(this.layout.buffers.map((b, k) => [b.name, this.out[names[k]].data as Float32Array]));
  }
}

export class GraphSession {
  private constructor(private readonly session: ort.InferenceSession, readonly layout: GraphLayout) {}

  static async create(model: Uint8Array, options: ort.InferenceSession.SessionOptions, layout: GraphLayout): Promise<GraphSession> {
    return new GraphSession(await ort.InferenceSession.create(model, options), layout);
  }

  /** Runs the graph on `feeds`, hands its outputs to `read`, then disposes them. */
  async run<T>(feeds: GraphFeeds, read: (out: GraphOutputs) => T): Promise<T> {
    const out = await this.session.run(this.feeds(feeds));
    try {
      return read(new GraphOutputs(out, this.layout));
    } finally {
      for (const t of Object.values(out)) t.dispose();
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private feeds(f: GraphFeeds): Record<string, ort.Tensor> {
    const c = this.layout.contract;
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of c.data) {
      const t = f.batch.data[name];
      if (!t) throw new Error(`the batch has no data input '${name}'`);
      feeds[name] = new ort.Tensor('float32', t.data, [...t.dims]);
    }
    feeds[c.labels] = new ort.Tensor('int64', f.batch.labels, [f.batch.labels.length]);
    const view = (flat: Float32Array, v: NamedView) => new ort.Tensor('float32', flat.subarray(v.offset, v.offset + v.size), [...v.dims]);
    this.layout.params.forEach((v, k) => { feeds[c.params[k]] = view(f.weights, v); });
    this.layout.buffers.forEach((b, k) => {
      const data = f.buffers.get(b.name);
      if (!data) throw new Error(`no value for the buffer '${b.name}'`);
      feeds[c.buffers[k]] = new ort.Tensor('float32', data, [...b.dims]);
    });
    if (c.directions) {
      const d = required(f.direction, 'direction');
      this.layout.params.forEach((v, k) => { feeds[(c.directions as readonly string[])[k]] = view(d, v); });
    }
    return feeds;
  }
}

function required<T>(value: T | undefined, role: string): T {
  if (value === undefined) throw new Error(`the graph's contract has no ${role}`);
  return value;
}
