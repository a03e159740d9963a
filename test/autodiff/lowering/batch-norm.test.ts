// The training-mode BatchNorm lowering's batch statistics and output against float64 loops, for
// every layout of its float32 partial sums: none (rank 2, or a spatial axis past the limit: the
// full float64 path), over the last axis only, over H·W, and with a symbolic batch size.
import { expect } from 'chai';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/onnx/builder';
import { DataType } from '../../../src/onnx/dtype';
import { Dim, Graph, Node } from '../../../src/onnx/ir';
import { serializeModel } from '../../../src/onnx/io';
import { inferShapes } from '../../../src/onnx/shape-inference';
import { lowerTrainingBatchNorm } from '../../../src/autodiff/lowering/batch-norm';

const EPS = 1e-5;

function values(len: number, seed: number, offset: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: len }, () => { s = (s * 1664525 + 1013904223) >>> 0; return offset + (s / 2 ** 32 - 0.5); });
}

async function run(dims: number[], batch: Dim, x: Float32Array, scale: Float32Array, bias: Float32Array): Promise<{ y: Float32Array; mean: Float32Array; variance: Float32Array }> {
  const c = dims[1];
  const graph: Graph = {
    name: 'bn', nodes: [], initializers: new Map(), valueInfo: new Map(), outputs: [],
    inputs: [{ name: 'X', dtype: DataType.FLOAT, shape: [batch, ...dims.slice(1)] }, { name: 's', dtype: DataType.FLOAT, shape: [c] }, { name: 'b', dtype: DataType.FLOAT, shape: [c] }],
  };
  const node: Node = { name: 'bn0', opType: 'BatchNormalization', domain: '', inputs: ['X', 's', 'b'], outputs: ['Y'], attributes: new Map() };
  const b = new GraphBuilder(graph, 17, inferShapes(graph, 17));
  lowerTrainingBatchNorm(b, node);
  const stats = graph.nodes[graph.nodes.length - 1].meta?.batchStats;
  if (!stats) throw new Error('no batch statistics recorded');
  graph.outputs.push({ name: 'Y', dtype: DataType.FLOAT }, { name: stats.mean, dtype: DataType.FLOAT }, { name: stats.variance, dtype: DataType.FLOAT });
  const model = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 't', producerVersion: '', domain: '', modelVersion: 1, docString: '', metadataProps: new Map(), graph };
  const session = await ort.InferenceSession.create(serializeModel(model));
  const out = await session.run({ X: new ort.Tensor('float32', x, dims), s: new ort.Tensor('float32', scale, [c]), b: new ort.Tensor('float32', bias, [c]) });
  await session.release();
  return { y: out.Y.data as Float32Array, mean: out[stats.mean].data as Float32Array, variance: out[stats.variance].data as Float32Array };
}

describe('training-mode BatchNorm lowering: batch statistics against float64', () => {
  const cases: { name: string; dims: number[]; symbolic?: boolean }[] = [
    { name: 'rank 2 (no spatial axes: full float64 sums)', dims: [64, 3] },
    { name: 'rank 3, partial sums over L', dims: [16, 3, 40] },
    { name: 'rank 4, partial sums over H·W (8×8)', dims: [8, 2, 8, 8] },
    { name: 'rank 4, partial sums over W only (40×40)', dims: [4, 2, 40, 40] },
    { name: 'rank 4, symbolic batch', dims: [8, 2, 8, 8], symbolic: true },
    { name: 'rank 3, L past the partial-sum limit (full float64 sums)', dims: [4, 2, 100] },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const [n, c] = tc.dims;
      const inner = tc.dims.slice(2).reduce((a, d) => a * d, 1);
      // a large mean against a small spread: cancellation shows if the centring or the sums go wrong
      const x = values(n * c * inner, 7, 3);
      const scale = values(c, 3, 1);
      const bias = values(c, 5, 0);
      const got = await run(tc.dims, tc.symbolic ? 'N' : n, x, scale, bias);
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) sum += x[(i * c + ch) * inner + k];
        const mean = sum / (n * inner);
        let sq = 0;
        for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) sq += (x[(i * c + ch) * inner + k] - mean) ** 2;
        const variance = sq / (n * inner);
        expect(Math.abs(got.mean[ch] - mean), `mean, channel ${ch}`).to.be.below(1e-6);
        expect(Math.abs(got.variance[ch] - variance) / variance, `variance, channel ${ch}`).to.be.below(1e-6);
        let yErr = 0;
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < inner; k++) {
            const j = (i * c + ch) * inner + k;
            yErr = Math.max(yErr, Math.abs(got.y[j] - ((x[j] - mean) / Math.sqrt(variance + EPS) * scale[ch] + bias[ch])));
          }
        }
        expect(yErr, `output, channel ${ch}`).to.be.below(5e-6);
      }
    });
  }
});
