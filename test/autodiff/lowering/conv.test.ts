// The Conv weight-gradient lowerings against a direct float64 loop: dW[co, ci, k] = Σ dY[n, co, y]·X[n, ci, y·s + k·d − p].
// Each case names the lowering chooseDw must pick, so a case keeps testing the lowering it was written for.
import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/onnx/builder';
import { DataType } from '../../../src/onnx/dtype';
import { Dim, Graph, Model } from '../../../src/onnx/ir';
import { serializeModel } from '../../../src/onnx/io';
import { inferShapes } from '../../../src/onnx/shape-inference';
import { ConvGeometry } from '../../../src/onnx/conv-geometry';
import { DwLowering, chooseDw, convDw } from '../../../src/autodiff/lowering/conv';

interface Case { name: string; n: number; cin: number; cout: number; spatial: number[]; kernel: number[]; strides: number[]; dilations: number[]; pads: number[]; lowering: DwLowering }

function geometry(c: Case): ConvGeometry {
  const d = c.spatial.length;
  const outSpatial = c.spatial.map((s, i) => Math.floor((s + c.pads[i] + c.pads[i + d] - c.dilations[i] * (c.kernel[i] - 1) - 1) / c.strides[i]) + 1);
  return { kernel: c.kernel, strides: c.strides, dilations: c.dilations, pads: c.pads, outSpatial, ceilMode: false };
}

function values(len: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: len }, () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; });
}

/** Row-major index of `idx` in `dims`. */
const flat = (idx: number[], dims: number[]) => idx.reduce((a, v, i) => a * dims[i] + v, 0);
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

function* grid(dims: number[]): Generator<number[]> {
  const idx = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < size(dims); k++) {
    yield [...idx];
    for (let i = dims.length - 1; i >= 0 && ++idx[i] === dims[i]; i--) idx[i] = 0;
  }
}

function reference(c: Case, g: ConvGeometry, x: Float32Array, dy: Float32Array): Float64Array {
  const out = g.outSpatial as number[];
  const dw = new Float64Array(c.cout * c.cin * size(c.kernel));
  for (const [co, ci, ...k] of grid([c.cout, c.cin, ...c.kernel])) {
    let sum = 0;
    for (const [n, ...y] of grid([c.n, ...out])) {
      const pos = y.map((v, i) => v * c.strides[i] + k[i] * c.dilations[i] - c.pads[i]);
      if (pos.some((p, i) => p < 0 || p >= c.spatial[i])) continue;
      sum += dy[flat([n, co, ...y], [c.n, c.cout, ...out])] * x[flat([n, ci, ...pos], [c.n, c.cin, ...c.spatial])];
    }
    dw[flat([co, ci, ...k], [c.cout, c.cin, ...c.kernel])] = sum;
  }
  return dw;
}

async function lowered(c: Case, g: ConvGeometry, x: Float32Array, dy: Float32Array, batch: Dim): Promise<Float32Array> {
  const graph: Graph = {
    name: 'dw', nodes: [], initializers: new Map(), valueInfo: new Map(), outputs: [],
    inputs: [{ name: 'X', dtype: DataType.FLOAT, shape: [batch, c.cin, ...c.spatial] }, { name: 'dY', dtype: DataType.FLOAT, shape: [batch, c.cout, ...(g.outSpatial as number[])] }],
  };
  const b = new GraphBuilder(graph, 17, inferShapes(graph, 17));
  const dw = convDw(b, 'X', 'dY', g, 1, c.cin, c.cout);
  graph.outputs.push({ name: dw, dtype: DataType.FLOAT, shape: [c.cout, c.cin, ...c.kernel] });
  const model: Model = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: new Map(), graph };
  const session = await ort.InferenceSession.create(serializeModel(model));
  const res = await session.run({ X: new ort.Tensor('float32', x, [c.n, c.cin, ...c.spatial]), dY: new ort.Tensor('float32', dy, [c.n, c.cout, ...(g.outSpatial as number[])]) });
  await session.release();
  return res[dw].data as Float32Array;
}

const CASES: Case[] = [
  { name: '3×3 pad 1 stride 1', n: 3, cin: 4, cout: 5, spatial: [6, 7], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], lowering: 'image-flat-shifts' },
  { name: '3×3 dilation 2 pad 2', n: 2, cin: 3, cout: 2, spatial: [7, 7], kernel: [3, 3], strides: [1, 1], dilations: [2, 2], pads: [2, 2, 2, 2], lowering: 'image-flat-shifts' },
  { name: '2×3 asymmetric pads', n: 2, cin: 2, cout: 3, spatial: [5, 6], kernel: [2, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 0, 0, 2], lowering: 'image-flat-shifts' },
  { name: '1×1 stride 1', n: 2, cin: 3, cout: 4, spatial: [4, 4], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], lowering: 'image-flat-shifts' },
  { name: '3×3 pad 1 stride 2', n: 3, cin: 4, cout: 6, spatial: [8, 8], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], lowering: 'image-offsets' },
  { name: '1×1 stride 2 (projection shortcut)', n: 2, cin: 3, cout: 5, spatial: [7, 7], kernel: [1, 1], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], lowering: 'image-offsets' },
  { name: '1-D kernel 3', n: 2, cin: 3, cout: 4, spatial: [9], kernel: [3], strides: [1], dilations: [1], pads: [1, 1], lowering: 'image-offsets' },
];

describe('Conv dW lowerings (autodiff/lowering/conv)', () => {
  for (const c of CASES) {
    for (const batch of [c.n, 'N'] as Dim[]) {
      it(`${c.name}, ${c.lowering}, batch ${batch}`, async () => {
        const g = geometry(c);
        expect(chooseDw(1, c.cin, g)).to.equal(c.lowering);
        const x = values(c.n * c.cin * size(c.spatial), 1);
        const dy = values(c.n * c.cout * size(g.outSpatial as number[]), 2);
        const want = reference(c, g, x, dy);
        const got = await lowered(c, g, x, dy, batch);
        expect(got.length).to.equal(want.length);
        const scale = Math.max(...Array.from(want, Math.abs));
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).to.be.below(1e-5 * scale, `dW[${i}]`);
      });
    }
  }
});
