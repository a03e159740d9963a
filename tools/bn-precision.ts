// `node dist/tools/bn-precision.js` (BN_SHAPE=N,C,H,W, default 8,16,32,32): max error against float64
// of the batch mean, the variance and the output of candidate training-mode BatchNorm lowerings on
// onnxruntime-node, x ~ N(0.2, 0.5²). The measurements behind src/autodiff/lowering/batch-norm.ts:
// rssF32 is the former lowering, f64Sums the current one.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/onnx/builder';
import { DataType } from '../src/onnx/dtype';
import { Graph, Model } from '../src/onnx/ir';
import { serializeModel } from '../src/onnx/io';
import { Facts } from '../src/onnx/shape-inference';
import { attr } from '../src/onnx/attr';

const [N, C, H, W] = (process.env.BN_SHAPE ?? '8,16,32,32').split(',').map(Number);
type Variant = (b: GraphBuilder) => { mean: string; variance: string; y: string };
const axes = [0, 2, 3];
const eps = 1e-5;
const bnAttrs = { epsilon: attr.float(eps), training_mode: attr.int(0) };

/** Candidate lowerings: batch mean, biased variance and output y of one BatchNormalization. */
const variants: Record<string, Variant> = {
  rssF32: (b) => {
    const meanKd = b.reduce('ReduceMean', 'x', axes, true);
    const centered = b.op('Sub', ['x', meanKd]);
    const mean = b.reshape(meanKd, [C]);
    const variance = b.op('Div', [b.reduce('ReduceSumSquare', centered, axes, false), b.scalar(N * H * W)]);
    const y = b.op('BatchNormalization', ['x', 's', 'bias', mean, variance], bnAttrs);
    return { mean, variance, y };
  },  mulMeanF32: (b) => {
    const meanKd = b.reduce('ReduceMean', 'x', axes, true);
    const centered = b.op('Sub', ['x', meanKd]);
    const mean = b.reshape(meanKd, [C]);
    const variance = b.reduce('ReduceMean', b.op('Mul', [centered, centered]), axes, false);
    const y = b.op('BatchNormalization', ['x', 's', 'bias', mean, variance], bnAttrs);
    return { mean, variance, y };
  },  f64Sums: (b) => {
    const meanKd = b.reduce('ReduceMean', 'x', axes, true);
    const centered = b.op('Sub', ['x', meanKd]);
    const cd = b.op('Cast', [centered], { to: attr.int(DataType.DOUBLE) });
    const s1 = b.reduce('ReduceMean', cd, axes, false);
    const s2 = b.op('Div', [b.reduce('ReduceSumSquare', cd, axes, false), b.scalar(N * H * W, DataType.DOUBLE)]);
    const mean = b.op('Cast', [b.op('Add', [b.op('Cast', [b.reshape(meanKd, [C])], { to: attr.int(DataType.DOUBLE) }), s1])], { to: attr.int(DataType.FLOAT) });
    const variance = b.op('Cast', [b.op('Sub', [s2, b.op('Mul', [s1, s1])])], { to: attr.int(DataType.FLOAT) });
    const y = b.op('BatchNormalization', ['x', 's', 'bias', mean, variance], bnAttrs);
    return { mean, variance, y };
  },  f64Output: (b) => {
    const xd = b.op('Cast', ['x'], { to: attr.int(DataType.DOUBLE) });
    const meanKd = b.reduce('ReduceMean', xd, axes, true);
    const cd = b.op('Sub', [xd, meanKd]);
    const vd = b.reduce('ReduceMean', b.op('Mul', [cd, cd]), axes, false);
    const mean = b.op('Cast', [b.reshape(meanKd, [C])], { to: attr.int(DataType.FLOAT) });
    const variance = b.op('Cast', [vd], { to: attr.int(DataType.FLOAT) });
    const sd = b.op('Cast', ['s'], { to: attr.int(DataType.DOUBLE) });
    const bd = b.op('Cast', ['bias'], { to: attr.int(DataType.DOUBLE) });
    const a = b.op('Div', [sd, b.op('Sqrt', [b.op('Add', [vd, b.scalar(eps, DataType.DOUBLE)])])]);
    const y = b.op('Cast', [b.op('Add', [b.op('Mul', [cd, b.unsqueeze(a, [1, 2])]), b.unsqueeze(bd, [1, 2])])], { to: attr.int(DataType.FLOAT) });
    return { mean, variance, y };
  },};

function buildModel(v: Variant): Model {
  const graph: Graph = { name: 'bn', nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
  const facts: Facts = new Map();
  graph.inputs.push({ name: 'x', dtype: DataType.FLOAT, shape: [N, C, H, W] }, { name: 's', dtype: DataType.FLOAT, shape: [C] }, { name: 'bias', dtype: DataType.FLOAT, shape: [C] });
  facts.set('x', { dtype: DataType.FLOAT, shape: [N, C, H, W] });
  facts.set('s', { dtype: DataType.FLOAT, shape: [C] });
  facts.set('bias', { dtype: DataType.FLOAT, shape: [C] });
  const b = new GraphBuilder(graph, 17, facts);
  const o = v(b);
  const y = b.op('Identity', [o.y], {}, 'y_out');
  graph.outputs = [{ name: o.mean, dtype: DataType.FLOAT, shape: [C] }, { name: o.variance, dtype: DataType.FLOAT, shape: [C] }, { name: y, dtype: DataType.FLOAT, shape: [N, C, H, W] }];
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'x', producerVersion: '', domain: '', modelVersion: 1, docString: '', metadataProps: new Map(), graph };
}

function gauss(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => { s = (s * 1664525 + 1013904223) >>> 0; return (s + 0.5) / 2 ** 32; };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

async function main(): Promise<void> {
  const g = gauss(1);
  const x = Float32Array.from({ length: N * C * H * W }, () => 0.2 + 0.5 * g());
  const s = Float32Array.from({ length: C }, () => 1 + 0.1 * g());
  const bias = Float32Array.from({ length: C }, () => 0.1 * g());
  // float64 truth, by plain double sums (errors ~1e-13, far below those measured)
  const hw = H * W;
  const mean = new Float64Array(C); const vr = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let t = 0; for (let n = 0; n < N; n++) for (let i = 0; i < hw; i++) t += x[(n * C + c) * hw + i];
    mean[c] = t / (N * hw);
    let q = 0; for (let n = 0; n < N; n++) for (let i = 0; i < hw; i++) q += (x[(n * C + c) * hw + i] - mean[c]) ** 2;
    vr[c] = q / (N * hw);
  }
  const yT = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < hw; i++) { const k = (n * C + c) * hw + i; yT[k] = (x[k] - mean[c]) / Math.sqrt(vr[c] + eps) * s[c] + bias[c]; }
  const maxErr = (a: ArrayLike<number>, t: ArrayLike<number>, rel = false) => { let m = 0; for (let i = 0; i < t.length; i++) m = Math.max(m, Math.abs(a[i] - t[i]) / (rel ? Math.abs(t[i]) : 1)); return m; };
  process.stdout.write(`float32 rounding of the true output: ${maxErr(Float32Array.from(yT), yT).toExponential(2)}\n`);
  for (const [name, v] of Object.entries(variants)) {
    const sess = await ort.InferenceSession.create(serializeModel(buildModel(v)));
    const out = await sess.run({ x: new ort.Tensor('float32', x, [N, C, H, W]), s: new ort.Tensor('float32', s, [C]), bias: new ort.Tensor('float32', bias, [C]) });
    const vals = sess.outputNames.map((k) => out[k].data as Float32Array);
    process.stdout.write(`${name.padEnd(12)} mean abs ${maxErr(vals[0], mean).toExponential(2)}  var rel ${maxErr(vals[1], vr, true).toExponential(2)}  y abs ${maxErr(vals[2], yT).toExponential(2)}\n`);
  }
}
void main();
