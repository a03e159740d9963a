// The shared rule test: builds a one-node model, differentiates it with our driver, runs the
// gradient graph on onnxruntime-node and compares against central finite differences (in float64
// where ORT has a float64 kernel for the op, else float32), against an exact case, and again with
// an unknown (symbolic) batch dimension.
import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/onnx/builder';
import { DataType } from '../../src/onnx/dtype';
import { Attribute, Dim, Graph, Model, Tensor } from '../../src/onnx/ir';
import { serializeModel } from '../../src/onnx/io';
import { inferShapes } from '../../src/onnx/shape-inference';
import { backward } from '../../src/autodiff/backward';
import { RECURRENT_OPS, lowerRecurrent, recurrentForRuntime } from '../../src/autodiff/lowering/recurrent';

/** A non-differentiated constant input (indices, shapes, axes, exponents...). */
export interface ConstInput {
  readonly const: readonly number[];
  readonly dims: readonly number[];
  /** Default 'int64'. */
  readonly dtype?: 'int64' | 'int32' | 'float' | 'bool';
}
/** An optional input left out (its name is ''), for ops whose later inputs follow it. */
export interface OmittedInput { readonly omit: true }
export type InputSpec = readonly number[] | ConstInput | OmittedInput;
export type AttrSpec = Record<string, number | string | readonly number[] | readonly string[] | { float: number }>;

export interface CheckOptions {
  readonly opset?: number;
  /** Number of outputs the node has (default 1); all float outputs get a random cotangent. */
  readonly outputs?: number;
  /** Which outputs get a cotangent (default all). */
  readonly seedOutputs?: readonly number[];
  /** Input values (flattened) instead of random ones, per float input. */
  readonly values?: readonly (readonly number[] | undefined)[];
  /** Exact case: expected gradients for the given `values` and output cotangent `dY` (output 0). */
  readonly exact?: { readonly dY: readonly number[]; readonly grads: readonly (readonly number[] | undefined)[] };
  /** Random inputs drawn from [lo, hi] (default [-1, 1]); use a positive range for Log, Sqrt... */
  readonly range?: readonly [number, number];
  /** Relative tolerance against finite differences (default 1e-6 in float64, 2e-2 in float32). */
  readonly tol?: number;
  /** Also run with dim 0 of the first input (and matching inputs) symbolic. Default true. */
  readonly symbolic?: boolean;
  /** Force float32 (for ops with no float64 kernel in ORT). Default: try float64 first. */
  readonly float32?: boolean;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const isConst = (s: InputSpec): s is ConstInput | OmittedInput => !Array.isArray(s);

function toAttrs(attrs: AttrSpec): Map<string, Attribute> {
  const m = new Map<string, Attribute>();
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'number') m.set(k, Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v });
    else if (typeof v === 'string') m.set(k, { type: 'string', value: v });
    else if (Array.isArray(v) && typeof v[0] === 'string') m.set(k, { type: 'strings', value: v as string[] });
    else if (Array.isArray(v)) m.set(k, { type: 'ints', value: v as number[] });
    else m.set(k, { type: 'float', value: (v as { float: number }).float });
  }
  return m;
}

interface Built { model: Model; floatInputs: number[]; outputs: string[] }

function build(op: string, specs: readonly InputSpec[], attrs: AttrSpec, opts: CheckOptions, dtype: DataType, symbolic: boolean, withGrad: boolean): Built {
  const opset = opts.opset ?? 17;
  const graph: Graph = { name: 'check', nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
  const floatInputs: number[] = [];
  const batch = !isConst(specs[0]) ? (specs[0] as number[])[0] : undefined;
  const rank0 = !isConst(specs[0]) ? (specs[0] as number[]).length : 0;
  const inputNames = specs.map((s, i) => {
    const name = `x${i}`;
    if ('omit' in s) return '';
    if (isConst(s)) {
      const dt = s.dtype === 'float' ? dtype : s.dtype === 'bool' ? DataType.BOOL : s.dtype === 'int32' ? DataType.INT32 : DataType.INT64;
      const data: Tensor['data'] = dt === DataType.INT64 ? BigInt64Array.from(s.const.map((v) => BigInt(v))) : dt === DataType.INT32 ? Int32Array.from(s.const) : dt === DataType.BOOL ? Uint8Array.from(s.const) : dt === DataType.DOUBLE ? Float64Array.from(s.const) : Float32Array.from(s.const);
      graph.initializers.set(name, { name, dtype: dt, dims: [...s.dims], data });
    } else {
      floatInputs.push(i);
      const shape: Dim[] = [...s];
      if (symbolic && s.length === rank0 && s[0] === batch && rank0 > 0) shape[0] = 'N';
      graph.inputs.push({ name, dtype, shape });
    }
    return name;
  });
  const nOut = opts.outputs ?? 1;
  const outputs = Array.from({ length: nOut }, (_, i) => `y${i}`);
  graph.nodes.push({ opType: op, domain: '', name: 'under_test', inputs: inputNames, outputs, attributes: toAttrs(attrs) });
  const facts = inferShapes(graph, opset);
  const seeds = (opts.seedOutputs ?? outputs.map((_, i) => i)).filter((i) => facts.get(outputs[i])?.dtype === dtype);
  for (const i of withGrad ? seeds : []) {
    const f = facts.get(outputs[i]);
    graph.inputs.push({ name: `dy${i}`, dtype, shape: f?.shape });
    facts.set(`dy${i}`, { dtype, shape: f?.shape });
  }
  graph.outputs = outputs.map((o) => ({ name: o, dtype: facts.get(o)?.dtype ?? dtype, shape: facts.get(o)?.shape }));
  // ORT's fused recurrent kernels run layout 0 only: batch-first nodes run transposed, as in the eval graphs.
  if (!withGrad && RECURRENT_OPS.includes(op)) recurrentForRuntime(new GraphBuilder(graph, opset, facts, 'rt_'), graph.nodes.pop() as Graph['nodes'][number]);
  if (withGrad) {
    const b = new GraphBuilder(graph, opset, facts, 'bw_');
    // Recurrent ops are differentiated as artifacts.ts does: unrolled first.
    if (RECURRENT_OPS.includes(op)) lowerRecurrent(b, graph.nodes.pop() as Graph['nodes'][number]);
    const forward = [...graph.nodes];
    const grads = backward(b, forward, { wrt: floatInputs.map((i) => `x${i}`), seeds: new Map(seeds.map((i) => [outputs[i], `dy${i}`])) });
    for (const i of floatInputs) {
      const g = grads.get(`x${i}`);
      if (g) {
        b.node('Identity', [g], {}, { outputNames: [`grad${i}`] });
        graph.outputs.push({ name: `grad${i}`, dtype, shape: facts.get(`x${i}`)?.shape });
      }
    }
  }
  const model: Model = { irVersion: 8, opsetImports: [{ domain: '', version: opset }], producerName: 'check-gradient', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: new Map(), graph };
  return { model, floatInputs, outputs: seeds.map((i) => outputs[i]) };
}

type Arr = Float32Array | Float64Array;

async function session(model: Model): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(serializeModel(model), { graphOptimizationLevel: 'disabled' });
}

/** Checks op's gradient rule; returns the gradients it computed (for extra assertions). */
export async function checkGradient(op: string, specs: readonly InputSpec[], attrs: AttrSpec = {}, opts: CheckOptions = {}): Promise<(Arr | undefined)[]> {
  let dtype = opts.float32 ? DataType.FLOAT : DataType.DOUBLE;
  let fwd: ort.InferenceSession;
  let built: Built;
  try {
    // Float64 where the op's inputs allow it: crsam's checks (or ONNX Runtime) refuse a float64
    // graph with float32 constants, and the check then runs in float32.
    built = build(op, specs, attrs, opts, dtype, false, true);
    fwd = await session(build(op, specs, attrs, opts, dtype, false, false).model);
    await session(built.model);
  } catch {
    dtype = DataType.FLOAT;
    built = build(op, specs, attrs, opts, dtype, false, true);
    fwd = await session(build(op, specs, attrs, opts, dtype, false, false).model);
  }
  const f64 = dtype === DataType.DOUBLE;
  const make = (n: number): Arr => (f64 ? new Float64Array(n) : new Float32Array(n));
  const ortType = f64 ? 'float64' : 'float32';
  const rand = rng(12345);
  const [lo, hi] = opts.range ?? [-1, 1];
  const values = new Map<number, Arr>();
  built.floatInputs.forEach((i, k) => {
    const dims = specs[i] as number[];
    const n = dims.reduce((p, d) => p * d, 1);
    const given = opts.values?.[k];
    const arr = make(n);
    for (let j = 0; j < n; j++) arr[j] = given ? given[j] : lo + (hi - lo) * rand();
    values.set(i, arr);
  });
  const grad = await session(built.model);
  const feeds = (vals: Map<number, Arr>, dys?: Map<string, Arr>): Record<string, ort.Tensor> => {
    const f: Record<string, ort.Tensor> = {};
    for (const [i, v] of vals) f[`x${i}`] = new ort.Tensor(ortType, v, [...(specs[i] as number[])]);
    if (dys) for (const [name, v] of dys) f[name] = new ort.Tensor(ortType, v, dimsOf.get(name) ?? [v.length]);
    return f;
  };
  // Output shapes from one forward run, then random cotangents.
  const probe = await fwd.run(feeds(values));
  const dimsOf = new Map<string, number[]>();
  const dys = new Map<string, Arr>();
  for (const o of built.outputs) {
    const t = probe[o];
    const k = o.slice(1);
    dimsOf.set(`dy${k}`, [...t.dims]);
    const d = make(t.data.length);
    for (let j = 0; j < d.length; j++) d[j] = opts.exact && k === '0' ? opts.exact.dY[j] : rand() * 2 - 1;
    dys.set(`dy${k}`, d);
  }
  const objective = async (vals: Map<number, Arr>): Promise<number> => {
    const r = await fwd.run(feeds(vals));
    let s = 0;
    for (const o of built.outputs) {
      const y = r[o].data as Arr;
      const d = dys.get(`dy${o.slice(1)}`) as Arr;
      for (let j = 0; j < y.length; j++) s += y[j] * d[j];
    }
    return s;
  };
  const out = await grad.run(feeds(values, dys));
  const results: (Arr | undefined)[] = specs.map(() => undefined);
  const tol = opts.tol ?? (f64 ? 1e-6 : 2e-2);
  const h = f64 ? 1e-6 : 1e-2;
  for (const i of built.floatInputs) {
    const got = out[`grad${i}`]?.data as Arr | undefined;
    const x = values.get(i) as Arr;
    expect(got, `gradient of input ${i} of ${op}`).to.not.equal(undefined);
    results[i] = got;
    const fd = make(x.length);
    for (let j = 0; j < x.length; j++) {
      const keep = x[j];
      x[j] = keep + h; const up = await objective(values);
      x[j] = keep - h; const down = await objective(values);
      x[j] = keep;
      fd[j] = (up - down) / (2 * h);
    }
    expect(relErr(got as Arr, fd), `${op}: d/dx${i} vs finite differences (${f64 ? 'float64' : 'float32'})`).to.be.below(tol);
    if (opts.exact) {
      const want = opts.exact.grads[built.floatInputs.indexOf(i)];
      if (want) expect(relErr(got as Arr, want), `${op}: d/dx${i} exact case`).to.be.below(f64 ? 1e-9 : 1e-5);
    }
  }
  if (opts.symbolic !== false && !isConst(specs[0]) && (specs[0] as number[]).length > 0) {
    const sym = await session(build(op, specs, attrs, opts, dtype, true, true).model);
    const symOut = await sym.run(feeds(values, dys));
    for (const i of built.floatInputs) {
      expect(relErr(symOut[`grad${i}`].data as Arr, results[i] as Arr), `${op}: d/dx${i} with a symbolic batch`).to.be.below(1e-6);
    }
  }
  return results;
}

export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length, 'gradient length').to.equal(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}
