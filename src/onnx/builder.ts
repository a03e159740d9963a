// A small graph builder: emits nodes with unique names, infers each new value's type and shape
// as it goes, and hides the opset differences of the ops our passes emit. Graphs are opset 13 or newer
// (MIN_OPSET): reduction axes are an input from opset 18 on, except ReduceSum's, an input from 13.
import { attr } from './attr';
import { DataType } from './dtype';
import { Attribute, Dim, Graph, Node, Shape, Tensor } from './ir';
import { Facts, ShapeInferenceError, ValueFact, inferNode } from './shape-inference';

/** An attribute for a new node: typed with attr.int/float/ints/… (onnx/attr.ts); strings and tensors need no tag. */
export type AttrValue = Attribute | string | readonly string[] | Tensor;

export class GraphBuilder {
  private counter = 0;
  private readonly used = new Set<string>();

  constructor(
    readonly graph: Graph,
    readonly opset: number,
    readonly facts: Facts,
    /** Prefix of generated names, so they never collide with the model's own. */
    private readonly prefix = '',
  ) {
    for (const n of graph.nodes) { this.used.add(n.name); n.outputs.forEach((o) => this.used.add(o)); }
    for (const v of graph.inputs) this.used.add(v.name);
    for (const k of graph.initializers.keys()) this.used.add(k);
  }

  /** A fresh value or node name based on `hint`. */
  fresh(hint: string): string {
    let name = `${this.prefix}${hint}`;
    while (this.used.has(name)) name = `${this.prefix}${hint}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  fact(name: string): ValueFact {
    const f = this.facts.get(name);
    if (!f) throw new Error(`internal: no type known for value '${name}'`);
    return f;
  }

  shape(name: string): Shape | undefined {
    return this.fact(name).shape;
  }

  rank(name: string): number {
    const s = this.shape(name);
    // Rules that need a rank say so to the user: the exporter left it out, the user can put it back.
    if (!s) throw new ShapeInferenceError(`the rank of value '${name}' is unknown, and differentiating it needs it; export with static input shapes or keep the exporter's value_info`);
    return s.length;
  }

  /** Emits a node and returns its output names. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue | undefined> = {}, options: { outputs?: number; name?: string; hint?: string; outputNames?: string[] } = {}): string[] {
    const hint = options.hint ?? opType;
    const outputs = options.outputNames ?? Array.from({ length: options.outputs ?? 1 }, () => this.fresh(hint));
    for (const o of options.outputNames ?? []) this.used.add(o);
    const node: Node = {
      opType,
      domain: '',
      name: this.fresh(options.name ?? `${hint}_node`),
      inputs: [...inputs],
      outputs,
      attributes: toAttributes(attrs),
    };
    this.graph.nodes.push(node);
    const facts = inferNode(node, this.opset, this.facts);
    outputs.forEach((o, i) => { const f = facts[i]; if (f && o) this.facts.set(o, f); });
    return outputs;
  }

  /** Emits a single-output node. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue | undefined> = {}, hint?: string): string {
    return this.node(opType, inputs, attrs, { hint })[0];
  }

  /** Adds an initializer holding `data` and returns its name. */
  initializer(hint: string, dtype: DataType, dims: readonly number[], data: Tensor['data']): string {
    const name = this.fresh(hint);
    const t: Tensor = { name, dtype, dims: [...dims], data };
    this.graph.initializers.set(name, t);
    const small = data.length <= 64;
    this.facts.set(name, {
      dtype, shape: dims,
      value: small && data instanceof BigInt64Array ? Array.from(data, Number) : undefined,
      floatValue: small && (data instanceof Float32Array || data instanceof Float64Array) ? Array.from(data) : undefined,
    });
    return name;
  }

  /** An int64 1-D constant (axes, shapes, pads), deduplicated by content. */
  ints(values: readonly number[], hint = 'const'): string {
    const key = `i64:${values.join(',')}`;
    const cached = this.constCache.get(key);
    if (cached) return cached;
    const name = this.initializer(hint, DataType.INT64, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
    this.constCache.set(key, name);
    return name;
  }

  /** A scalar of the given float type (rank 0), deduplicated by content. */
  scalar(value: number, dtype: DataType = DataType.FLOAT, hint = 'scalar'): string {
    const key = `${dtype}:${value}`;
    const cached = this.constCache.get(key);
    if (cached) return cached;
    const data = dtype === DataType.DOUBLE ? Float64Array.of(value) : dtype === DataType.INT64 ? BigInt64Array.of(BigInt(value)) : Float32Array.of(value);
    const name = this.initializer(hint, dtype, [], data);
    this.constCache.set(key, name);
    return name;
  }

  private readonly constCache = new Map<string, string>();

  // ---- helpers for ops whose signature changed across opsets ----

  reduce(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceSumSquare' | 'ReduceProd', x: string, axes: readonly number[], keepdims: boolean, hint?: string): string {
    if (axes.length === 0) return this.op('Identity', [x]);
    const keep = attr.int(keepdims ? 1 : 0);
    if (op === 'ReduceSum' || this.opset >= 18) return this.op(op, [x, this.ints(axes)], { keepdims: keep }, hint);
    return this.op(op, [x], { axes: attr.ints(axes), keepdims: keep }, hint);
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.ints(axes)]);
  }

  squeeze(x: string, axes: readonly number[]): string {
    return this.op('Squeeze', [x, this.ints(axes)]);
  }

  reshape(x: string, shape: readonly number[] | string): string {
    return this.op('Reshape', [x, typeof shape === 'string' ? shape : this.ints(shape)]);
  }

  /** Reshapes x to the runtime shape of `like` (works with symbolic dims). */
  reshapeLike(x: string, like: string): string {
    const target = this.shape(like);
    if (target && target.every((d) => typeof d === 'number')) return this.reshape(x, target as number[]);
    return this.op('Reshape', [x, this.op('Shape', [like])]);
  }

  transpose(x: string, perm: readonly number[]): string {
    if (perm.every((p, i) => p === i)) return x;
    return this.op('Transpose', [x], { perm: attr.ints(perm) });
  }

  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): string {
    const ins = [x, this.ints(starts), this.ints(ends), this.ints(axes)];
    if (steps) ins.push(this.ints(steps));
    return this.op('Slice', ins);
  }

  pad(x: string, pads: readonly number[]): string {
    if (pads.every((p) => p === 0)) return x;
    return this.op('Pad', [x, this.ints(pads)]);
  }

  /** A tensor of zeros with the runtime shape of `like`. */
  zerosLike(like: string): string {
    const f = this.fact(like);
    const value: Tensor = { name: 'value', dtype: f.dtype, dims: [1], data: f.dtype === DataType.DOUBLE ? new Float64Array(1) : new Float32Array(1) };
    const shape = f.shape && f.shape.every((d) => typeof d === 'number') ? this.ints(f.shape as number[]) : this.op('Shape', [like]);
    return this.op('ConstantOfShape', [shape], { value });
  }

  /** Returns a scalar constant with the element type of `like`. */
  scalarLike(value: number, like: string): string {
    return this.scalar(value, this.fact(like).dtype);
  }
}

function toAttributes(attrs: Record<string, AttrValue | undefined>): Map<string, Attribute> {
  const out = new Map<string, Attribute>();
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (typeof v === 'string') out.set(k, { type: 'string', value: v });
    else if (isStringList(v)) out.set(k, { type: 'strings', value: [...v] });
    else if ('dtype' in v) out.set(k, { type: 'tensor', value: v });
    else out.set(k, v);
  }
  return out;
}

function isStringList(v: AttrValue): v is readonly string[] {
  return Array.isArray(v);
}

/** Static shapes as numbers, or undefined when any dim is symbolic/unknown. */
export function staticShape(shape: Shape | undefined): number[] | undefined {
  return shape && shape.every((d): d is number => typeof d === 'number') ? [...shape] : undefined;
}

export type { Dim };
