// Shape and type inference with symbolic dimensions, plus propagation of the small integer
// tensors that shape arithmetic is made of (Shape → Gather → Concat → Reshape, as PyTorch exports).
import { CrsamError } from '../core/errors';
import { DataType, dtypeName } from './dtype';
import { Dim, Graph, Node, Shape, Tensor, topologicalOrder } from './ir';
import { checkNode } from './node-checks';
import { SHAPE_RULES } from './shape-rules/table';

/** What is known about one value. */
export interface ValueFact {
  readonly dtype: DataType;
  /** undefined when the rank is unknown. */
  readonly shape?: Shape;
  /** Contents of a small integer tensor (flattened); strings are symbolic dims, null unknown. */
  readonly value?: readonly Dim[];
  /** Contents of a small float constant (flattened), e.g. a scalar exponent or a ratio. */
  readonly floatValue?: readonly number[];
}

export class ShapeInferenceError extends CrsamError {
  override readonly name = 'ShapeInferenceError';
  /** @param invalidModel the node is one ONNX Runtime refuses (not merely one crsam cannot follow). */
  constructor(message: string, readonly invalidModel = false) {
    super(message);
  }
}

export interface InferContext {
  readonly node: Node;
  readonly opset: number;
  /** Fact of input i; undefined for an omitted optional input. */
  input(i: number): ValueFact | undefined;
  /** Fact of input i, which must be present. */
  req(i: number): ValueFact;
  readonly inputCount: number;
  fail(reason: string): never;
  /** Like fail, for a node ONNX Runtime refuses too: the message is final, no hint that the op may be unsupported. */
  refuse(reason: string): never;
}

export type ShapeRule = (ctx: InferContext) => (ValueFact | undefined)[];

/** Facts for every value of the graph, keyed by name. */
export type Facts = Map<string, ValueFact>;

const MAX_PROPAGATED = 64;

export function tensorFact(t: Tensor): ValueFact {
  const n = t.data.length;
  if (n <= MAX_PROPAGATED) {
    if (t.data instanceof BigInt64Array) return { dtype: t.dtype, shape: t.dims, value: Array.from(t.data, (v) => clampBig(v)) };
    if (t.data instanceof Int32Array) return { dtype: t.dtype, shape: t.dims, value: Array.from(t.data) };
    if (t.data instanceof Float32Array || t.data instanceof Float64Array) return { dtype: t.dtype, shape: t.dims, floatValue: Array.from(t.data) };
  }
  return { dtype: t.dtype, shape: t.dims };
}

function clampBig(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

/** Infers one node's output facts from its input facts. */
export function inferNode(node: Node, opset: number, facts: Facts): (ValueFact | undefined)[] {
  const rule = SHAPE_RULES[node.opType];
  if (node.domain !== '' || !rule) {
    throw new ShapeInferenceError(`no shape rule for ${node.domain ? node.domain + '.' : ''}${node.opType} (node '${node.name}', opset ${opset})`);
  }
  const ctx: InferContext = {
    node,
    opset,
    inputCount: node.inputs.length,
    input: (i) => (node.inputs[i] ? facts.get(node.inputs[i]) : undefined),
    req: (i) => {
      const f = node.inputs[i] ? facts.get(node.inputs[i]) : undefined;
      if (!f) ctx.fail(`input ${i} ('${node.inputs[i] ?? ''}') is missing or has no known type`);
      return f as ValueFact;
    },
    fail: (reason) => {
      throw new ShapeInferenceError(`cannot infer the output of ${node.opType} node '${node.name}': ${reason}`);
    },
    refuse: (reason) => {
      throw new ShapeInferenceError(`${node.opType} node '${node.name}': ${reason}; ONNX Runtime cannot run it either (fix the export)`, true);
    },
  };
  checkNode(ctx);
  const outs = rule(ctx);
  // Rules compute dims arithmetically; bad attributes (stride 0, negative pads) or absurd declared
  // sizes would otherwise flow on as Infinity, NaN or negative dims and fail far away, in our own
  // gradient nodes, with a message that names them instead of the user's node.
  for (const f of outs) {
    const bad = f?.shape?.find((d) => typeof d === 'number' && !(Number.isSafeInteger(d) && d >= 0));
    if (bad !== undefined) ctx.fail(`it would have the invalid shape [${(f?.shape ?? []).map((d) => (d === null ? '?' : d)).join(', ')}] (check its attributes and the model's declared input shape)`);
  }
  return outs;
}

/** Runs inference over a graph, seeding from inputs, initializers and declared value_info. */
export function inferShapes(graph: Graph, opset: number, seed?: Facts): Facts {
  const facts: Facts = new Map(seed);
  for (const v of graph.inputs) if (!facts.has(v.name)) facts.set(v.name, { dtype: v.dtype, shape: v.shape });
  for (const t of graph.initializers.values()) facts.set(t.name, tensorFact(t));
  for (const node of topologicalOrder(graph)) {
    const outs = inferNode(node, opset, facts);
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const f = outs[i];
      if (f) facts.set(name, mergeDeclared(f, graph.valueInfo.get(name)?.shape));
    });
  }
  return facts;
}

/** Declared shapes fill in dims our inference left unknown. */
function mergeDeclared(f: ValueFact, declared: Shape | undefined): ValueFact {
  if (!declared) return f;
  if (!f.shape) return { ...f, shape: declared };
  if (f.shape.length !== declared.length) return f;
  return { ...f, shape: f.shape.map((d, i) => (d === null ? declared[i] : d)) };
}

// ---------- dimension arithmetic shared by the rules ----------

export function isStatic(shape: Shape | undefined): shape is readonly number[] {
  return !!shape && shape.every((d) => typeof d === 'number');
}

/** Product of dims, symbolic when needed ("N*8"); null if any dim is unknown. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let coef = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (d === null) return null;
    if (typeof d === 'number') coef *= d;
    else {
      const part = splitSymbol(d);
      syms.push(...part.syms);
      coef *= part.coef;
    }
  }
  return makeDim(coef, syms);
}

/** Divides a dim product by another; null if it does not divide symbolically. */
export function dimDivide(a: Dim, b: Dim): Dim {
  if (a === null || b === null) return null;
  const x = typeof a === 'number' ? { coef: a, syms: [] as string[] } : splitSymbol(a);
  const y = typeof b === 'number' ? { coef: b, syms: [] as string[] } : splitSymbol(b);
  const syms = [...x.syms];
  for (const s of y.syms) {
    const k = syms.indexOf(s);
    if (k < 0) return null;
    syms.splice(k, 1);
  }
  if (y.coef === 0 || x.coef % y.coef !== 0) return null;
  return makeDim(x.coef / y.coef, syms);
}

function splitSymbol(s: string): { coef: number; syms: string[] } {
  let coef = 1;
  const syms: string[] = [];
  for (const part of s.split('*')) {
    if (/^\d+$/.test(part)) coef *= Number(part);
    else syms.push(part);
  }
  return { coef, syms };
}

function makeDim(coef: number, syms: string[]): Dim {
  if (syms.length === 0) return coef;
  syms.sort();
  return coef === 1 ? syms.join('*') : `${coef}*${syms.join('*')}`;
}

/** Numpy-style broadcasting of shapes. */
export function broadcastShapes(ctx: InferContext, shapes: (Shape | undefined)[]): Shape | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => (s as Shape).length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes as Shape[]) {
      const k = i - (rank - s.length);
      if (k < 0) continue;
      const e = s[k];
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (e !== d) {
        if (typeof e === 'number' && typeof d === 'number') ctx.fail(`shapes [${(shapes as Shape[]).map((x) => x.join(',')).join('] and [')}] do not broadcast`);
        d = typeof d === 'number' ? d : typeof e === 'number' ? e : null; // a known size wins over an unknown one
      }
    }
    out.push(d);
  }
  return out;
}

export function normAxis(ctx: InferContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function describeFact(f: ValueFact | undefined): string {
  if (!f) return 'unknown';
  return `${dtypeName(f.dtype)}[${f.shape ? f.shape.map((d) => (d === null ? '?' : d)).join(',') : '...'}]`;
}
