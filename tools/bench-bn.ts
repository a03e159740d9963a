// `node dist/tools/bench-bn.js [rounds]`: interleaved A/B of training-mode BatchNorm lowerings
// (statistics + normalization forward, dX/dγ/dβ backward for a given dY) on ResNet-20's BN shapes
// at batch 128, 2 intra-op threads, one process. Prints per shape the median of the paired CPU-time
// ratios to the current lowering ('f64Full' + 'cur'), and the variance error against float64.
// The measurements behind src/autodiff/lowering/batch-norm.ts and rules/batch-normalization.ts.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/onnx/builder';
import { DataType } from '../src/onnx/dtype';
import { Graph, Model } from '../src/onnx/ir';
import { serializeModel } from '../src/onnx/io';
import { Facts } from '../src/onnx/shape-inference';
import { attr } from '../src/onnx/attr';

const eps = 1e-5;
const bnAttrs = { epsilon: attr.float(eps), training_mode: attr.int(0) };
interface Stats { mean: string; variance: string; centered: string }
type Fwd = (b: GraphBuilder, C: number, count: number) => Stats;
type Bwd = (b: GraphBuilder, s: Stats, C: number, shape: readonly number[], count: number) => string[];
const toD = (b: GraphBuilder, v: string) => b.op('Cast', [v], { to: attr.int(DataType.DOUBLE) });
const toF = (b: GraphBuilder, v: string) => b.op('Cast', [v], { to: attr.int(DataType.FLOAT) });

const fwds: Record<string, Fwd> = {
  f64Full: (b, C, count) => {
    const meanKd = b.reduce('ReduceMean', 'x', [0, 2, 3], true);
    const centered = b.op('Sub', ['x', meanKd]);
    const cd = toD(b, centered);
    const s1 = b.reduce('ReduceMean', cd, [0, 2, 3], false);
    const s2 = b.op('Div', [b.reduce('ReduceSumSquare', cd, [0, 2, 3], false), b.scalar(count, DataType.DOUBLE)]);
    const mean = toF(b, b.op('Add', [toD(b, b.reshape(meanKd, [C])), s1]));
    return { mean, variance: toF(b, b.op('Sub', [s2, b.op('Mul', [s1, s1])])), centered };
  },
  // float32 sums over H·W only (≤ 1024 terms), float64 over N of the [N, C] partial sums
  f64Partial: (b, C, count) => {
    const meanKd = b.reduce('ReduceMean', 'x', [0, 2, 3], true);
    const centered = b.op('Sub', ['x', meanKd]);
    const p1 = toD(b, b.reduce('ReduceSum', centered, [2, 3], false));
    const p2 = toD(b, b.reduce('ReduceSumSquare', centered, [2, 3], false));
    const n = b.scalar(count, DataType.DOUBLE);
    const s1 = b.op('Div', [b.reduce('ReduceSum', p1, [0], false), n]);
    const s2 = b.op('Div', [b.reduce('ReduceSum', p2, [0], false), n]);
    const mean = toF(b, b.op('Add', [toD(b, b.reshape(meanKd, [C])), s1]));
    return { mean, variance: toF(b, b.op('Sub', [s2, b.op('Mul', [s1, s1])])), centered };
  },
  // float32 sums over W only, float64 over N and H
  f64PartialW: (b, C, count) => {
    const meanKd = b.reduce('ReduceMean', 'x', [0, 2, 3], true);
    const centered = b.op('Sub', ['x', meanKd]);
    const p1 = toD(b, b.reduce('ReduceSum', centered, [3], false));
    const p2 = toD(b, b.reduce('ReduceSumSquare', centered, [3], false));
    const n = b.scalar(count, DataType.DOUBLE);
    const s1 = b.op('Div', [b.reduce('ReduceSum', p1, [0, 2], false), n]);
    const s2 = b.op('Div', [b.reduce('ReduceSum', p2, [0, 2], false), n]);
    const mean = toF(b, b.op('Add', [toD(b, b.reshape(meanKd, [C])), s1]));
    return { mean, variance: toF(b, b.op('Sub', [s2, b.op('Mul', [s1, s1])])), centered };
  },
  // as f64PartialW, centered by an inference BatchNormalization (x·1 − m₀) instead of Sub
  bnSubW: (b, C, count) => {
    const meanKd = b.reduce('ReduceMean', 'x', [0, 2, 3], false);
    const zeros = b.op('Mul', [meanKd, b.scalar(0)]);
    const ones = b.op('Add', [zeros, b.scalar(1)]);
    const centered = b.node('BatchNormalization', ['x', ones, b.op('Neg', [meanKd]), zeros, ones], { epsilon: attr.float(0), training_mode: attr.int(0) })[0];
    const p1 = toD(b, b.reduce('ReduceSum', centered, [3], false));
    const p2 = toD(b, b.reduce('ReduceSumSquare', centered, [3], false));
    const n = b.scalar(count, DataType.DOUBLE);
    const s1 = b.op('Div', [b.reduce('ReduceSum', p1, [0, 2], false), n]);
    const s2 = b.op('Div', [b.reduce('ReduceSum', p2, [0, 2], false), n]);
    const mean = toF(b, b.op('Add', [toD(b, meanKd), s1]));
    return { mean, variance: toF(b, b.op('Sub', [s2, b.op('Mul', [s1, s1])])), centered };
  },
  // the same, sums of squares by a batched dot product (MatMul over H·W)
  f64PartialMm: (b, C, count) => {
    const meanKd = b.reduce('ReduceMean', 'x', [0, 2, 3], true);
    const centered = b.op('Sub', ['x', meanKd]);
    const p1 = toD(b, b.reduce('ReduceSum', centered, [2, 3], false));
    const row = b.reshape(centered, [0, C, 1, -1]);
    const col = b.reshape(centered, [0, C, -1, 1]);
    const p2 = toD(b, b.op('MatMul', [row, col]));
    const n = b.scalar(count, DataType.DOUBLE);
    const s1 = b.op('Div', [b.reduce('ReduceSum', p1, [0], false), n]);
    const s2 = b.op('Div', [b.reshape(b.reduce('ReduceSum', p2, [0], false), [C]), n]);
    const mean = toF(b, b.op('Add', [toD(b, b.reshape(meanKd, [C])), s1]));
    return { mean, variance: toF(b, b.op('Sub', [s2, b.op('Mul', [s1, s1])])), centered };
  },
};

function bwdCommon(b: GraphBuilder, s: Stats, C: number, count: number, dBeta: string, sumDyD: string, bnTerm = false): string[] {
  const pc = (v: string) => b.unsqueeze(v, [1, 2]);
  const invStd = b.op('Reciprocal', [b.op('Sqrt', [b.op('Add', [s.variance, b.scalar(eps)])])]);
  const a = b.op('Mul', ['s', invStd]);
  const invN = b.scalar(1 / count);
  const coefD = b.op('Neg', [b.op('Mul', [b.op('Mul', [a, b.op('Mul', [invStd, invStd])]), b.op('Mul', [sumDyD, invN])])]);
  const shift = b.op('Neg', [b.op('Mul', [a, b.op('Mul', [dBeta, invN])])]);
  const zeros = b.op('Mul', [shift, b.scalar(0)]);
  const ones = b.op('Add', [zeros, b.scalar(1)]);
  const affine = b.node('BatchNormalization', ['dy', a, shift, zeros, ones], { epsilon: attr.float(0), training_mode: attr.int(0) })[0];
  const term = bnTerm ? b.node('BatchNormalization', [s.centered, coefD, zeros, zeros, ones], { epsilon: attr.float(0), training_mode: attr.int(0) })[0] : b.op('Mul', [s.centered, pc(coefD)]);
  const dX = b.op('Add', [affine, term]);
  return [dX, b.op('Mul', [sumDyD, invStd]), dBeta];
}

const bwds: Record<string, Bwd> = {
  cur: (b, s, C, _shape, count) => bwdCommon(b, s, C, count, b.reduce('ReduceSum', 'dy', [0, 2, 3], false), b.reduce('ReduceSum', b.op('Mul', ['dy', s.centered]), [0, 2, 3], false)),
  // centered·coef by an inference BatchNormalization instead of a broadcast Mul
  bnTerm: (b, s, C, _shape, count) => bwdCommon(b, s, C, count, b.reduce('ReduceSum', 'dy', [0, 2, 3], false), b.reduce('ReduceSum', b.op('Mul', ['dy', s.centered]), [0, 2, 3], false), true),
  // Σ dY·(x − m) per (n, c) as a batched dot product: no full-size product tensor
  mm: (b, s, C, _shape, count) => {
    const dot = b.op('MatMul', [b.reshape('dy', [0, C, 1, -1]), b.reshape(s.centered, [0, C, -1, 1])]);
    return bwdCommon(b, s, C, count, b.reduce('ReduceSum', 'dy', [0, 2, 3], false), b.reshape(b.reduce('ReduceSum', dot, [0], false), [C]));
  },
  // two-stage reductions: over H·W, then over N
  twoStage: (b, s, C, _shape, count) => {
    const r = (v: string) => b.reduce('ReduceSum', b.reduce('ReduceSum', v, [2, 3], false), [0], false);
    return bwdCommon(b, s, C, count, r('dy'), r(b.op('Mul', ['dy', s.centered])));
  },
};

function buildModel(shape: readonly number[], f: Fwd, g: Bwd): Model {
  const [N, C, H, W] = shape;
  const graph: Graph = { name: 'bn', nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
  const facts: Facts = new Map();
  const ins: [string, number[]][] = [['x', [N, C, H, W]], ['dy', [N, C, H, W]], ['s', [C]], ['bias', [C]]];
  for (const [name, dims] of ins) { graph.inputs.push({ name, dtype: DataType.FLOAT, shape: dims }); facts.set(name, { dtype: DataType.FLOAT, shape: dims }); }
  const b = new GraphBuilder(graph, 17, facts);
  const count = N * H * W;
  const st = f(b, C, count);
  const y = b.op('BatchNormalization', ['x', 's', 'bias', st.mean, st.variance], bnAttrs);
  const [dX, dG, dB] = g(b, st, C, shape, count);
  const outs: [string, number[]][] = [[b.op('Identity', [st.variance]), [C]], [y, [N, C, H, W]], [dX, [N, C, H, W]], [dG, [C]], [dB, [C]]];
  graph.outputs = outs.map(([name, dims]) => ({ name, dtype: DataType.FLOAT, shape: dims }));
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'x', producerVersion: '', domain: '', modelVersion: 1, docString: '', metadataProps: new Map(), graph };
}

function gauss(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => { s = (s * 1664525 + 1013904223) >>> 0; return (s + 0.5) / 2 ** 32; };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const median = (v: number[]) => { const s = [...v].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 15);
  const combos = (process.env.BN_COMBOS ?? 'f64Full+cur,f64Partial+cur,f64PartialMm+cur,f64Partial+mm,f64Partial+twoStage').split(',');
  const shapes = [[128, 16, 32, 32], [128, 32, 16, 16], [128, 64, 8, 8]];
  for (const shape of shapes) {
    const [N, C, H, W] = shape;
    const g = gauss(1);
    const x = Float32Array.from({ length: N * C * H * W }, () => 0.2 + 0.5 * g());
    const dy = Float32Array.from({ length: x.length }, () => g());
    const feeds = { x: new ort.Tensor('float32', x, shape), dy: new ort.Tensor('float32', dy, shape), s: new ort.Tensor('float32', Float32Array.from({ length: C }, () => 1 + 0.1 * g()), [C]), bias: new ort.Tensor('float32', Float32Array.from({ length: C }, () => 0.1 * g()), [C]) };
    const hw = H * W;
    const vr = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let t = 0; for (let n = 0; n < N; n++) for (let i = 0; i < hw; i++) t += x[(n * C + c) * hw + i];
      const m = t / (N * hw);
      let q = 0; for (let n = 0; n < N; n++) for (let i = 0; i < hw; i++) q += (x[(n * C + c) * hw + i] - m) ** 2;
      vr[c] = q / (N * hw);
    }
    const sess = await Promise.all(combos.map((k) => { const [f, b] = k.split('+'); return ort.InferenceSession.create(serializeModel(buildModel(shape, fwds[f], bwds[b])), { intraOpNumThreads: Number(process.env.BN_THREADS ?? 2), graphOptimizationLevel: 'all', executionMode: 'sequential', enableProfiling: process.env.BN_PROFILE === '1', profileFilePrefix: `/tmp/bnprof-${shape[1]}-${k}` }); }));
    const cpu: number[][] = combos.map(() => []);
    const ref: Float32Array[] = [];
    for (let r = -2; r < rounds; r++) {
      for (let k = 0; k < combos.length; k++) {
        const t0 = process.cpuUsage();
        const out = await sess[k].run(feeds);
        const t = process.cpuUsage(t0);
        if (r >= 0) cpu[k].push((t.user + t.system) / 1000);
        if (r === -2) {
          const vals = sess[k].outputNames.map((o) => out[o].data as Float32Array);
          let ve = 0; vals[0].forEach((v, c) => { ve = Math.max(ve, Math.abs(v - vr[c]) / vr[c]); });
          if (k === 0) ref.push(...vals.slice(2));
          let de = 0; vals.slice(2).forEach((v, j) => { let m = 0; let sc = 0; v.forEach((e, i) => { m = Math.max(m, Math.abs(e - ref[j][i])); sc = Math.max(sc, Math.abs(ref[j][i])); }); de = Math.max(de, m / sc); });
          process.stdout.write(`${shape.join('x')} ${combos[k].padEnd(22)} var rel err ${ve.toExponential(2)}  grads vs first (max rel) ${de.toExponential(2)}\n`);
        }
      }
    }
    for (let k = 0; k < combos.length; k++) {
      const ratios = cpu[k].map((v, i) => v / cpu[0][i]);
      process.stdout.write(`${shape.join('x')} ${combos[k].padEnd(22)} median CPU ${median(cpu[k]).toFixed(1)} ms  paired ratio ${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(2)}, ${Math.max(...ratios).toFixed(2)}]\n`);
    }
    if (process.env.BN_PROFILE === '1') sess.forEach((s) => { s.endProfiling(); });
    await Promise.all(sess.map((s) => s.release()));
  }
}
void main();
