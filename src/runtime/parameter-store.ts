// All trainable parameters in one contiguous Float32Array with a named view per tensor (what ONNX
// Runtime's training API called getContiguousParameters / loadParametersBuffer); BatchNorm
// buffers are kept apart, since no optimizer touches them.
import { TensorSpec } from '../autodiff/artifacts';
import { OptionError } from '../core/option-error';
import type { GraphContract } from '../autodiff/graph-contract';
import type { GraphLayout } from './graph-session';
import { tensorSize } from '../onnx/ir';

export interface NamedView {
  readonly name: string;
  readonly dims: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** Where each parameter lives in the flat vector: consecutive, in `params` order. */
export function parameterLayout(params: readonly TensorSpec[]): NamedView[] {
  let offset = 0;
  return params.map((p) => {
    const size = tensorSize(p.dims);
    const v = { name: p.name, dims: [...p.dims], offset, size };
    offset += size;
    return v;
  });
}

/** Length of the flat vector of a layout. */
export function layoutSize(layout: readonly NamedView[]): number {
  const last = layout[layout.length - 1];
  return last ? last.offset + last.size : 0;
}

export class ParameterStore {
  /** The flat parameter vector; optimizers update it in place. */
  readonly flat: Float32Array;
  readonly views: readonly NamedView[];
  readonly buffers: Map<string, Float32Array>;
  readonly bufferSpecs: readonly TensorSpec[];

  constructor(params: readonly TensorSpec[], buffers: readonly TensorSpec[], initial: ReadonlyMap<string, Float32Array>, allocate: (n: number) => Float32Array = (n) => new Float32Array(n)) {
    this.views = parameterLayout(params);
    this.flat = allocate(layoutSize(this.views));
    for (const v of this.views) {
      const init = initial.get(v.name);
      if (init) this.flat.set(init, v.offset);
    }
    this.bufferSpecs = buffers;
    this.buffers = new Map(buffers.map((b) => [b.name, Float32Array.from(initial.get(b.name) ?? new Float32Array(tensorSize(b.dims)))]));
  }

  /** Where a graph with `contract` finds this store's parameters and buffers. */
  layout(contract: GraphContract): GraphLayout {
    return { contract, params: this.views, buffers: this.bufferSpecs };
  }

  get size(): number {
    return this.flat.length;
  }

  /** Named views into `flat` (no copies): writing into them changes the parameters. */
  named(vector: Float32Array = this.flat): Map<string, Float32Array> {
    return new Map(this.views.map((v) => [v.name, vector.subarray(v.offset, v.offset + v.size)]));
  }

  /** Copies named values in; every name must be known and sized right. Unnamed parameters keep their values. */
  load(values: ReadonlyMap<string, Float32Array> | Record<string, Float32Array>): void {
    const entries = values instanceof Map ? [...values] : Object.entries(values);
    for (const [name, data] of entries) {
      const v = this.views.find((x) => x.name === name);
      if (v) {
        if (data.length !== v.size) throw new OptionError(`parameter '${name}' has ${v.size} values; got ${data.length}`);
        this.flat.set(data, v.offset);
        continue;
      }
      const b = this.buffers.get(name);
      if (!b) throw new OptionError(`the model has no parameter or buffer named '${name}'`);
      if (data.length !== b.length) throw new OptionError(`buffer '${name}' has ${b.length} values; got ${data.length}`);
      b.set(data);
    }
  }
}
